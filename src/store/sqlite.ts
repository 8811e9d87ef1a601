/** Scan records in an embedded SQLite file (better-sqlite3, WAL): the single-node default. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ComplianceStatus, ControlId } from '../model/result.js';
import type { UnitOutcome } from '../scan/types.js';
import type { FindingRecord, Page, ScanRecord, ScanStore } from './types.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS scans (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  state TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS scans_by_seq ON scans (seq DESC);
CREATE TABLE IF NOT EXISTS units (
  scan_id TEXT NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
  unit_id TEXT NOT NULL,
  outcome TEXT NOT NULL,
  PRIMARY KEY (scan_id, unit_id)
);
CREATE TABLE IF NOT EXISTS findings (
  scan_id TEXT NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  control_id TEXT NOT NULL,
  status TEXT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (scan_id, seq)
);
CREATE INDEX IF NOT EXISTS findings_by_filter ON findings (scan_id, control_id, status, seq);
`;

/**
 * A retried unit writes its findings again: one row per (scan, finding id), as the Redis store keeps one.
 * Files written before this rule get the column, keep the last row of each finding, then the index.
 */
function migrateFindingIds(db: Database.Database): void {
  const columns = db.prepare('PRAGMA table_info(findings)').all() as { name: string }[];
  if (!columns.some((column) => column.name === 'finding_id')) {
    db.transaction(() => {
      db.exec('ALTER TABLE findings ADD COLUMN finding_id TEXT');
      db.exec("UPDATE findings SET finding_id = json_extract(record, '$.id')");
      db.exec(
        'DELETE FROM findings WHERE EXISTS (SELECT 1 FROM findings later WHERE later.scan_id = findings.scan_id ' +
          'AND later.finding_id = findings.finding_id AND later.seq > findings.seq)',
      );
    })();
  }
  db.exec('CREATE UNIQUE INDEX IF NOT EXISTS findings_by_id ON findings (scan_id, finding_id)');
}

/** Opaque page tokens: the position to continue from, base64url so callers do not build them. */
const encodeToken = (position: number): string => Buffer.from(String(position)).toString('base64url');
function decodeToken(token: string | undefined): number | undefined {
  if (token === undefined) return undefined;
  const value = Number(Buffer.from(token, 'base64url').toString());
  if (!Number.isSafeInteger(value) || value < 0 || encodeToken(value) !== token) {
    throw new RangeError('invalid page token');
  }
  return value;
}

export class SqliteScanStore implements ScanStore {
  private readonly db: Database.Database;
  private seq: number;
  private readonly findingSeq = new Map<string, number>();

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SCHEMA);
    migrateFindingIds(this.db);
    this.seq = (
      this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM scans').get() as { seq: number }
    ).seq;
  }

  async createScan(record: ScanRecord): Promise<void> {
    this.seq++;
    this.db
      .prepare('INSERT INTO scans (id, seq, created_at, state, record) VALUES (?, ?, ?, ?, ?)')
      .run(record.id, this.seq, record.createdAt, record.state, JSON.stringify(record));
  }

  async updateScan(
    id: string,
    patch: Partial<Pick<ScanRecord, 'state' | 'progress' | 'summary' | 'finishedAt'>>,
  ): Promise<void> {
    const update = this.db.transaction(() => {
      const current = this.readScan(id);
      if (current === undefined) return;
      const next = { ...current, ...patch };
      this.db
        .prepare('UPDATE scans SET state = ?, record = ? WHERE id = ?')
        .run(next.state, JSON.stringify(next), id);
    });
    update();
  }

  async addUnit(scanId: string, outcome: UnitOutcome): Promise<void> {
    this.db
      .prepare('INSERT OR REPLACE INTO units (scan_id, unit_id, outcome) VALUES (?, ?, ?)')
      .run(scanId, outcome.unitId, JSON.stringify(outcome));
  }

  async addFindings(scanId: string, findings: FindingRecord[]): Promise<void> {
    let seq = this.findingSeq.get(scanId);
    if (seq === undefined) {
      seq = (
        this.db
          .prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM findings WHERE scan_id = ?')
          .get(scanId) as { seq: number }
      ).seq;
    }
    const insert = this.db.prepare(
      'INSERT INTO findings (scan_id, seq, finding_id, control_id, status, record) VALUES (?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT (scan_id, finding_id) DO UPDATE SET ' +
        'control_id = excluded.control_id, status = excluded.status, record = excluded.record',
    );
    const insertAll = this.db.transaction((items: FindingRecord[]) => {
      for (const finding of items) {
        insert.run(scanId, ++seq!, finding.id, finding.controlId, finding.status, JSON.stringify(finding));
      }
    });
    insertAll(findings);
    this.findingSeq.set(scanId, seq);
  }

  private readScan(id: string): ScanRecord | undefined {
    const row = this.db.prepare('SELECT record FROM scans WHERE id = ?').get(id) as
      { record: string } | undefined;
    return row ? (JSON.parse(row.record) as ScanRecord) : undefined;
  }

  async getScan(id: string): Promise<ScanRecord | undefined> {
    return this.readScan(id);
  }

  async listScans(options: { limit: number; nextToken?: string }): Promise<Page<ScanRecord>> {
    const before = decodeToken(options.nextToken) ?? Number.MAX_SAFE_INTEGER;
    const rows = this.db
      .prepare('SELECT seq, record FROM scans WHERE seq < ? ORDER BY seq DESC LIMIT ?')
      .all(before, options.limit + 1) as { seq: number; record: string }[];
    const items = rows.slice(0, options.limit).map((r) => JSON.parse(r.record) as ScanRecord);
    const last = rows[options.limit - 1];
    return rows.length > options.limit && last ? { items, nextToken: encodeToken(last.seq) } : { items };
  }

  async listUnits(scanId: string): Promise<UnitOutcome[]> {
    const rows = this.db
      .prepare('SELECT outcome FROM units WHERE scan_id = ? ORDER BY unit_id')
      .all(scanId) as {
      outcome: string;
    }[];
    return rows.map((r) => JSON.parse(r.outcome) as UnitOutcome);
  }

  async listFindings(
    scanId: string,
    options: { limit: number; nextToken?: string; controlId?: ControlId; status?: ComplianceStatus },
  ): Promise<Page<FindingRecord>> {
    const after = decodeToken(options.nextToken) ?? 0;
    const rows = this.db
      .prepare(
        `SELECT seq, record FROM findings WHERE scan_id = ? AND seq > ?
         AND (? IS NULL OR control_id = ?) AND (? IS NULL OR status = ?)
         ORDER BY seq LIMIT ?`,
      )
      .all(
        scanId,
        after,
        options.controlId ?? null,
        options.controlId ?? null,
        options.status ?? null,
        options.status ?? null,
        options.limit + 1,
      ) as { seq: number; record: string }[];
    const items = rows.slice(0, options.limit).map((r) => JSON.parse(r.record) as FindingRecord);
    const last = rows[options.limit - 1];
    return rows.length > options.limit && last ? { items, nextToken: encodeToken(last.seq) } : { items };
  }

  async markInterrupted(): Promise<number> {
    const running = this.db.prepare("SELECT id FROM scans WHERE state = 'running'").all() as { id: string }[];
    const finishedAt = new Date().toISOString();
    for (const { id } of running) await this.updateScan(id, { state: 'interrupted', finishedAt });
    return running.length;
  }

  async purgeBefore(cutoff: Date): Promise<number> {
    return this.db.prepare('DELETE FROM scans WHERE created_at < ?').run(cutoff.toISOString()).changes;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
