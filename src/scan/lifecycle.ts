/**
 * The life of a scan record, the same whichever executor runs the scan: the new record, its progress and
 * units as events arrive, and its end (finished with a summary, or failed by an exception), each counted in
 * /metrics and logged once. Executors supply only what differs: how the scan runs, which finished units they
 * record, and their last word on the summary.
 */
import type { AsffFinding } from '../findings/index.js';
import type { Logger } from '../log/index.js';
import type { ControlId } from '../model/result.js';
import type { FindingRecord, ScanRecord, ScanStore } from '../store/types.js';
import type { ScanResult } from './runner.js';
import type { ProgressEvent, ScanState, ScanSummary, UnitOutcome } from './types.js';
import type { ScanScope } from '../model/scope.js';

/** What /metrics counts of a scan's life (implemented by the service's metrics). */
export interface ScanMetrics {
  scanStarted(): void;
  unitFinished(outcome: UnitOutcome): void;
  /** A scan that ended with a summary, whatever its state. */
  scanFinished(summary: ScanSummary): void;
  /** A scan that ended by an exception, without a summary. */
  scanFailed(): void;
}

export type LifecycleStore = Pick<ScanStore, 'updateScan' | 'addUnit' | 'addFindings'>;

export interface LifecycleDeps {
  store: LifecycleStore;
  logger: Logger;
  metrics?: ScanMetrics | undefined;
}

/** The record of a scan that has just been asked for. */
export function newScanRecord(id: string, scope: ScanScope, trigger: ScanRecord['trigger']): ScanRecord {
  return {
    id,
    trigger,
    scope,
    state: 'running',
    createdAt: new Date().toISOString(),
    progress: { done: 0, total: 0 },
  };
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

/** Keeps a scan's findings with its record. */
export function findingSink(
  store: LifecycleStore,
  scanId: string,
): (findings: AsffFinding[]) => Promise<void> {
  return (findings) => store.addFindings(scanId, findings.map(toFindingRecord));
}

/** One finished unit: its outcome joins the scan's record, then /metrics counts it and a line says so. */
export async function recordUnit(
  deps: Pick<LifecycleDeps, 'store' | 'metrics'>,
  scanId: string,
  outcome: UnitOutcome,
  log: Logger,
): Promise<void> {
  await deps.store.addUnit(scanId, outcome);
  deps.metrics?.unitFinished(outcome);
  const { accountId, region, controls, state, errors, imported, archived } = outcome;
  log[state === 'done' ? 'info' : 'warn'](
    { accountId, region, controls, state, errors, imported, archived },
    'unit finished',
  );
}

/** What the lifecycle hands the executor to run the scan with. */
export interface LifecycleHooks {
  onProgress: (event: ProgressEvent) => void;
  findingSink: (findings: AsffFinding[]) => Promise<void>;
}

export interface LifecycleOptions extends LifecycleDeps {
  scanId: string;
  /** The line that says the scan started, and what it says about it. */
  started: { message: string; fields: Record<string, unknown> };
  /**
   * Which finished units this lifecycle records (all unless given). In the distributed mode unit jobs
   * record their own; the coordinator records only the accounts that failed while the scan was planned.
   */
  recordsUnit?: (outcome: UnitOutcome) => boolean;
  /** The executor's last word on the summary before it is stored and counted. */
  finalize?: (summary: ScanSummary) => ScanSummary | Promise<ScanSummary>;
}

/**
 * Runs `execute` as the scan `options.scanId`, whose record already exists, and writes its end. Never
 * throws: an exception from the scan (or from writing its end) leaves the record `failed`, and the
 * failure is counted and logged. Returns the final state.
 */
export async function runScanLifecycle(
  options: LifecycleOptions,
  execute: (hooks: LifecycleHooks) => Promise<ScanResult>,
): Promise<ScanState> {
  const { scanId, store, metrics } = options;
  const log = options.logger.child({ scanId });
  const progress = { done: 0, total: 0 };
  // Progress and units are written as they come, without holding the scan up; the end waits for them.
  const writes = new Set<Promise<void>>();
  const write = (pending: Promise<void>) => {
    const tracked = pending.catch((error: unknown) => log.warn({ err: error }, 'scan record write failed'));
    writes.add(tracked);
    void tracked.finally(() => writes.delete(tracked));
  };
  const settle = () => Promise.all([...writes]);

  const onProgress = (event: ProgressEvent): void => {
    if (event.type === 'planned') {
      progress.total = event.units;
      log.info({ units: event.units, skipped: event.skipped }, 'scan planned');
    } else if (event.type === 'unit-finished') {
      progress.done = event.done;
      if (options.recordsUnit?.(event.outcome) ?? true)
        write(recordUnit({ store, metrics }, scanId, event.outcome, log));
    } else return;
    write(store.updateScan(scanId, { progress: { ...progress } }));
  };

  metrics?.scanStarted();
  log.info(options.started.fields, options.started.message);
  try {
    const result = await execute({ onProgress, findingSink: findingSink(store, scanId) });
    const summary = options.finalize ? await options.finalize(result.summary) : result.summary;
    await settle();
    await store.updateScan(scanId, {
      state: summary.state,
      summary,
      progress: { ...progress },
      finishedAt: summary.finishedAt ?? new Date().toISOString(),
    });
    metrics?.scanFinished(summary);
    log.info({ state: summary.state, units: summary.units, findings: summary.findings }, 'scan finished');
    return summary.state;
  } catch (error) {
    metrics?.scanFailed();
    log.error({ err: error }, 'scan failed');
    await settle();
    await store
      .updateScan(scanId, { state: 'failed', finishedAt: new Date().toISOString() })
      .catch((writeError: unknown) =>
        log.error({ err: writeError }, 'the failed scan could not be recorded'),
      );
    return 'failed';
  }
}
