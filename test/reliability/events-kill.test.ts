/**
 * Issue 15: killing `serve` mid-burst loses no change. `keywarden serve` runs as a child process (the CLI,
 * as kill-restart.test.ts runs `scan`) on a SQLite store and the simulator's event queue; a burst of 20
 * changes on 8 resources (most flipped more than once) is made through the member account's
 * OrganizationAccountAccessRole; serve is SIGKILLed while evaluations are in flight, the rest of the burst
 * happens while it is down, and a new serve takes over. Every resource's finding ends as its final state
 * says (expected from what the test did and SEMANTICS.md), newer than its last change, and no finding's
 * UpdatedAt ever went backwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  GetKeyPolicyCommand,
  KMSClient,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import { BatchImportFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { ADMIN_ROLE, DEFAULT_EXTERNAL_ID } from '../../src/simulator/index.js';
import { freePort } from '../helpers/free-port.js';
import { waitFor, within } from '../helpers/wait.js';
import { startAws, type Stored } from '../integration/harness.js';

const root = new URL('../../', import.meta.url).pathname;
const TOKEN = 'events-kill-token-0123456789';
const HOME = 'us-east-1';
const KEY_REGION = 'eu-west-1';
const DECRYPT_ON_ALL_KEYS = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }],
});
const OPEN_TO_EVERYONE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }],
});
const WAIT = { timeoutMs: 30_000 };

let aws: RunningSimulator | undefined;
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await aws?.stop();
});

/** A resource of the burst: the finding that shows its state, and the changes made to it, in order. */
interface Resource {
  name: string;
  region: string;
  control: string;
  arn: string;
  changes: { apply: () => Promise<unknown>; failing: boolean }[];
  /** When its last change returned (its finding must be newer). */
  lastChangeAt?: number;
}
const finalStatus = (r: Resource) => (r.changes.at(-1)!.failing ? 'FAILED' : 'PASSED');

describe('serve killed mid-burst of change events, then started again', () => {
  it('reflects every change, and no finding goes back in time', async () => {
    const sim = (aws = await startAws({
      organization: { accounts: 2, regions: [HOME, KEY_REGION], seed: 21 },
    }));
    sim.faults.throttling = false;
    const hub = sim.state.managementAccountId;
    const member = [...sim.state.accounts.keys()].find((id) => id !== hub)!;

    // The user's session in the member account.
    const sts = new STSClient({ region: HOME, credentials: sim.hubCredentials, maxAttempts: 1 });
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/${ADMIN_ROLE}`, RoleSessionName: 'bob' }),
    );
    sts.destroy();
    const credentials = {
      accessKeyId: c!.AccessKeyId!,
      secretAccessKey: c!.SecretAccessKey!,
      sessionToken: c!.SessionToken!,
    };
    const iam = new IAMClient({ region: HOME, credentials, maxAttempts: 1 });
    const kms = new KMSClient({ region: KEY_REGION, credentials, maxAttempts: 1 });
    const securityHub = new SecurityHubClient({ region: KEY_REGION, credentials, maxAttempts: 1 });

    // The resources exist before the queue does: their creation sends no event.
    const keyArn = (id: string) => `arn:aws:kms:${KEY_REGION}:${member}:key/${id}`;
    const newKey = async () => (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const rotation = async (flips: boolean[]): Promise<Resource> => {
      const id = await newKey();
      return {
        name: `rotation ${id}`,
        region: KEY_REGION,
        control: 'KMS.4',
        arn: keyArn(id),
        // true: enable rotation (PASSED); false: disable it (FAILED).
        changes: flips.map((enable) => ({
          apply: () =>
            kms.send(
              enable
                ? new EnableKeyRotationCommand({ KeyId: id })
                : new DisableKeyRotationCommand({ KeyId: id }),
            ),
          failing: !enable,
        })),
      };
    };
    const keyPolicy = async (opens: boolean[]): Promise<Resource> => {
      const id = await newKey();
      const original = (await kms.send(new GetKeyPolicyCommand({ KeyId: id, PolicyName: 'default' })))
        .Policy!;
      return {
        name: `policy ${id}`,
        region: KEY_REGION,
        control: 'KMS.5',
        arn: keyArn(id),
        changes: opens.map((open) => ({
          apply: () =>
            kms.send(
              new PutKeyPolicyCommand({
                KeyId: id,
                PolicyName: 'default',
                Policy: open ? OPEN_TO_EVERYONE : original,
              }),
            ),
          failing: open,
        })),
      };
    };
    const roles = sim.state.account(member)!.identities.filter((i) => i.kind === 'role');
    const inline = async (index: number, attach: boolean[]): Promise<Resource> => {
      const role = roles[index]!;
      // Only a harmless inline policy stays, so the role has a finding whatever the burst leaves.
      for (const p of [...role.inlinePolicies])
        await iam.send(new DeleteRolePolicyCommand({ RoleName: role.name, PolicyName: p.name }));
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: role.name,
          PolicyName: 'harmless',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn('0000') }],
          }),
        }),
      );
      return {
        name: `role ${role.name}`,
        region: HOME,
        control: 'KMS.2',
        arn: `arn:aws:iam::${member}:role${role.path}${role.name}`,
        changes: attach.map((put) => ({
          apply: () =>
            put
              ? iam.send(
                  new PutRolePolicyCommand({
                    RoleName: role.name,
                    PolicyName: 'decrypt-everything',
                    PolicyDocument: DECRYPT_ON_ALL_KEYS,
                  }),
                )
              : iam.send(
                  new DeleteRolePolicyCommand({ RoleName: role.name, PolicyName: 'decrypt-everything' }),
                ),
          failing: put,
        })),
      };
    };
    const resources = [
      await rotation([true, false, true]),
      await rotation([true]),
      await rotation([true, false]),
      await rotation([true, false, true, false]),
      await keyPolicy([true, false]),
      await keyPolicy([true, false, true]),
      await inline(0, [true, false, true]),
      await inline(1, [true, false]),
    ];
    // Round-robin: a resource's changes are spread over the burst, between the others'.
    const burst: { resource: Resource; apply: () => Promise<unknown> }[] = [];
    for (let i = 0; burst.length < 20; i++)
      for (const resource of resources) {
        const change = resource.changes[i];
        if (change) burst.push({ resource, apply: change.apply });
      }
    expect(burst).toHaveLength(20);
    const change = async (step: (typeof burst)[number]) => {
      await step.apply();
      step.resource.lastChangeAt = Date.now();
    };

    const { queueUrl } = sim.events.createQueues(hub, HOME, {
      visibilityTimeoutSeconds: 3,
      maxReceiveCount: 10,
    });
    const dataDir = mkdtempSync(join(tmpdir(), 'kw-events-kill-'));
    const port = await freePort();
    const configFile = join(dataDir, 'keywarden.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        memberRole: { externalId: DEFAULT_EXTERNAL_ID },
        regions: { mode: 'list', list: [HOME, KEY_REGION] },
        aws: { maxAttempts: 3, retryMode: 'standard', requestTimeoutMs: 5000 },
        api: { host: '127.0.0.1', port, tokens: [TOKEN] },
        store: { dataDir },
        concurrency: { policyWorkers: 0 },
        events: { queueUrl, coalesceMs: 200, waitTimeSeconds: 1, concurrency: 4 },
        logLevel: 'warn',
      }),
    );
    let output = '';
    const serve = () => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--config', configFile],
        {
          cwd: root,
          env: process.env,
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      children.push(child);
      return { child, exited: new Promise((resolve) => child.once('exit', resolve)) };
    };
    interface Status {
      state: string;
      held: number;
      pending: number;
      inFlight: number;
      counters: { evaluated: number };
    }
    const status = async (): Promise<Status> => {
      const res = await fetch(`http://127.0.0.1:${port}/v1/events/status`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      return (await res.json()) as Status;
    };
    const consuming = () =>
      waitFor('serve to consume the queue', async () => (await status()).state === 'running', WAIT).catch(
        (error: unknown) => {
          throw new Error(`${(error as Error).message}; serve said: ${output.slice(-2000)}`);
        },
      );
    const findingOf = (r: Resource): Stored | undefined =>
      [...sim.state.hub(member, r.region).findings.values()]
        .map((f) => f as unknown as Stored)
        .find((f) => f.Compliance?.SecurityControlId === r.control && f.Resources[0]?.Id === r.arn);

    // Every import the simulator keeps, as it keeps it: UpdatedAt per finding must never go down.
    const seen = new Map<string, string>();
    const regressions: string[] = [];
    const observe = () => {
      for (const r of resources) {
        const f = findingOf(r);
        if (f === undefined) continue;
        const before = seen.get(f.Id);
        if (before !== undefined && Date.parse(f.UpdatedAt) < Date.parse(before))
          regressions.push(`${r.name}: ${before} -> ${f.UpdatedAt}`);
        seen.set(f.Id, f.UpdatedAt);
      }
    };

    const first = serve();
    await consuming();
    // Each evaluation takes a while: the kill finds some in flight.
    sim.faults.latencyMs = 60;
    for (const step of burst.slice(0, 12)) await change(step);
    await waitFor(
      'evaluations in flight after one has completed',
      async () => {
        observe();
        const s = await status();
        return s.inFlight > 0 && s.counters.evaluated >= 1;
      },
      WAIT,
    );
    first.child.kill('SIGKILL');
    await within('the killed serve to exit', first.exited, 10_000);
    // Requests already on the wire still land (as they would in AWS).
    await waitFor('the in-flight requests to land', () => sim.counters.inFlight() === 0, WAIT);
    observe();
    const notYet = resources.filter((r) => findingOf(r)?.Compliance?.Status !== finalStatus(r));
    expect(notYet.length).toBeGreaterThan(0);

    // The rest of the burst happens while serve is down; a new one takes over.
    for (const step of burst.slice(12)) await change(step);
    sim.faults.latencyMs = 0;
    const second = serve();
    await consuming();
    await waitFor(
      'every finding to show the final state of its resource, and the queue to be empty',
      async () => {
        observe();
        const q = sim.sqs.counts(hub, HOME, 'keywarden-events');
        const s = await status();
        const done = resources.every((r) => {
          const f = findingOf(r);
          return f?.RecordState === 'ACTIVE' && f.Compliance?.Status === finalStatus(r);
        });
        return done && q.visible + q.inFlight + q.delayed === 0 && s.held + s.pending + s.inFlight === 0;
      },
      WAIT,
    ).catch((error: unknown) => {
      const now = resources.map(
        (r) => `${r.name}: ${findingOf(r)?.Compliance?.Status} want ${finalStatus(r)}`,
      );
      throw new Error(`${(error as Error).message}\n${now.join('\n')}\n${output.slice(-2000)}`);
    });
    observe();
    expect(regressions).toEqual([]);
    expect(sim.sqs.counts(hub, HOME, 'keywarden-events-dlq').visible).toBe(0);
    for (const r of resources) {
      const f = findingOf(r)!;
      // Imported after the resource's last change, so read after it: not a stale verdict.
      expect(Date.parse(f.UpdatedAt), r.name).toBeGreaterThanOrEqual(r.lastChangeAt!);
    }

    // Security Hub (and so the simulator) ignores an import whose UpdatedAt is not newer: a late import
    // of an older verdict cannot undo a newer one.
    const target = resources.find((r) => r.region === KEY_REGION && finalStatus(r) === 'PASSED')!;
    const kept = structuredClone(findingOf(target)!) as unknown as Record<string, unknown> & Stored;
    const stale = {
      ...kept,
      UpdatedAt: new Date(Date.parse(kept.UpdatedAt) - 1000).toISOString(),
      Compliance: { ...kept.Compliance, Status: 'FAILED' },
    };
    const answer = await securityHub.send(new BatchImportFindingsCommand({ Findings: [stale as never] }));
    expect(answer.FailedCount).toBe(0);
    expect(findingOf(target)!.Compliance?.Status).toBe('PASSED');
    expect(findingOf(target)!.UpdatedAt).toBe(kept.UpdatedAt);

    second.child.kill('SIGTERM');
    await within('serve to stop on SIGTERM', second.exited, 20_000);
    for (const client of [iam, kms, securityHub]) client.destroy();
  }, 120_000);
});
