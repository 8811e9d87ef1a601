/**
 * The scan lifecycle of the in-process service: however a scan ends (a summary, or an exception), its record
 * leaves `running` and /metrics counts it once and lets the running-scans gauge go back down.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { executeScan, scopeResolver } from '../../src/compose.js';
import { parseConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import { ServiceMetrics } from '../../src/service/metrics.js';
import { ScanService } from '../../src/service/scan-service.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { DEFAULT_EXTERNAL_ID } from '../../src/simulator/index.js';
import { SqliteScanStore } from '../../src/store/sqlite.js';
import type { ScanRecord } from '../../src/store/types.js';
import { startAws } from '../integration/harness.js';

/** A SQLite store whose first write of a finished scan's summary fails, as a full disk would. */
class FailingSummaryStore extends SqliteScanStore {
  summaryWrites = 0;
  override async updateScan(id: string, patch: Parameters<SqliteScanStore['updateScan']>[1]): Promise<void> {
    if (patch.summary !== undefined && this.summaryWrites++ === 0) throw new Error('disk I/O error');
    return super.updateScan(id, patch);
  }
}

/** One sample of the Prometheus text exposition, as a scraper reads it; undefined when absent. */
async function sample(metrics: ServiceMetrics, series: string): Promise<number | undefined> {
  const text = await metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

let aws: RunningSimulator | undefined;
afterEach(async () => {
  await aws?.stop();
  aws = undefined;
});

/** The simulator and an in-process service over `store`, with the service's real metrics. */
async function serviceOver<S extends SqliteScanStore>(
  store: S,
  organization = { accounts: 1, regions: ['us-east-1'] },
) {
  aws = await startAws({ organization: { seed: 3, ...organization } });
  const loaded = parseConfig(
    {
      memberRole: { externalId: DEFAULT_EXTERNAL_ID },
      aws: { maxAttempts: 1, retryMode: 'standard', requestTimeoutMs: 5000 },
      import: { dryRun: true },
    },
    'test',
  );
  const metrics = new ServiceMetrics();
  const service = new ScanService(
    store,
    (request) => executeScan(loaded, request),
    scopeResolver(loaded),
    silentLogger(),
    metrics,
  );
  return { simulator: aws, store, metrics, service };
}

async function runToEnd(service: ScanService, store: SqliteScanStore): Promise<ScanRecord> {
  const started = await service.start({}, 'api');
  if (!started.started) throw new Error('not started');
  await service.drain(60_000);
  return (await store.getScan(started.scan.id))!;
}

describe('the in-process scan lifecycle', () => {
  it('counts a scan that throws as failed and lets the running gauge go back to 0', async () => {
    const { store, metrics, service } = await serviceOver(new FailingSummaryStore(':memory:'));

    const record = await runToEnd(service, store);

    expect(store.summaryWrites).toBe(1);
    expect(record.state).toBe('failed');
    expect(record.finishedAt).toEqual(expect.any(String));
    expect(await sample(metrics, 'keywarden_scans_running')).toBe(0);
    expect(await sample(metrics, 'keywarden_scans_total{state="failed"}')).toBe(1);
    await store.close();
  });

  it('counts a scan whose planner cannot reach Organizations as failed, with its error', async () => {
    const { simulator, store, metrics, service } = await serviceOver(new SqliteScanStore(':memory:'));
    simulator.faults.failingOperations.add('organizations:ListAccounts');

    const record = await runToEnd(service, store);

    expect(record.state).toBe('failed');
    // Organizations answers a 5xx with ServiceException.
    expect(record.summary?.error?.code).toBe('ServiceException');
    expect(await sample(metrics, 'keywarden_scans_running')).toBe(0);
    expect(await sample(metrics, 'keywarden_scans_total{state="failed"}')).toBe(1);
    await store.close();
  });

  it('records and counts a scan stopped by shutdown as interrupted, not cancelled', async () => {
    const { simulator, store, metrics, service } = await serviceOver(new SqliteScanStore(':memory:'), {
      accounts: 2,
      regions: ['us-east-1', 'eu-west-1'],
    });
    simulator.faults.latencyMs = 300;
    const started = await service.start({}, 'api');
    if (!started.started) throw new Error('not started');

    // No grace: the scan, still waiting on its first calls, is cancelled by the drain.
    await service.drain(0);

    const record = (await store.getScan(started.scan.id))!;
    expect(record.state).toBe('interrupted');
    expect(record.summary?.state).toBe('interrupted');
    expect(await sample(metrics, 'keywarden_scans_running')).toBe(0);
    expect(await sample(metrics, 'keywarden_scans_total{state="interrupted"}')).toBe(1);
    expect(await sample(metrics, 'keywarden_scans_total{state="cancelled"}')).toBeUndefined();
    await store.close();
  });

  it('counts a scan that completes once, by its state', async () => {
    const { store, metrics, service } = await serviceOver(new SqliteScanStore(':memory:'));

    const record = await runToEnd(service, store);

    expect(record.state).toBe('completed');
    expect(record.progress.done).toBe(record.progress.total);
    expect(record.progress.total).toBeGreaterThan(0);
    expect(await store.listUnits(record.id)).toHaveLength(record.progress.total);
    expect(await sample(metrics, 'keywarden_scans_running')).toBe(0);
    expect(await sample(metrics, 'keywarden_scans_total{state="completed"}')).toBe(1);
    expect(await sample(metrics, 'keywarden_scans_total{state="failed"}')).toBeUndefined();
    expect(await sample(metrics, 'keywarden_units_total{state="done"}')).toBe(record.progress.total);
    await store.close();
  });
});
