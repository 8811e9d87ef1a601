import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import type { ScanScope } from '../../src/model/scope.js';
import type { ExecuteScan } from '../../src/service/scan-service.js';
import { ScanService } from '../../src/service/scan-service.js';
import { Scheduler } from '../../src/service/scheduler.js';
import { summarize } from '../../src/scan/runner.js';
import { resolveScope } from '../../src/scan/scope.js';
import { SqliteScanStore } from '../../src/store/sqlite.js';
import { waitFor } from '../helpers/wait.js';

const resolveAll = (scope: ScanScope) =>
  resolveScope(
    {
      accounts: { source: 'organizations', list: [], include: [], exclude: [] },
      regions: { mode: 'enabled', list: [], exclude: [] },
      controls: ['KMS.3'],
      dryRun: false,
    },
    scope,
  );

/** A scan that finishes when the test says so (the scheduler's behaviour, not AWS, is under test). */
function controllableScans() {
  const releases: (() => void)[] = [];
  const execute: ExecuteScan = (request) =>
    new Promise((resolve) => {
      releases.push(() => {
        const summary = summarize(request.scanId, new Date(), false, 0, [], []);
        resolve({
          summary: { ...summary, state: 'completed', finishedAt: new Date().toISOString() },
          units: [],
        });
      });
    });
  return { execute, releaseAll: () => releases.splice(0).forEach((release) => release()) };
}

describe('scheduler', () => {
  it('starts a scan per tick, never two at once, and shows the next runs', async () => {
    const store = new SqliteScanStore(':memory:');
    const scans = controllableScans();
    const service = new ScanService(store, scans.execute, resolveAll, silentLogger());
    const scheduler = new Scheduler(
      { crons: ['0 3 * * *', '*/15 * * * *'], timezone: 'UTC' },
      service,
      silentLogger(),
    );
    scheduler.start();
    const next = scheduler.describe();
    expect(next.crons).toEqual(['0 3 * * *', '*/15 * * * *']);
    expect(next.nextRuns).toHaveLength(2);
    for (const run of next.nextRuns) expect(Date.parse(run)).toBeGreaterThan(Date.now());
    expect(
      new Date(next.nextRuns.find((r) => r.endsWith(':00:00.000Z') && r.includes('T03'))!).getUTCHours(),
    ).toBe(3);

    await scheduler.tick('*/15 * * * *');
    await scheduler.tick('*/15 * * * *'); // the first is still running: skipped
    expect((await store.listScans({ limit: 10 })).items).toHaveLength(1);
    expect(service.runningCount).toBe(1);
    scans.releaseAll();
    await waitFor('the released scan to finish', () => service.runningCount === 0);
    await scheduler.tick('0 3 * * *');
    const all = (await store.listScans({ limit: 10 })).items;
    expect(all).toHaveLength(2);
    expect(all.every((s) => s.trigger === 'schedule')).toBe(true);
    scans.releaseAll();
    scheduler.stop();
    await service.drain(1000);
    await store.close();
  });

  it('refuses an invalid cron expression, naming it', () => {
    const store = new SqliteScanStore(':memory:');
    const service = new ScanService(store, controllableScans().execute, resolveAll, silentLogger());
    const scheduler = new Scheduler({ crons: ['every tuesday'], timezone: 'UTC' }, service, silentLogger());
    expect(() => scheduler.start()).toThrow(/schedule\.crons: invalid cron expression "every tuesday"/);
  });
});
