/**
 * Runs scans for the API and the scheduler: one record per scan in the store, at most one running scan
 * per identical scope, cancellation, and a graceful drain on shutdown.
 */
import { setMaxListeners } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { LifecycleHooks, ScanMetrics } from '../scan/lifecycle.js';
import { newScanRecord, runScanLifecycle } from '../scan/lifecycle.js';
import type { ResolvedScope } from '../scan/scope.js';
import { scopeKey } from '../scan/scope.js';
import type { ScanResult } from '../scan/runner.js';
import type { ScanRecord, ScanStore } from '../store/types.js';
import type { ScanScope } from '../model/scope.js';

/** The lifecycle's hooks (progress, findings) plus what the scan is. */
export interface ExecuteRequest extends LifecycleHooks {
  scanId: string;
  scope: ScanScope;
  signal: AbortSignal;
}

/** Runs one scan end to end (the composition root binds it to clients and settings). */
export type ExecuteScan = (request: ExecuteRequest) => Promise<ScanResult>;

export type StartResult = { started: true; scan: ScanRecord } | { started: false; runningScanId: string };

/** What the API needs of a scan service: in-process (`ScanService`) or distributed (BullMQ). */
export interface ScanControl {
  /**
   * Starts a scan unless one with the same resolved scope is running. Throws a ScopeError (nothing
   * started) when the scope names something outside the configured one.
   */
  start(scope: ScanScope, trigger: ScanRecord['trigger']): Promise<StartResult>;
  /** Asks a running scan to stop; false when no such scan is running. */
  cancel(id: string): boolean | Promise<boolean>;
}

interface RunningScan {
  scopeKey: string;
  controller: AbortController;
  done: Promise<void>;
}

export class ScanService implements ScanControl {
  private readonly running = new Map<string, RunningScan>();

  constructor(
    private readonly store: ScanStore,
    private readonly execute: ExecuteScan,
    /** The configuration's resolver (compose.ts `scopeResolver`). */
    private readonly resolve: (scope: ScanScope) => ResolvedScope,
    private readonly logger: Logger,
    private readonly metrics?: ScanMetrics,
  ) {}

  /** Starts a scan unless one with the same resolved scope is running. */
  async start(scope: ScanScope, trigger: ScanRecord['trigger']): Promise<StartResult> {
    const key = scopeKey(this.resolve(scope));
    for (const [id, scan] of this.running)
      if (scan.scopeKey === key) return { started: false, runningScanId: id };
    const record = newScanRecord(randomUUID(), scope, trigger);
    await this.store.createScan(record);
    const controller = new AbortController();
    // Every call in flight listens to the scan's signal: more than Node's default of 10.
    setMaxListeners(0, controller.signal);
    const done = this.run(record, controller).finally(() => this.running.delete(record.id));
    this.running.set(record.id, { scopeKey: key, controller, done });
    return { started: true, scan: record };
  }

  private async run(record: ScanRecord, controller: AbortController): Promise<void> {
    await runScanLifecycle(
      {
        scanId: record.id,
        store: this.store,
        logger: this.logger,
        metrics: this.metrics,
        started: { message: 'scan started', fields: { scope: record.scope, trigger: record.trigger } },
        // A scan cancelled by shutdown is interrupted, not cancelled by a user.
        finalize: (summary) =>
          summary.state === 'cancelled' && this.draining ? { ...summary, state: 'interrupted' } : summary,
      },
      (hooks) =>
        this.execute({ scanId: record.id, scope: record.scope, signal: controller.signal, ...hooks }),
    );
  }

  /** Cancels a running scan: units in flight stop at their next call and archive nothing. */
  cancel(id: string): boolean {
    const scan = this.running.get(id);
    if (scan === undefined) return false;
    scan.controller.abort(new Error('scan cancelled'));
    return true;
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  get runningCount(): number {
    return this.running.size;
  }

  private draining = false;

  /**
   * Shutdown: lets running scans finish for up to `graceMs`, then cancels them (no archive happens from
   * a cancelled unit) and waits for their records to be written.
   */
  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    const all = () => Promise.all([...this.running.values()].map((s) => s.done));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)),
    );
    const outcome = await Promise.race([all().then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      for (const scan of this.running.values()) scan.controller.abort(new Error('shutting down'));
      await all();
    }
  }
}
