/**
 * A scan of an account holding 50 adversarial policies (real SDK clients, simulator over HTTP, the
 * service's own API): policy analysis runs in the worker pool, so the event loop stays responsive.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAdversarialCorpus } from '../../bench/adversarial.js';
import { parseConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import type { RunningService } from '../../src/serve.js';
import { startService } from '../../src/serve.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { DEFAULT_EXTERNAL_ID } from '../../src/simulator/index.js';
import { waitFor } from '../helpers/wait.js';
import { startAws, storedFindings } from '../integration/harness.js';

const TOKEN = 'test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };
let aws: RunningSimulator;
let running: RunningService;
let base: string;
let hostileAccount: string;
let plainAccount: string;
/** Policy name -> the compliance status its construction implies. */
const expected = new Map<string, string>();
const TRIVIAL = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }],
};

function policy(name: string, document: Record<string, unknown>) {
  return {
    name,
    policyId: `ANPA${name.replace(/\W/g, '').toUpperCase()}`,
    path: '/',
    attachmentCount: 1,
    permissionsBoundaryUsageCount: 0,
    versions: [{ versionId: 'v1', isDefault: true, document, createDate: '2026-12-01T00:00:00Z' }],
    createDate: '2026-12-01T00:00:00Z',
  };
}

beforeAll(async () => {
  aws = await startAws({ organization: { accounts: 2, regions: ['us-east-1'] } });
  const [hostile, plain] = [...aws.state.accounts.values()].filter((a) => a.status === 'ACTIVE');
  hostileAccount = hostile!.id;
  plainAccount = plain!.id;
  // The simulator's own state API: 50 hostile customer managed policies in one account, and 50
  // trivial ones of the same count in the other (the baseline: what any scan costs the event loop).
  for (const item of generateAdversarialCorpus(20261203, 50)) {
    const name = `Hostile-${item.id}`;
    const all = Object.values(item.expected).some((e) => e.coverage === 'ALL');
    expected.set(name, all ? 'FAILED' : 'PASSED');
    hostile!.policies.push(policy(name, item.document));
    plain!.policies.push(policy(`Plain-${item.id}`, TRIVIAL));
  }
  running = await service({});
  base = await running.app.listen({ port: 0, host: '127.0.0.1' });
});

function service(concurrency: Record<string, unknown>): Promise<RunningService> {
  return startService({
    loaded: parseConfig({
      memberRole: { externalId: DEFAULT_EXTERNAL_ID },
      aws: { maxAttempts: 3, retryMode: 'standard', requestTimeoutMs: 5000 },
      api: { tokens: [TOKEN], rateLimitPerMinute: 10_000, bodyLimitBytes: 2048 },
      store: { dataDir: mkdtempSync(join(tmpdir(), 'kw-loop-')) },
      shutdownGraceSeconds: 5,
      concurrency,
    }),
    logger: silentLogger(),
  });
}

afterAll(async () => {
  await running.shutdown();
  await aws.stop();
});

const DONE = ['completed', 'completed_with_errors', 'cancelled', 'failed'];

const finished = (id: string): Promise<string> =>
  waitFor(
    `scan ${id} to finish`,
    async () => {
      const scan = await fetch(`${base}/v1/scans/${id}`, { headers: auth });
      const { state } = (await scan.json()) as { state: string };
      return DONE.includes(state) && state;
    },
    { timeoutMs: 120_000, intervalMs: 50 },
  );

async function start(payload: Record<string, unknown>, on = running): Promise<string> {
  const response = await on.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload });
  expect(response.statusCode).toBe(202);
  return (response.json() as { id: string }).id;
}

/** Runs a KMS.1 scan of one account, probing /healthz meanwhile: event-loop delay p99 and slowest probe. */
async function measuredScan(
  accountId: string,
  on = running,
  url = base,
): Promise<{ p99: number; max: number; slowest: number; probes: number }> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const id = await start({ controls: ['KMS.1'], accounts: [accountId] }, on);
  const healthz: number[] = [];
  let state = '';
  const deadline = Date.now() + 120_000;
  while (!DONE.includes(state)) {
    if (Date.now() > deadline) throw new Error(`scan ${id} did not finish within 120 s (state ${state})`);
    const t0 = performance.now();
    const response = await fetch(`${url}/healthz`);
    healthz.push(performance.now() - t0);
    expect(response.status).toBe(200);
    const scan = await fetch(`${url}/v1/scans/${id}`, { headers: auth });
    state = ((await scan.json()) as { state: string }).state;
    // Not synchronisation: the probe interval of the measurement (the loop ends on the scan's state, and
    // fails at its deadline above).
    await new Promise((resolve) => setTimeout(resolve, 20)); // eslint-disable-line no-restricted-syntax
  }
  delay.disable();
  expect(state).toBe('completed');
  return {
    p99: delay.percentile(99) / 1e6,
    max: delay.max / 1e6,
    slowest: Math.max(...healthz),
    probes: healthz.length,
  };
}

describe('a scan of 50 adversarial policies', () => {
  it('keeps event-loop delay p99 under 50 ms and /healthz under 100 ms (on a CPU-starved machine: far below in-loop analysis), and decides every policy', async () => {
    // Not measured: the first request loads the HTTP client, and a first scan (KMS.2: the generated
    // organization's inline policies, not the hostile ones) loads the SDK and starts the worker pool.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await finished(await start({ controls: ['KMS.2'] }));

    const plain = await measuredScan(plainAccount);
    const hostile = await measuredScan(hostileAccount);
    expect(hostile.probes).toBeGreaterThanOrEqual(3);
    // The same scan with the analysis in the event loop (policyWorkers: 0): what the pool prevents.
    const inLoop = await service({ policyWorkers: 0 });
    const inLoopBase = await inLoop.app.listen({ port: 0, host: '127.0.0.1' });
    const blocking = await measuredScan(hostileAccount, inLoop, inLoopBase);
    await inLoop.shutdown();
    const figures = JSON.stringify({ plain, hostile, blocking });
    // The targets (p99 < 50 ms, /healthz < 100 ms). A machine starved of CPU by other work misses
    // them even for trivial policies; there the pool must still keep the delay a small fraction of what
    // analysing in the event loop costs.
    expect(hostile.p99 < 50 || hostile.p99 * 4 < blocking.max, figures).toBe(true);
    expect(hostile.slowest < 100 || hostile.slowest * 2 < blocking.max, figures).toBe(true);
    console.log(`event-loop delay during the scan: ${figures}`);

    // Every hostile policy got the verdict its construction implies (none left NOT_AVAILABLE).
    const byName = new Map<string, string | undefined>();
    for (const { finding } of storedFindings(aws)) {
      const name = finding.Resources[0]!.Id.split('/').pop()!;
      if (expected.has(name)) byName.set(name, finding.Compliance?.Status);
    }
    expect(Object.fromEntries(byName)).toEqual(Object.fromEntries(expected));
  });
});
