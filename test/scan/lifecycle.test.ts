/**
 * The one scan lifecycle both executors use: a real SQLite store, the service's real metrics and a real
 * logger writing JSON lines into memory; only the scan itself is a function the test controls.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import type { LifecycleHooks, LifecycleOptions } from '../../src/scan/lifecycle.js';
import { newScanRecord, runScanLifecycle } from '../../src/scan/lifecycle.js';
import type { ScanResult } from '../../src/scan/runner.js';
import type { ScanSummary, UnitOutcome } from '../../src/model/scan.js';
import { newOutcome } from '../../src/model/scan.js';
import { ServiceMetrics } from '../../src/scan/metrics.js';
import { SqliteScanStore } from '../../src/store/sqlite.js';

const SCAN_ID = 'scan-1';

async function sample(metrics: ServiceMetrics, series: string): Promise<number | undefined> {
  const text = await metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function summaryOf(state: ScanSummary['state'], planned: number): ScanSummary {
  return {
    scanId: SCAN_ID,
    state,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:02.000Z',
    durationMs: 2000,
    dryRun: true,
    units: { planned, done: planned, failed: 0, partial: 0, cancelled: 0 },
    skipped: [],
    findings: {},
    imported: 0,
    importFailed: 0,
    archived: 0,
    apiCalls: { 'kms:ListKeys': { calls: 3, throttled: 1, errors: 0 } },
  };
}

const unit = (id: string, region: string, state: UnitOutcome['state'] = 'done'): UnitOutcome => ({
  ...newOutcome(id, '111122223333', region, ['KMS.3']),
  state,
});

/** A scan that plans `units`, reports each finished, and ends with `end`. */
function scanOf(units: UnitOutcome[], end: (hooks: LifecycleHooks) => Promise<ScanResult> | ScanResult) {
  return async (hooks: LifecycleHooks): Promise<ScanResult> => {
    hooks.onProgress({ type: 'planned', units: units.length, skipped: [] });
    for (const [index, outcome] of units.entries())
      hooks.onProgress({ type: 'unit-finished', outcome, done: index + 1, total: units.length });
    return end(hooks);
  };
}

async function setup(store = new SqliteScanStore(':memory:')) {
  await store.createScan(newScanRecord(SCAN_ID, { regions: ['us-east-1'] }, 'api'));
  const metrics = new ServiceMetrics();
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const options: LifecycleOptions = {
    scanId: SCAN_ID,
    store,
    logger,
    metrics,
    started: { message: 'scan started', fields: { trigger: 'api' } },
  };
  const messages = () => lines.map((l) => l['msg']);
  return { store, metrics, lines, messages, options };
}

describe('runScanLifecycle', () => {
  it('records a scan that throws as failed, counts it once and lets the running gauge go back to 0', async () => {
    const { store, metrics, lines, messages, options } = await setup();
    const state = await runScanLifecycle(
      options,
      scanOf([unit('u1', 'us-east-1')], () => Promise.reject(new Error('Organizations unreachable'))),
    );

    expect(state).toBe('failed');
    const record = (await store.getScan(SCAN_ID))!;
    expect(record).toMatchObject({ state: 'failed', finishedAt: expect.any(String) });
    expect(record.summary).toBeUndefined();
    expect(await sample(metrics, 'keywarden_scans_running')).toBe(0);
    expect(await sample(metrics, 'keywarden_scans_total{state="failed"}')).toBe(1);
    expect(messages()).toEqual(['scan started', 'scan planned', 'unit finished', 'scan failed']);
    const failed = lines.find((l) => l['msg'] === 'scan failed')!;
    expect(failed).toMatchObject({ level: 'error', scanId: SCAN_ID });
    expect((failed['err'] as { message: string }).message).toBe('Organizations unreachable');
    // The unit that finished before the failure is kept.
    expect(await store.listUnits(SCAN_ID)).toHaveLength(1);
  });

  it('still counts the failure, and does not throw, when the failed record cannot be written', async () => {
    class BrokenStore extends SqliteScanStore {
      override updateScan(): Promise<void> {
        return Promise.reject(new Error('disk I/O error'));
      }
    }
    const { store, metrics, messages, options } = await setup(new BrokenStore(':memory:'));
    const state = await runScanLifecycle(
      options,
      scanOf([], () => ({ summary: summaryOf('completed', 0), units: [] })),
    );

    expect(state).toBe('failed');
    expect((await store.getScan(SCAN_ID))!.state).toBe('running');
    expect(await sample(metrics, 'keywarden_scans_running')).toBe(0);
    expect(await sample(metrics, 'keywarden_scans_total{state="failed"}')).toBe(1);
    expect(await sample(metrics, 'keywarden_scans_total{state="completed"}')).toBeUndefined();
    expect(messages()).toContain('the failed scan could not be recorded');
  });

  it('records progress, every unit, the summary and its metrics of a scan that finishes', async () => {
    const { store, metrics, messages, options } = await setup();
    const units = [unit('u1', 'us-east-1'), unit('u2', 'eu-west-1', 'failed')];
    const state = await runScanLifecycle(
      options,
      scanOf(units, () => ({ summary: summaryOf('completed_with_errors', 2), units })),
    );

    expect(state).toBe('completed_with_errors');
    const record = (await store.getScan(SCAN_ID))!;
    expect(record).toMatchObject({
      state: 'completed_with_errors',
      progress: { done: 2, total: 2 },
      finishedAt: '2026-01-01T00:00:02.000Z',
      summary: { state: 'completed_with_errors' },
    });
    expect((await store.listUnits(SCAN_ID)).map((u) => u.unitId).sort()).toEqual(['u1', 'u2']);
    expect(await sample(metrics, 'keywarden_scans_running')).toBe(0);
    expect(await sample(metrics, 'keywarden_scans_total{state="completed_with_errors"}')).toBe(1);
    expect(await sample(metrics, 'keywarden_units_total{state="done"}')).toBe(1);
    expect(await sample(metrics, 'keywarden_units_total{state="failed"}')).toBe(1);
    expect(await sample(metrics, 'keywarden_aws_api_calls_total{operation="kms:ListKeys"}')).toBe(3);
    expect(messages().filter((m) => m === 'unit finished')).toHaveLength(2);
    expect(messages().at(-1)).toBe('scan finished');
  });

  it("records only the units the executor leaves to it, and stores the executor's last word on the summary", async () => {
    const { store, metrics, options } = await setup();
    const units = [unit('account', '*', 'failed'), unit('u1', 'us-east-1')];
    const state = await runScanLifecycle(
      {
        ...options,
        recordsUnit: (outcome) => outcome.region === '*',
        finalize: (summary) => ({ ...summary, state: 'interrupted' }),
      },
      scanOf(units, () => ({ summary: summaryOf('cancelled', 2), units })),
    );

    expect(state).toBe('interrupted');
    const record = (await store.getScan(SCAN_ID))!;
    expect(record.state).toBe('interrupted');
    expect(record.summary?.state).toBe('interrupted');
    expect(record.progress).toEqual({ done: 2, total: 2 });
    expect((await store.listUnits(SCAN_ID)).map((u) => u.unitId)).toEqual(['account']);
    expect(await sample(metrics, 'keywarden_units_total{state="failed"}')).toBe(1);
    expect(await sample(metrics, 'keywarden_units_total{state="done"}')).toBeUndefined();
    expect(await sample(metrics, 'keywarden_scans_total{state="interrupted"}')).toBe(1);
    expect(await sample(metrics, 'keywarden_scans_total{state="cancelled"}')).toBeUndefined();
  });

  it('keeps a finding of the scan with its record', async () => {
    const { store, options } = await setup();
    await runScanLifecycle(options, async (hooks) => {
      await hooks.findingSink([
        {
          Id: 'finding-1',
          AwsAccountId: '111122223333',
          Title: 'KMS.3',
          Resources: [{ Id: 'arn:aws:kms:us-east-1:111122223333:key/k1', Type: 'AwsKmsKey' }],
          Compliance: { Status: 'FAILED', SecurityControlId: 'KMS.3' },
        } as unknown as Parameters<LifecycleHooks['findingSink']>[0][number],
      ]);
      return { summary: summaryOf('completed', 0), units: [] };
    });
    const page = await store.listFindings(SCAN_ID, { limit: 10 });
    expect(page.items).toMatchObject([
      { id: 'finding-1', controlId: 'KMS.3', status: 'FAILED', resourceType: 'AwsKmsKey' },
    ]);
  });

  it('a unit that cannot be written is logged, and the scan still ends', async () => {
    class NoUnits extends SqliteScanStore {
      override addUnit(): Promise<void> {
        return Promise.reject(new Error('disk I/O error'));
      }
    }
    const { store, metrics, messages, options } = await setup(new NoUnits(':memory:'));
    const units = [unit('u1', 'us-east-1')];
    const state = await runScanLifecycle(
      options,
      scanOf(units, () => ({ summary: summaryOf('completed', 1), units })),
    );

    expect(state).toBe('completed');
    expect((await store.getScan(SCAN_ID))!.state).toBe('completed');
    expect(messages()).toContain('scan record write failed');
    expect(await sample(metrics, 'keywarden_units_total{state="done"}')).toBeUndefined();
  });
});
