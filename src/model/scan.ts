/** What a scan reports: per unit, and for the whole scan. Plain data: stored, served and printed as is. */
import type { ComplianceStatus, ControlId } from './result.js';

/** A control left out of some units by the planner, and why. */
export interface SkippedControl {
  controlId: ControlId;
  region: string;
  reason: 'UNSUPPORTED_REGION' | 'HOME_REGION_UNSUPPORTED' | 'HOME_REGION_NOT_SCANNED';
  /** How many units (accounts) lost this control in this region. */
  units: number;
}

export type StatusCounts = Record<ComplianceStatus, number>;

export interface UnitError {
  /** Which step failed: credentials, regions, collect, evaluate, import; `execute` when the unit's job itself failed (distributed mode). */
  stage: 'credentials' | 'regions' | 'collect' | 'evaluate' | 'import' | 'execute';
  /** The controls this error affects (empty for the whole unit). */
  controls: ControlId[];
  code: string;
  message: string;
}

export type UnitState = 'done' | 'failed' | 'partial' | 'cancelled';

export interface UnitOutcome {
  unitId: string;
  accountId: string;
  /** `*` when the account failed before its regions were known. */
  region: string;
  controls: ControlId[];
  state: UnitState;
  errors: UnitError[];
  findings: Partial<Record<ControlId, StatusCounts>>;
  /** Where the findings went: Security Hub, not enabled there, or the dry-run output. */
  destination: 'security-hub' | 'security-hub-not-enabled' | 'dry-run' | 'none';
  imported: number;
  importFailed: number;
  archived: number;
  durationMs: number;
  /** Distributed mode: how many times the unit's job was started (more than 1 after a retry or a dead worker). */
  attempts?: number;
}

export type ScanState =
  'running' | 'completed' | 'completed_with_errors' | 'cancelled' | 'failed' | 'interrupted';

export interface ScanSummary {
  scanId: string;
  state: ScanState;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  dryRun: boolean;
  units: { planned: number; done: number; failed: number; partial: number; cancelled: number };
  skipped: SkippedControl[];
  findings: Partial<Record<ControlId, StatusCounts>>;
  imported: number;
  importFailed: number;
  archived: number;
  apiCalls: Record<string, { calls: number; throttled: number; errors: number }>;
  /** A failure before any unit ran (e.g. Organizations unreachable). */
  error?: { code: string; message: string };
}

export type ProgressEvent =
  | { type: 'planned'; units: number; skipped: SkippedControl[] }
  | { type: 'unit-started'; unitId: string }
  | { type: 'unit-finished'; outcome: UnitOutcome; done: number; total: number };

export function emptyCounts(): StatusCounts {
  return { PASSED: 0, FAILED: 0, WARNING: 0, NOT_AVAILABLE: 0 };
}

/** A unit's outcome before anything happened: the one place that lists its fields' starting values. */
export function newOutcome(
  unitId: string,
  accountId: string,
  region: string,
  controls: ControlId[],
): UnitOutcome {
  return {
    unitId,
    accountId,
    region,
    controls,
    state: 'done',
    errors: [],
    findings: {},
    destination: 'none',
    imported: 0,
    importFailed: 0,
    archived: 0,
    durationMs: 0,
  };
}
