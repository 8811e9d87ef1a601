import { mkdirSync, mkdtempSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteScanStore } from '../../src/store/sqlite.js';
import { findingRecord, scanRecord } from '../helpers/records.js';

const file = () => join(mkdtempSync(join(tmpdir(), 'keywarden-store-')), 'data', 'scans.db');
const scan = scanRecord;
const finding = findingRecord;

describe('SQLite scan store (a real file)', () => {
  it('keeps a scan record across a restart and marks a running scan interrupted', async () => {
    const path = file();
    const first = new SqliteScanStore(path);
    await first.createScan(scan('a'));
    await first.createScan(scan('b'));
    await first.updateScan('b', { state: 'completed', progress: { done: 4, total: 4 } });
    await first.close();

    const second = new SqliteScanStore(path);
    expect(await second.markInterrupted()).toBe(1);
    expect((await second.getScan('a'))!.state).toBe('interrupted');
    expect((await second.getScan('b'))!).toMatchObject({
      state: 'completed',
      progress: { done: 4, total: 4 },
    });
    await second.close();
  });

  it('opens a file written before findings were keyed by id, keeping the last copy of each finding', async () => {
    const path = file();
    mkdirSync(dirname(path), { recursive: true });
    const old = new Database(path);
    old.exec(`
      CREATE TABLE scans (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, created_at TEXT NOT NULL,
        state TEXT NOT NULL, record TEXT NOT NULL);
      CREATE TABLE findings (scan_id TEXT NOT NULL REFERENCES scans(id) ON DELETE CASCADE, seq INTEGER NOT NULL,
        control_id TEXT NOT NULL, status TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (scan_id, seq));
    `);
    old
      .prepare('INSERT INTO scans VALUES (?, 1, ?, ?, ?)')
      .run('s', '2026-01-01T00:00:00.000Z', 'completed', JSON.stringify(scan('s')));
    const insert = old.prepare('INSERT INTO findings VALUES (?, ?, ?, ?, ?)');
    for (const [seq, record] of [
      [1, finding(1, 'KMS.3', 'FAILED')],
      [2, finding(2, 'KMS.4', 'PASSED')],
      [3, finding(1, 'KMS.3', 'PASSED')],
    ] as const) {
      insert.run('s', seq, record.controlId, record.status, JSON.stringify(record));
    }
    old.close();

    const store = new SqliteScanStore(path);
    expect(await store.listFindings('s', { limit: 10 })).toEqual({
      items: [finding(2, 'KMS.4', 'PASSED'), finding(1, 'KMS.3', 'PASSED')],
    });
    await store.addFindings('s', [finding(2, 'KMS.4', 'FAILED')]);
    expect((await store.listFindings('s', { limit: 10, status: 'FAILED' })).items).toEqual([
      finding(2, 'KMS.4', 'FAILED'),
    ]);
    await store.close();
  });

  it('lists scans newest first, page by page', async () => {
    const store = new SqliteScanStore(file());
    for (const id of ['s1', 's2', 's3', 's4', 's5']) await store.createScan(scan(id));
    const first = await store.listScans({ limit: 2 });
    expect(first.items.map((s) => s.id)).toEqual(['s5', 's4']);
    const second = await store.listScans({ limit: 2, nextToken: first.nextToken! });
    expect(second.items.map((s) => s.id)).toEqual(['s3', 's2']);
    const third = await store.listScans({ limit: 2, nextToken: second.nextToken! });
    expect(third).toEqual({ items: [expect.objectContaining({ id: 's1' })] });
    await expect(store.listScans({ limit: 2, nextToken: '!!' })).rejects.toThrow(/page token/);
    await store.close();
  });

  it('filters and pages findings, and purges old scans with their findings', async () => {
    const store = new SqliteScanStore(file());
    await store.createScan(scan('old', '2020-01-01T00:00:00.000Z'));
    await store.createScan(scan('new'));
    await store.addFindings('new', [
      finding(1, 'KMS.3', 'FAILED'),
      finding(2, 'KMS.4', 'PASSED'),
      finding(3, 'KMS.3', 'PASSED'),
    ]);
    await store.addFindings('new', [finding(4, 'KMS.3', 'FAILED')]);
    await store.addFindings('old', [finding(5, 'KMS.1', 'FAILED')]);
    const failed = await store.listFindings('new', { limit: 1, controlId: 'KMS.3', status: 'FAILED' });
    expect(failed.items.map((f) => f.id)).toEqual(['f1']);
    const rest = await store.listFindings('new', {
      limit: 1,
      controlId: 'KMS.3',
      status: 'FAILED',
      nextToken: failed.nextToken!,
    });
    expect(rest).toEqual({ items: [expect.objectContaining({ id: 'f4' })] });
    expect(await store.purgeBefore(new Date('2021-01-01'))).toBe(1);
    expect(await store.getScan('old')).toBeUndefined();
    expect((await store.listFindings('old', { limit: 10 })).items).toEqual([]);
    await store.close();
  });
});
