/**
 * Independent clients (boto3/botocore and the AWS CLI, Debian packages `python3-boto3` and `awscli`)
 * against the simulator: they sign, serialise and parse on their own, so what they see is AWS's
 * behaviour as another implementation reads it. Skipped, saying so, where they are not installed.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { DEFAULT_EXTERNAL_ID, startSimulator } from '../../src/simulator/index.js';

const run = promisify(execFile);

/** The first command of `candidates` for which `probe` succeeds. */
async function firstWorking(candidates: string[], probe: string[]): Promise<string | undefined> {
  for (const command of candidates) {
    try {
      await run(command, probe, { timeout: 20_000 });
      return command;
    } catch {
      // Not installed, or without the module: try the next one.
    }
  }
  return undefined;
}

const python = await firstWorking(['python3', '/usr/bin/python3'], ['-c', 'import boto3']);
/** Every distinct AWS CLI installed (v1 and v2 sign and parse differently). */
const clis: string[] = [];
{
  const versions = new Set<string>();
  for (const command of ['aws', '/usr/bin/aws']) {
    try {
      const { stdout, stderr } = await run(command, ['--version'], { timeout: 30_000 });
      const version = (stdout || stderr).split(' ')[0]!;
      if (!versions.has(version)) {
        versions.add(version);
        clis.push(command);
      }
    } catch {
      // Not installed.
    }
  }
}
if (python === undefined)
  console.warn(
    'independent-clients: boto3 is not installed (apt-get install python3-boto3): boto3 checks skipped',
  );
if (clis.length === 0)
  console.warn(
    'independent-clients: the AWS CLI is not installed (apt-get install awscli): CLI checks skipped',
  );

// In CI these checks never skip: the runner must have installed the clients (.ci/run does).
if (['true', '1'].includes(process.env['CI'] ?? '') && (python === undefined || clis.length === 0))
  throw new Error(
    'independent-clients: CI=true but boto3 or the AWS CLI is missing (apt-get install python3-boto3 awscli)',
  );

let sim: RunningSimulator;
let accounts: string[];
let suspended: string;

beforeAll(async () => {
  sim = await startSimulator({
    organization: { accounts: 5, regions: ['us-east-1', 'eu-south-1'], keysPerRegion: 3, seed: 11 },
    faults: { throttling: false },
  });
  accounts = [...sim.state.accounts.values()].filter((a) => a.status === 'ACTIVE').map((a) => a.id);
  suspended = [...sim.state.accounts.values()].find((a) => a.status === 'SUSPENDED')!.id;
});
afterAll(async () => sim.stop());

/** An environment with nothing of the developer's own AWS configuration in it. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'] };
  for (const name of ['PYENV_ROOT', 'PYENV_VERSION', 'LANG'])
    if (process.env[name]) env[name] = process.env[name];
  return { ...env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', ...extra };
}

type Outcome = { ok?: boolean; result?: unknown; code?: string; status?: number; message?: string };

describe.skipIf(python === undefined)('boto3 (skipped when python3-boto3 is not installed)', () => {
  let results: Record<string, Outcome & Record<string, unknown>>;

  beforeAll(async () => {
    const script = fileURLToPath(new URL('./independent/boto3_checks.py', import.meta.url));
    const { stdout } = await run(python!, [script], {
      timeout: 120_000,
      env: cleanEnv({
        SIM_ENDPOINT: sim.endpoint,
        SIM_HUB_KEY: sim.hubCredentials.accessKeyId,
        SIM_HUB_SECRET: sim.hubCredentials.secretAccessKey,
        SIM_MEMBER: accounts[1]!,
        SIM_OTHER: accounts[2]!,
        SIM_SUSPENDED: suspended,
        SIM_EXTERNAL_ID: DEFAULT_EXTERNAL_ID,
      }),
    });
    results = JSON.parse(stdout) as typeof results;
  }, 130_000);

  it('is accepted with the issued keys and refused with a wrong secret or session token', () => {
    expect(results['hub_identity']).toEqual({ ok: true, result: sim.state.managementAccountId });
    expect(results['member_kms']).toEqual({ ok: true, result: 3 });
    expect(results['wrong_secret']).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 });
    expect(results['kms_wrong_secret']).toMatchObject({ code: 'InvalidSignatureException', status: 400 });
    expect(results['no_token']).toMatchObject({ code: 'UnrecognizedClientException', status: 400 });
    expect(results['wrong_token']).toMatchObject({ code: 'InvalidClientTokenId', status: 403 });
  });

  it('is refused AssumeRole by untrusted principals, without the ExternalId, and into suspended accounts', () => {
    for (const check of ['member_assumes_other', 'wrong_external_id', 'suspended'])
      expect(results[check], check).toMatchObject({ code: 'AccessDenied', status: 403 });
  });

  it('sees every malformed finding refused with InvalidInput, and the valid one imported', () => {
    const imported = results['import'] as unknown as { success: number; failed: Record<string, string> };
    expect(imported.success).toBe(1);
    expect(Object.keys(imported.failed).sort()).toEqual(
      [
        'schema',
        'blank_title',
        'numeric_title',
        'severe',
        'compliance_ok',
        'deleted',
        'bogus_workflow',
        'bad_date',
        'foo_type',
        'types_51',
        'no_resource_type',
        'resources_33',
        'moon',
        'fields_51',
      ].sort(),
    );
    expect(new Set(Object.values(imported.failed))).toEqual(new Set(['InvalidInput']));
  });

  it('sees AWS’s 400 validation errors, never a 500 or a clamped answer', () => {
    expect(results['unknown_comparison']).toMatchObject({ code: 'InvalidInputException', status: 400 });
    expect(results['kms_limit_1001']).toMatchObject({ code: 'ValidationException', status: 400 });
    expect(results['iam_max_items_0']).toMatchObject({ code: 'ValidationError', status: 400 });
    expect(results['orgs_max_results_21']).toMatchObject({ code: 'InvalidInputException', status: 400 });
  });

  it('sees every region of the partition with its opt-in status', () => {
    const regions = results['regions']!.result as Record<string, string>;
    expect(Object.keys(regions)).toHaveLength(34);
    expect(regions['us-east-1']).toBe('opt-in-not-required');
    expect(regions['af-south-1']).toBe('not-opted-in');
  });
});

describe.skipIf(clis.length === 0)('the AWS CLI (skipped when awscli is not installed)', () => {
  const aws = (cli: string, args: string[], credentials: { key: string; secret: string }) =>
    run(cli, [...args, '--endpoint-url', sim.endpoint, '--region', 'us-east-1', '--output', 'json'], {
      timeout: 60_000,
      env: cleanEnv({ AWS_ACCESS_KEY_ID: credentials.key, AWS_SECRET_ACCESS_KEY: credentials.secret }),
    });

  it.each(clis)(
    '%s: a wrong secret key is SignatureDoesNotMatch, the issued one works',
    async (cli) => {
      const hub = { key: sim.hubCredentials.accessKeyId, secret: sim.hubCredentials.secretAccessKey };
      const { stdout } = await aws(cli, ['sts', 'get-caller-identity'], hub);
      expect(JSON.parse(stdout)).toMatchObject({ Account: sim.state.managementAccountId });
      const failure = await aws(cli, ['sts', 'get-caller-identity'], {
        ...hub,
        secret: `${hub.secret}x`,
      }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).not.toBe(0);
      expect(failure?.stderr).toContain('SignatureDoesNotMatch');
    },
    90_000,
  );

  it.each(clis)(
    '%s: describe-regions --all-regions shows the opt-in statuses',
    async (cli) => {
      const hub = { key: sim.hubCredentials.accessKeyId, secret: sim.hubCredentials.secretAccessKey };
      const { stdout } = await aws(cli, ['ec2', 'describe-regions', '--all-regions'], hub);
      const statuses = new Set(
        (JSON.parse(stdout) as { Regions: { OptInStatus: string }[] }).Regions.map((r) => r.OptInStatus),
      );
      expect(statuses).toEqual(new Set(['opt-in-not-required', 'opted-in', 'not-opted-in']));
    },
    90_000,
  );
});
