/** Scan records: what the API serves and what survives a restart. */
import type { ComplianceStatus, ControlId } from '../model/result.js';
import type { ScanScope } from '../model/scope.js';
import type { ScanState, ScanSummary, UnitOutcome } from '../scan/types.js';

export interface ScanRecord {
  id: string;
  trigger: 'api' | 'schedule' | 'cli';
  /** As it was asked for (absent fields: what the configuration allows). */
  scope: ScanScope;
  state: ScanState;
  createdAt: string;
  finishedAt?: string;
  progress: { done: number; total: number };
  summary?: ScanSummary;
}

/** The compact form of a finding kept with its scan (the full ASFF lives in Security Hub). */
export interface FindingRecord {
  id: string;
  controlId: ControlId;
  status: ComplianceStatus;
  accountId: string;
  region: string;
  resourceArn: string;
  resourceType: string;
  title: string;
  reason: string;
  recordState: 'ACTIVE' | 'ARCHIVED';
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export interface ScanStore {
  createScan(record: ScanRecord): Promise<void>;
  updateScan(
    id: string,
    patch: Partial<Pick<ScanRecord, 'state' | 'progress' | 'summary' | 'finishedAt'>>,
  ): Promise<void>;
  addUnit(scanId: string, outcome: UnitOutcome): Promise<void>;
  addFindings(scanId: string, findings: FindingRecord[]): Promise<void>;
  getScan(id: string): Promise<ScanRecord | undefined>;
  listScans(options: { limit: number; nextToken?: string }): Promise<Page<ScanRecord>>;
  listUnits(scanId: string): Promise<UnitOutcome[]>;
  listFindings(
    scanId: string,
    options: { limit: number; nextToken?: string; controlId?: ControlId; status?: ComplianceStatus },
  ): Promise<Page<FindingRecord>>;
  /** On start: scans left `running` by a stopped process become `interrupted`. Returns how many. */
  markInterrupted(): Promise<number>;
  /** Deletes scans (and their units and findings) created before the cut-off. Returns how many. */
  purgeBefore(cutoff: Date): Promise<number>;
  close(): Promise<void>;
}
