/**
 * Where a scan's units run. The planner hands the units to an executor; the in-process one runs them here
 * under p-limit, the BullMQ one (src/distributed) runs them as jobs on any number of workers. Either way
 * each unit's outcome comes back through `onOutcome`, once.
 */
import pLimit from 'p-limit';
import type { CatalogControl } from '../catalog/index.js';
import type { ResolvedControlParams } from '../controls/index.js';
import type { AsffFinding } from '../findings/index.js';
import type { RateLimiter } from '../aws/rate-limit.js';
import type { ControlId } from '../model/result.js';
import type { ScanUnit } from './plan.js';
import type { UnitOutcome } from '../model/scan.js';
import type { ScanClients } from '../aws/scan-clients.js';
import type { ImportSettings } from './unit.js';
import { runUnit } from './unit.js';

/** What a unit needs besides itself: plain data, so it can travel in a job (never credentials). */
export interface UnitSettings {
  partition: string;
  params: ResolvedControlParams;
  import: ImportSettings;
  managementAccountId?: string;
}

export interface UnitBatch {
  scanId: string;
  units: ScanUnit[];
  settings: UnitSettings;
  signal?: AbortSignal;
  onStarted?: (unit: ScanUnit) => void;
  onOutcome: (outcome: UnitOutcome) => void;
}

export interface UnitExecutor {
  /** Resolves when every unit has an outcome (or the signal aborted and the units in flight stopped). */
  run(batch: UnitBatch): Promise<void>;
}

export interface InProcessOptions {
  clients: ScanClients;
  catalog: { get(id: ControlId): CatalogControl };
  limiter: RateLimiter;
  concurrency: { units: number; perAccount: number };
  now: () => Date;
  findingSink?: (findings: AsffFinding[]) => void | Promise<void>;
}

/** Runs units in this process: an overall limit, and a per-account one so one account's quotas are not hammered. */
export class InProcessExecutor implements UnitExecutor {
  constructor(private readonly options: InProcessOptions) {}

  async run(batch: UnitBatch): Promise<void> {
    const { clients, concurrency } = this.options;
    const { settings, signal } = batch;
    const overall = pLimit(concurrency.units);
    const perAccount = new Map<string, ReturnType<typeof pLimit>>();
    const context = {
      clients,
      catalog: this.options.catalog,
      params: settings.params,
      partition: settings.partition,
      ...(settings.managementAccountId ? { managementAccountId: settings.managementAccountId } : {}),
      importSettings: settings.import,
      limiter: this.options.limiter,
      now: this.options.now,
      ...(signal ? { signal } : {}),
      ...(this.options.findingSink ? { findingSink: this.options.findingSink } : {}),
    };
    // When an account's last unit is done, what was kept for it (credentials) is let go.
    const remaining = new Map<string, number>();
    for (const unit of batch.units) remaining.set(unit.accountId, (remaining.get(unit.accountId) ?? 0) + 1);
    const runOne = async (unit: ScanUnit): Promise<void> => {
      if (signal?.aborted) return;
      batch.onStarted?.(unit);
      const outcome = await runUnit(unit, context);
      const left = remaining.get(unit.accountId)! - 1;
      remaining.set(unit.accountId, left);
      if (left === 0) clients.forget(unit.accountId);
      batch.onOutcome(outcome);
    };
    await Promise.all(
      batch.units.map((unit) => {
        let queue = perAccount.get(unit.accountId);
        if (queue === undefined) {
          queue = pLimit(concurrency.perAccount);
          perAccount.set(unit.accountId, queue);
        }
        return queue(() => overall(() => runOne(unit)));
      }),
    );
  }
}
