/**
 * What the faces (API, scheduler) ask of a scan executor, in-process or distributed alike: start a scan
 * unless the same scope runs, cancel one, and the schedule that starts them.
 */
import type { ScanRecord, ScanScope } from '../store/types.js';

export type StartResult = { started: true; scan: ScanRecord } | { started: false; runningScanId: string };

/** What the API needs of a scan service: in-process (`ScanService`) or distributed (BullMQ). */
export interface ScanControl {
  /** Starts a scan unless one with the same scope is running. */
  start(scope: ScanScope, trigger: ScanRecord['trigger']): Promise<StartResult>;
  /** Asks a running scan to stop; false when no such scan is running. */
  cancel(id: string): boolean | Promise<boolean>;
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

/** When scheduled scans start: cron expressions in one time zone. */
export interface ScheduleOptions {
  crons: readonly string[];
  timezone: string;
}
