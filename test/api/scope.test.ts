import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import type { RunningService } from '../../src/serve.js';
import { startService } from '../../src/serve.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { DEFAULT_EXTERNAL_ID } from '../../src/simulator/index.js';
import { waitFor } from '../helpers/wait.js';
import { startAws } from '../integration/harness.js';

const TOKEN = 'scope-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
let aws: RunningSimulator;
let running: RunningService;
let included: [string, string];
let excluded: string;

/** The scan record once the scan has left `running`; fails the test at the deadline. */
const finished = (id: string) =>
  waitFor(
    `scan ${id} to finish`,
    async () => {
      const body = (await running.app.inject({ url: `/v1/scans/${id}`, headers: auth })).json();
      return body.state !== 'running' && body;
    },
    { timeoutMs: 30_000 },
  );

const start = (payload: Record<string, unknown>) =>
  running.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload });

beforeAll(async () => {
  aws = await startAws({
    organization: { accounts: 3, regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] },
  });
  const [a, b, c] = [...aws.state.accounts.keys()];
  included = [a!, b!];
  excluded = c!;
  running = await startService({
    loaded: parseConfig({
      memberRole: { externalId: DEFAULT_EXTERNAL_ID },
      aws: { maxAttempts: 3, retryMode: 'standard', requestTimeoutMs: 5000 },
      accounts: { include: included, exclude: [excluded] },
      regions: { mode: 'list', list: ['us-east-1', 'eu-west-1'] },
      controls: { 'KMS.4': { enabled: false } },
      api: { tokens: [TOKEN], rateLimitPerMinute: 1000 },
      store: { dataDir: mkdtempSync(join(tmpdir(), 'kw-scope-')) },
    }),
    logger: silentLogger(),
  });
});
afterAll(async () => {
  await running.shutdown();
  await aws.stop();
});

describe('POST /v1/scans can only narrow the configured scope', () => {
  it('400 naming the accounts and regions outside it; nothing is scanned', async () => {
    const calls = aws.counters.total();
    const scans = (await running.app.inject({ url: '/v1/scans', headers: auth })).json().items.length;
    const response = await start({ accounts: [excluded, '999999999999'], regions: ['ap-southeast-2'] });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.outside).toEqual({
      accounts: [excluded, '999999999999'],
      regions: ['ap-southeast-2'],
      controls: [],
    });
    for (const id of [excluded, '999999999999', 'ap-southeast-2']) expect(body.message).toContain(id);
    // One id outside is enough.
    expect((await start({ accounts: [included[0], excluded] })).statusCode).toBe(400);
    expect((await start({ regions: ['us-east-1', 'ap-southeast-2'] })).statusCode).toBe(400);
    expect(aws.counters.total()).toBe(calls);
    expect((await running.app.inject({ url: '/v1/scans', headers: auth })).json().items).toHaveLength(scans);
  });

  it('400 for a control the configuration disables, instead of dropping it', async () => {
    const response = await start({ controls: ['KMS.3', 'KMS.4'] });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ outside: { accounts: [], regions: [], controls: ['KMS.4'] } });
    expect(response.json().message).toMatch(/KMS\.4 \(disabled in the configuration\)/);
  });

  it('202 for a narrower scope, which scans only that', async () => {
    const response = await start({ accounts: [included[1]], regions: ['eu-west-1'], controls: ['KMS.3'] });
    expect(response.statusCode).toBe(202);
    const scan = await finished(response.json().id);
    expect(scan.state).toBe('completed');
    expect(scan.units.map((u: { unitId: string }) => u.unitId)).toEqual([`${included[1]}/eu-west-1`]);
  });

  it('a scheduled scan (no scope) covers exactly the configured scope', async () => {
    const started = await running.service.start({}, 'schedule');
    if (!started.started) throw new Error('a scan with the same scope is running');
    const scan = await finished(started.scan.id);
    expect(scan.state).toBe('completed');
    const units = (scan.units as { unitId: string; controls: string[] }[]).map((u) => u.unitId).sort();
    expect(units).toEqual(
      included.flatMap((a) => [`${a}/eu-west-1`, `${a}/us-east-1`]).sort((x, y) => x.localeCompare(y)),
    );
    expect(scan.summary.findings['KMS.4']).toBeUndefined();
  });
});
