/**
 * What the faces (API, scheduler) ask of a scan executor, in-process or distributed alike: start a scan
 * unless the same resolved scope runs, cancel one, and the schedule that starts them.
 */
import type { ScanScope } from '../model/scope.js';
import type { ScanRecord } from '../store/types.js';

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

/** When scheduled scans start: cron expressions in one time zone. */
export interface ScheduleOptions {
  crons: readonly string[];
  timezone: string;
}
