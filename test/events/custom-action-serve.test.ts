/**
 * `serve` with events.customAction: at start-up, keywarden's custom action "Re-check (keywarden)" exists in
 * each configured region of the security account (the simulator's hub account), read back with the real
 * @aws-sdk/client-securityhub; a region where Security Hub is not enabled logs one warning and the rest
 * goes on; GET /v1/events/status shows the ARNs by region. The expected regions come from the test's
 * configuration and the simulated organization, not from keywarden's code.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeActionTargetsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { createLogger, type Logger, silentLogger } from '../../src/log/index.js';
import type { TargetRunner } from '../../src/scan/target-runner.js';
import type { RunningService } from '../../src/serve.js';
import { startService } from '../../src/serve.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { DEFAULT_EXTERNAL_ID, regionsOutside } from '../../src/simulator/index.js';
import { startAws } from '../integration/harness.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = 'custom-action-test-token-0123456789';
const HOME = 'us-east-1';
const REGIONS = ['us-east-1', 'eu-west-1'];
const ACTION_ID = 'KeywardenRecheck';

let aws: RunningSimulator;
let hub: string;
let queueUrl: string;
const services: RunningService[] = [];
const hubs: SecurityHubClient[] = [];

const idle: TargetRunner = {
  run: () => Promise.reject(new Error('no event is sent in these tests')),
  destroy: () => undefined,
};

beforeAll(async () => {
  aws = await startAws({ organization: { accounts: 2, regions: REGIONS } });
  aws.faults.throttling = false;
  hub = aws.state.managementAccountId;
  ({ queueUrl } = aws.events.createQueues(hub, HOME));
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.shutdown()));
  aws.faults.hubDisabled.clear();
  aws.faults.failingOperations.clear();
});
afterAll(async () => {
  for (const client of hubs) client.destroy();
  await aws.stop();
});

async function serve(
  config: Record<string, unknown>,
  events: Record<string, unknown> = {},
  logger: Logger = silentLogger(),
): Promise<RunningService> {
  const running = await startService({
    loaded: parseConfig({
      memberRole: { externalId: DEFAULT_EXTERNAL_ID },
      aws: { maxAttempts: 1, retryMode: 'standard', requestTimeoutMs: 5000 },
      api: { tokens: [TOKEN], rateLimitPerMinute: 100_000 },
      store: { dataDir: mkdtempSync(join(tmpdir(), 'kw-action-')) },
      shutdownGraceSeconds: 5,
      events: { queueUrl, coalesceMs: 100, waitTimeSeconds: 1, ...events },
      ...config,
    }),
    logger,
    targetRunner: idle,
  });
  services.push(running);
  return running;
}

interface ActionStatus {
  state: string;
  actionTargets: Record<string, string>;
  failed: Record<string, string>;
}
async function customAction(running: RunningService): Promise<ActionStatus | undefined> {
  const res = await running.app.inject({
    method: 'GET',
    url: '/v1/events/status',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.statusCode).toBe(200);
  return res.json<{ customAction?: ActionStatus }>().customAction;
}
const settled = (running: RunningService) =>
  waitFor('the custom action set-up to finish', async () => {
    const status = await customAction(running);
    return status?.state === 'done' && status;
  });

/** The security account's custom actions in `region`, as Security Hub lists them. */
async function actionsIn(region: string): Promise<string[]> {
  const client = new SecurityHubClient({ region, credentials: aws.hubCredentials, maxAttempts: 1 });
  hubs.push(client);
  const { ActionTargets = [] } = await client.send(new DescribeActionTargetsCommand({}));
  return ActionTargets.map((t) => t.ActionTargetArn!);
}
const arnIn = (region: string) => `arn:aws:securityhub:${region}:${hub}:action/custom/${ACTION_ID}`;

describe('serve creates the Security Hub custom action', () => {
  it('in each listed region, once: a second start finds it; the status shows the ARNs by region', async () => {
    const config = { regions: { mode: 'list', list: REGIONS } };
    const first = await serve(config);
    const status = await settled(first);
    expect(status).toEqual({
      state: 'done',
      actionTargets: { 'us-east-1': arnIn('us-east-1'), 'eu-west-1': arnIn('eu-west-1') },
      failed: {},
    });
    for (const region of REGIONS) expect(await actionsIn(region)).toEqual([arnIn(region)]);
    await services.pop()!.shutdown();

    const creates = aws.counters.byOperation.get('securityhub:CreateActionTarget') ?? 0;
    const second = await serve(config);
    expect((await settled(second)).actionTargets).toEqual(status.actionTargets);
    // Found, not created again.
    expect(aws.counters.byOperation.get('securityhub:CreateActionTarget') ?? 0).toBe(creates);
    for (const region of REGIONS) expect(await actionsIn(region)).toEqual([arnIn(region)]);
  });

  it("with regions.mode enabled: the security account's enabled regions minus the excluded ones", async () => {
    // The simulated organization's regions are what is left once every other region is excluded.
    const running = await serve({ regions: { mode: 'enabled', exclude: regionsOutside(REGIONS) } });
    const status = await settled(running);
    expect(Object.keys(status.actionTargets).sort()).toEqual([...REGIONS].sort());
    expect(status.failed).toEqual({});
  });

  it('a region without Security Hub: one warning naming it, the other regions get the action, start-up goes on', async () => {
    aws.faults.hubDisabled.add(`${hub}/eu-west-1`);
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: 'info',
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    const running = await serve(
      { regions: { mode: 'list', list: [...REGIONS, 'ap-southeast-2'] } },
      {},
      logger,
    );
    const status = await settled(running);
    expect(status.actionTargets).toEqual({
      'us-east-1': arnIn('us-east-1'),
      'ap-southeast-2': arnIn('ap-southeast-2'),
    });
    expect(Object.keys(status.failed)).toEqual(['eu-west-1']);
    expect(status.failed['eu-west-1']).toMatch(/InvalidAccessException/);
    const warnings = lines.filter((l) => l['level'] === 'warn' && l['region'] === 'eu-west-1');
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain(aws.hubCredentials.secretAccessKey);
    // The service runs: the API answers and the consumer polls.
    const health = await running.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
  });

  it('the enabled regions cannot be listed: one warning, no action, start-up goes on', async () => {
    aws.faults.failingOperations.add('ec2:DescribeRegions');
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: 'info',
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    const creates = aws.counters.byOperation.get('securityhub:CreateActionTarget') ?? 0;
    const running = await serve({ regions: { mode: 'enabled' } }, {}, logger);
    const status = await settled(running);
    expect(status.actionTargets).toEqual({});
    expect(Object.keys(status.failed)).toEqual(['*']);
    expect(lines.filter((l) => l['level'] === 'warn' && /custom action/.test(String(l['msg'])))).toHaveLength(
      1,
    );
    expect(aws.counters.byOperation.get('securityhub:CreateActionTarget') ?? 0).toBe(creates);
    expect((await running.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('events.customAction false: no action is created and the status has no customAction', async () => {
    const before = aws.counters.byOperation.get('securityhub:CreateActionTarget') ?? 0;
    const describes = aws.counters.byOperation.get('securityhub:DescribeActionTargets') ?? 0;
    const running = await serve({ regions: { mode: 'list', list: REGIONS } }, { customAction: false });
    expect(await customAction(running)).toBeUndefined();
    await services.pop()!.shutdown();
    expect(aws.counters.byOperation.get('securityhub:CreateActionTarget') ?? 0).toBe(before);
    expect(aws.counters.byOperation.get('securityhub:DescribeActionTargets') ?? 0).toBe(describes);
  });
});
