/**
 * Runs scans for the API and the scheduler: one record per scan in the store, at most one running scan
 * per identical scope, cancellation, and a graceful drain on shutdown.
 */
import { setMaxListeners } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AsffFinding } from '../findings/index.js';
import type { ControlId } from '../model/result.js';
import type { ScanResult } from '../scan/runner.js';
import type { ProgressEvent } from '../scan/types.js';
import type { FindingRecord, ScanRecord, ScanScope, ScanStore } from '../store/types.js';
import type { ServiceMetrics } from './metrics.js';

export interface ExecuteRequest {
  scanId: string;
  scope: ScanScope;
  signal: AbortSignal;
  onProgress: (event: ProgressEvent) => void;
  findingSink: (findings: AsffFinding[]) => Promise<void>;
}

/** Runs one scan end to end (the composition root binds it to clients and settings). */
export type ExecuteScan = (request: ExecuteRequest) => Promise<ScanResult>;

export type StartResult = { started: true; scan: ScanRecord } | { started: false; runningScanId: string };

/** What the API needs of a scan service: in-process (`ScanService`) or distributed (BullMQ). */
export interface ScanControl {
  /** Starts a scan unless one with the same scope is running. */
  start(scope: ScanScope, trigger: ScanRecord['trigger']): Promise<StartResult>;
  /** Asks a running scan to stop; false when no such scan is running. */
  cancel(id: string): boolean | Promise<boolean>;
}

interface RunningScan {
  scopeKey: string;
  controller: AbortController;
  done: Promise<void>;
}

/** Identical scopes are the same request whatever the order of their lists. */
export function scopeKey(scope: ScanScope): string {
  const sorted = (list?: readonly string[]) => (list === undefined ? null : [...new Set(list)].sort());
  return JSON.stringify([
    sorted(scope.accounts),
    sorted(scope.regions),
    sorted(scope.controls),
    scope.dryRun ?? false,
  ]);
}

export function toFindingRecord(finding: AsffFinding): FindingRecord {
  const resource = finding.Resources[0];
  return {
    id: finding.Id,
    controlId: finding.Compliance?.SecurityControlId as ControlId,
    status: (finding.Compliance?.Status ?? 'NOT_AVAILABLE') as FindingRecord['status'],
    accountId: finding.AwsAccountId,
    region: finding.Region ?? resource?.Region ?? '',
    resourceArn: resource?.Id ?? '',
    resourceType: resource?.Type ?? '',
    title: finding.Title,
    reason: finding.Compliance?.StatusReasons?.[0]?.Description ?? '',
    recordState: (finding.RecordState ?? 'ACTIVE') as FindingRecord['recordState'],
  };
}

export class ScanService implements ScanControl {
  private readonly running = new Map<string, RunningScan>();

  constructor(
    private readonly store: ScanStore,
    private readonly execute: ExecuteScan,
    private readonly logger: Logger,
    private readonly metrics?: ServiceMetrics,
  ) {}

  /** Starts a scan unless one with the same scope is running. */
  async start(scope: ScanScope, trigger: ScanRecord['trigger']): Promise<StartResult> {
    const key = scopeKey(scope);
    for (const [id, scan] of this.running)
      if (scan.scopeKey === key) return { started: false, runningScanId: id };
    const record: ScanRecord = {
      id: randomUUID(),
      trigger,
      scope,
      state: 'running',
      createdAt: new Date().toISOString(),
      progress: { done: 0, total: 0 },
    };
    await this.store.createScan(record);
    const controller = new AbortController();
    // Every call in flight listens to the scan's signal: more than Node's default of 10.
    setMaxListeners(0, controller.signal);
    const done = this.run(record, controller).finally(() => this.running.delete(record.id));
    this.running.set(record.id, { scopeKey: key, controller, done });
    return { started: true, scan: record };
  }

  private async run(record: ScanRecord, controller: AbortController): Promise<void> {
    const log = this.logger.child({ scanId: record.id });
    const progress = { done: 0, total: 0 };
    this.metrics?.scanStarted();
    log.info({ scope: record.scope, trigger: record.trigger }, 'scan started');
    try {
      const result = await this.execute({
        scanId: record.id,
        scope: record.scope,
        signal: controller.signal,
        onProgress: (event) => {
          if (event.type === 'planned') {
            progress.total = event.units;
            log.info({ units: event.units, skipped: event.skipped }, 'scan planned');
          } else if (event.type === 'unit-finished') {
            progress.done = event.done;
            this.metrics?.unitFinished(event.outcome);
            const { accountId, region, controls, state, errors, imported, archived } = event.outcome;
            log[state === 'done' ? 'info' : 'warn'](
              { accountId, region, controls, state, errors, imported, archived },
              'unit finished',
            );
            void this.store.addUnit(record.id, event.outcome);
            void this.store.updateScan(record.id, { progress: { ...progress } });
          }
        },
        findingSink: (findings) => this.store.addFindings(record.id, findings.map(toFindingRecord)),
      });
      // A scan cancelled by shutdown is interrupted, not cancelled by a user.
      const state =
        result.summary.state === 'cancelled' && this.draining ? 'interrupted' : result.summary.state;
      await this.store.updateScan(record.id, {
        state,
        summary: { ...result.summary, state },
        progress: { ...progress },
        finishedAt: result.summary.finishedAt ?? new Date().toISOString(),
      });
      this.metrics?.scanFinished({ ...result.summary, state });
      log.info({ state, units: result.summary.units, findings: result.summary.findings }, 'scan finished');
    } catch (error) {
      log.error({ err: error }, 'scan failed');
      await this.store.updateScan(record.id, { state: 'failed', finishedAt: new Date().toISOString() });
    }
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
