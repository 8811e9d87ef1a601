import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { DEFAULT_EXTERNAL_ID, startSimulator } from '../../src/simulator/index.js';

const root = new URL('../../', import.meta.url).pathname;
let aws: RunningSimulator;
let env: NodeJS.ProcessEnv;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: root, env },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  aws = await startSimulator({ organization: { accounts: 3, regions: ['us-east-1'] } });
  env = {
    ...process.env,
    AWS_ENDPOINT_URL: aws.endpoint,
    AWS_ACCESS_KEY_ID: aws.hubCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.hubCredentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    KEYWARDEN_EXTERNAL_ID: DEFAULT_EXTERNAL_ID,
  };
});
afterAll(async () => aws.stop());

describe('keywarden scan', () => {
  it('--dry-run writes the ASFF findings, imports nothing and exits 0', async () => {
    const output = join(mkdtempSync(join(tmpdir(), 'kw-scan-')), 'findings.json');
    const result = await cli(['scan', '--dry-run', '--output', output, '--controls', 'KMS.3,KMS.4']);
    expect(result.code).toBe(0);
    const findings = JSON.parse(readFileSync(output, 'utf8')) as {
      GeneratorId: string;
      Compliance: { Status: string };
    }[];
    const expected = aws.expected.filter((e) => e.controlId === 'KMS.3' || e.controlId === 'KMS.4');
    expect(findings).toHaveLength(expected.length);
    expect(new Set(findings.map((f) => f.GeneratorId))).toEqual(
      new Set(['keywarden/KMS.3', 'keywarden/KMS.4']),
    );
    expect(aws.counters.byOperation.get('securityhub:BatchImportFindings') ?? 0).toBe(0);
    expect(result.stdout).toMatch(/dry run: nothing imported/);
  });

  it('exits 1 when units failed, with the reason in the summary', async () => {
    aws.faults.deniedAccounts.add([...aws.state.accounts.keys()][2]!);
    const result = await cli(['scan', '--json']);
    aws.faults.deniedAccounts.clear();
    expect(result.code).toBe(1);
    const body = JSON.parse(result.stdout) as {
      summary: { state: string; units: { failed: number } };
      units: { errors: { code: string }[] }[];
    };
    expect(body.summary).toMatchObject({ state: 'completed_with_errors', units: { failed: 1 } });
    expect(body.units[0]!.errors[0]!.code).toBe('AccessDenied');
  });

  it('exits 2 for bad usage or configuration', async () => {
    expect((await cli(['scan', '--regions', 'xx-nowhere-1'])).code).toBe(2);
    expect((await cli(['scan', '--controls', 'KMS.9'])).stderr).toMatch(
      /unknown control \(known: [^)]*\): "KMS\.9"/,
    );
    expect((await cli(['scan', '--accounts', '12'])).code).toBe(2);
    expect((await cli(['scan', '--config', '/nonexistent.yaml'])).code).toBe(2);
  });
});

describe('keywarden simulate', () => {
  it('runs in the foreground, prints its endpoint and serves the real SDK until SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'simulate', '--port', '0', '--accounts', '2'],
      { cwd: root },
    );
    let output = '';
    const endpoint = await new Promise<string>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /AWS_ENDPOINT_URL=(\S+)/.exec(output);
        if (match) resolve(match[1]!);
      });
    });
    const key = /AWS_ACCESS_KEY_ID=(\S+)/.exec(output)![1]!;
    const secret = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(output)![1]!;
    const sts = new STSClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: key, secretAccessKey: secret },
    });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toMatch(/^\d{12}$/);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('rejects bad options with exit code 2', async () => {
    expect((await cli(['simulate', '--regions', 'nowhere'])).code).toBe(2);
    expect((await cli(['simulate', '--faults', '{"colour":1}'])).code).toBe(2);
  });
});
