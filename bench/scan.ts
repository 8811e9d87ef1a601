/**
 * `npm run bench -- scan`: a whole scan against the simulator (in its own process, so the RSS measured
 * here is the scanner's) with 20 ms latency per call and AWS's real quotas. Prints wall time, API calls
 * by operation, calls per evaluated resource, peak RSS, and the ratio of wall time to a lower bound.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { executeScan } from '../src/compose.js';
import { parseConfig } from '../src/config/index.js';
import { DEFAULT_EXTERNAL_ID, DEFAULT_HUB_CREDENTIALS } from '../src/simulator/index.js';

export const LATENCY_MS = Number(process.env['BENCH_LATENCY_MS'] ?? 20);
export const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-west-2'];
// keywarden's default concurrency (config: concurrency.units, concurrency.perAccount).
const CONCURRENCY = { units: Number(process.env['BENCH_UNITS'] ?? 16), perAccount: 4 };
const KEY_CONCURRENCY = 8; // keys in flight per unit: DescribeKey, then its details (src/collect/kms.ts)

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startSimulatorProcess(
  accounts: number,
): Promise<{ endpoint: string; child: ChildProcess }> {
  const port = await freePort();
  // The benchmark runs compiled (npm run bench builds it); the simulator is the compiled CLI beside it.
  const root = new URL('../', import.meta.url).pathname;
  const cli = new URL('../src/cli/main.js', import.meta.url).pathname;
  const child = spawn(
    process.execPath,
    [
      cli,
      'simulate',
      '--port',
      String(port),
      '--accounts',
      String(accounts),
      '--regions',
      REGIONS.join(','),
      '--keys-per-region',
      '20',
      '--policies-per-account',
      '30',
      '--latency-ms',
      String(LATENCY_MS),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return { endpoint: `http://127.0.0.1:${port}`, child };
}

interface Run {
  accounts: number;
  wallMs: number;
  /** CPU time of the scanner process (user + system). */
  cpuMs: number;
  peakRssMb: number;
  units: number;
  resources: number;
  /** Customer managed keys KMS.5 decided: one GetKeyPolicy each is the floor. */
  keyPolicyFloor: number;
  calls: Record<string, number>;
  throttled: number;
  state: string;
}

async function run(accounts: number): Promise<Run> {
  const { endpoint, child } = await startSimulatorProcess(accounts);
  process.env['AWS_ENDPOINT_URL'] = endpoint;
  process.env['AWS_ACCESS_KEY_ID'] = DEFAULT_HUB_CREDENTIALS.accessKeyId;
  process.env['AWS_SECRET_ACCESS_KEY'] = DEFAULT_HUB_CREDENTIALS.secretAccessKey;
  process.env['AWS_REGION'] = 'us-east-1';
  const loaded = parseConfig(
    {
      memberRole: { externalId: DEFAULT_EXTERNAL_ID },
      concurrency: CONCURRENCY,
      aws: { retryMode: process.env['BENCH_RETRY_MODE'] === 'standard' ? 'standard' : 'adaptive' },
    },
    'bench',
  );
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  console.log(
    `  RSS before the scan ${(baseline / 1024 / 1024).toFixed(0)} MB (heap limit ${process.execArgv.find((a) => a.includes('max-old-space')) ?? 'default'})`,
  );
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let plannedAt = 0;
  const durations: number[] = [];
  const result = await executeScan(loaded, {
    scanId: randomUUID(),
    onProgress: (event) => {
      if (event.type === 'planned') plannedAt = performance.now() - started;
      if (event.type === 'unit-finished') durations.push(event.outcome.durationMs);
    },
  });
  const wallMs = performance.now() - started;
  // What the scan keeps after a full collection: flat if memory follows concurrency, not the org.
  global.gc?.();
  const retained = process.memoryUsage();
  console.log(
    `  after the scan and a full GC: heap used ${(retained.heapUsed / 1024 / 1024).toFixed(0)} MB, RSS ${(retained.rss / 1024 / 1024).toFixed(0)} MB`,
  );
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  durations.sort((a, b) => a - b);
  const at = (q: number) => durations[Math.min(durations.length - 1, Math.floor(q * durations.length))] ?? 0;
  console.log(
    `  planned after ${(plannedAt / 1000).toFixed(2)} s; unit time p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${at(1)} ms`,
  );
  for (const unit of result.units.filter((u) => u.errors.length > 0).slice(0, 3))
    console.log(`  ${unit.unitId}: ${JSON.stringify(unit.errors).slice(0, 300)}`);
  clearInterval(sampler);
  child.kill('SIGTERM');
  const calls: Record<string, number> = {};
  let throttled = 0;
  for (const [operation, count] of Object.entries(result.summary.apiCalls)) {
    calls[operation] = count.calls;
    throttled += count.throttled;
  }
  const resources = Object.values(result.summary.findings).reduce(
    (n, c) => n + c.PASSED + c.FAILED + c.NOT_AVAILABLE,
    0,
  );
  // KMS.5 decides every customer managed key: its resource count is the GetKeyPolicy floor.
  const kms5 = Object.entries(result.summary.findings)
    .filter(([control]) => control === 'KMS.5')
    .reduce((n, [, c]) => n + c.PASSED + c.FAILED + c.NOT_AVAILABLE, 0);
  return {
    accounts,
    wallMs,
    cpuMs,
    peakRssMb: peak / 1024 / 1024,
    units: result.summary.units.planned,
    resources,
    keyPolicyFloor: kms5,
    calls,
    throttled,
    state: result.summary.state,
  };
}

/**
 * The lower bound at this latency and concurrency: accounts are prepared (AssumeRole, DescribeRegions)
 * in waves of `units`; then every unit is a chain of calls -- the home-region unit is the longest:
 * GetAccountAuthorizationDetails, ListKeys, ceil(20 keys / 8) waves of DescribeKey (+1 each for the rotation
 * status and the key policy that follow the last wave), DescribeHub, GetFindings, BatchImportFindings --
 * and units run `units` at a time.
 */
function lowerBoundMs(accounts: number, units: number): number {
  const prepare = Math.ceil(accounts / CONCURRENCY.units) * 2;
  const unitChain = 1 + 1 + Math.ceil(20 / KEY_CONCURRENCY) + 2 + 3;
  const waves = Math.ceil(units / CONCURRENCY.units);
  return (1 /* ListAccounts */ + prepare + waves * unitChain) * LATENCY_MS;
}

export async function runScanBench(): Promise<void> {
  // Each organization size runs in a fresh process, so peak RSS compares like with like.
  if (process.env['BENCH_ACCOUNTS'] === undefined) {
    for (const accounts of [50, 200]) {
      const run = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, 'scan'], {
        env: { ...process.env, BENCH_ACCOUNTS: String(accounts) },
        stdio: 'inherit',
      });
      if (run.status !== 0) throw new Error(`benchmark of ${accounts} accounts failed`);
    }
    return;
  }
  console.log(
    `scan benchmark: ${REGIONS.length} regions, 20 keys per region, 30 policies per account, ${LATENCY_MS} ms per call, real quotas, concurrency ${JSON.stringify(CONCURRENCY)}`,
  );
  const results: Run[] = [];
  for (const accounts of (process.env['BENCH_ACCOUNTS'] ?? '50,200').split(',').map(Number)) {
    const r = await run(accounts);
    results.push(r);
    const bound = lowerBoundMs(accounts, r.units);
    const total = Object.values(r.calls).reduce((a, b) => a + b, 0);
    const iamEntities = accounts * (30 + 8);
    console.log(`\n${accounts} accounts: ${r.state}, ${r.units} units, ${r.resources} resources evaluated`);
    console.log(
      `  wall time ${(r.wallMs / 1000).toFixed(2)} s; lower bound ${(bound / 1000).toFixed(2)} s; ratio ${(r.wallMs / bound).toFixed(2)}`,
    );
    console.log(`  peak RSS ${r.peakRssMb.toFixed(0)} MB`);
    console.log(
      `  scanner CPU ${(r.cpuMs / 1000).toFixed(2)} s (${((r.cpuMs / r.wallMs) * 100).toFixed(0)}% of one core), ` +
        `${((r.cpuMs / total) * 1000).toFixed(0)} µs per API call; ratio of wall time to max(lower bound, CPU time) ${(r.wallMs / Math.max(bound, r.cpuMs)).toFixed(2)}`,
    );
    console.log(
      `  API calls ${total} (${(total / r.resources).toFixed(2)} per evaluated resource), throttled ${r.throttled}`,
    );
    console.log(
      `  GetKeyPolicy calls ${r.calls['KMS.GetKeyPolicy'] ?? 0} for ${r.keyPolicyFloor} customer managed keys ` +
        `(ratio to the floor of one per key: ${((r.calls['KMS.GetKeyPolicy'] ?? 0) / Math.max(1, r.keyPolicyFloor)).toFixed(2)})`,
    );
    console.log(
      `  IAM collection calls per 100 IAM entities: ${(((r.calls['IAM.GetAccountAuthorizationDetails'] ?? 0) / iamEntities) * 100).toFixed(2)}`,
    );
    for (const [operation, count] of Object.entries(r.calls))
      console.log(`    ${operation.padEnd(40)} ${String(count).padStart(7)}`);
  }
  if (results.length > 1) {
    console.log(
      `\npeak RSS by accounts: ${results.map((r) => `${r.accounts}: ${r.peakRssMb.toFixed(0)} MB`).join(', ')}`,
    );
  }
}
