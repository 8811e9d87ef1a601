/**
 * What every ScanStore promises, whatever keeps the records: one suite that each store's test runs against
 * a real backend (a SQLite file, a redis-server). Behaviour that differs on purpose (which scans a restart
 * marks interrupted) stays in each store's own test.
 */
import { describe, expect, it } from 'vitest';
import { newOutcome } from '../../src/scan/types.js';
import type { ScanRecord, ScanStore } from '../../src/store/types.js';
import { findingRecord, scanRecord } from '../helpers/records.js';

/** `open` gives a fresh, empty store for each test; the suite closes it. */
export function describeStoreContract(name: string, open: () => Promise<ScanStore>): void {
  describe(`ScanStore contract: ${name}`, () => {
    const withStore = (test: (store: ScanStore) => Promise<void>) => async () => {
      const store = await open();
      try {
        await test(store);
      } finally {
        await store.close();
      }
    };

    it(
      'gives back a record as written, empty lists and a summary included, and updates only the fields given',
      withStore(async (store) => {
        const record: ScanRecord = scanRecord('a', '2026-01-02T03:04:05.000Z', {
          accounts: [],
          regions: ['us-east-1', 'eu-west-1'],
          controls: ['KMS.3'],
          dryRun: true,
        });
        await store.createScan(record);
        expect(await store.getScan('a')).toEqual(record);
        const summary = {
          scanId: 'a',
          state: 'completed' as const,
          startedAt: record.createdAt,
          finishedAt: '2026-01-02T03:05:00.000Z',
          durationMs: 55_000,
          dryRun: true,
          units: { planned: 2, done: 2, failed: 0, partial: 0, cancelled: 0 },
          skipped: [],
          findings: { 'KMS.3': { PASSED: 1, FAILED: 2, WARNING: 0, NOT_AVAILABLE: 0 } },
          imported: 0,
          importFailed: 0,
          archived: 0,
          apiCalls: { 'KMS.ListKeys': { calls: 2, throttled: 0, errors: 0 } },
        };
        await store.updateScan('a', { state: 'completed', progress: { done: 2, total: 2 } });
        await store.updateScan('a', { summary, finishedAt: summary.finishedAt });
        expect(await store.getScan('a')).toEqual({
          ...record,
          state: 'completed',
          progress: { done: 2, total: 2 },
          summary,
          finishedAt: summary.finishedAt,
        });
        // A late update for a scan that does not exist does not create it.
        await store.updateScan('missing', { state: 'completed' });
        expect(await store.getScan('missing')).toBeUndefined();
      }),
    );

    it(
      'lists scans newest first, page by page, and rejects a forged page token',
      withStore(async (store) => {
        for (const id of ['s1', 's2', 's3', 's4', 's5']) await store.createScan(scanRecord(id));
        const first = await store.listScans({ limit: 2 });
        expect(first.items.map((s) => s.id)).toEqual(['s5', 's4']);
        const second = await store.listScans({ limit: 2, nextToken: first.nextToken! });
        expect(second.items.map((s) => s.id)).toEqual(['s3', 's2']);
        const third = await store.listScans({ limit: 2, nextToken: second.nextToken! });
        expect(third).toEqual({ items: [scanRecord('s1', third.items[0]!.createdAt)] });
        // A page that holds the rest has no token.
        const whole = await store.listScans({ limit: 5 });
        expect(whole.items.map((s) => s.id)).toEqual(['s5', 's4', 's3', 's2', 's1']);
        expect(whole.nextToken).toBeUndefined();
        await expect(store.listScans({ limit: 2, nextToken: '!!' })).rejects.toThrow(RangeError);
      }),
    );

    it(
      'keeps findings in the order written, filters them by control and status, and pages them',
      withStore(async (store) => {
        await store.createScan(scanRecord('new'));
        await store.createScan(scanRecord('other'));
        await store.addFindings('new', [
          findingRecord(1, 'KMS.3', 'FAILED'),
          findingRecord(2, 'KMS.4', 'PASSED'),
          findingRecord(3, 'KMS.3', 'PASSED'),
        ]);
        await store.addFindings('other', [findingRecord(9, 'KMS.3', 'FAILED')]);
        await store.addFindings('new', [
          findingRecord(4, 'KMS.3', 'FAILED'),
          findingRecord(5, 'KMS.1', 'FAILED'),
        ]);
        const all = await store.listFindings('new', { limit: 100 });
        expect(all).toEqual({ items: [1, 2, 3, 4, 5].map((n) => expect.objectContaining({ id: `f${n}` })) });
        expect(all.items[1]).toEqual(findingRecord(2, 'KMS.4', 'PASSED'));

        const failed = await store.listFindings('new', { limit: 1, controlId: 'KMS.3', status: 'FAILED' });
        expect(failed.items.map((f) => f.id)).toEqual(['f1']);
        const rest = await store.listFindings('new', {
          limit: 1,
          controlId: 'KMS.3',
          status: 'FAILED',
          nextToken: failed.nextToken!,
        });
        expect(rest).toEqual({ items: [findingRecord(4, 'KMS.3', 'FAILED')] });
        expect(
          (await store.listFindings('new', { limit: 10, status: 'PASSED' })).items.map((f) => f.id),
        ).toEqual(['f2', 'f3']);
        expect(
          (await store.listFindings('new', { limit: 10, controlId: 'KMS.1' })).items.map((f) => f.id),
        ).toEqual(['f5']);
        expect(await store.listFindings('unknown', { limit: 10 })).toEqual({ items: [] });
        await expect(store.listFindings('new', { limit: 1, nextToken: '!!' })).rejects.toThrow(RangeError);
      }),
    );

    it(
      'keeps a finding written again (a retried unit) once, as last written, in its first place',
      withStore(async (store) => {
        await store.createScan(scanRecord('s'));
        await store.addFindings('s', [
          findingRecord(1, 'KMS.3', 'FAILED'),
          findingRecord(2, 'KMS.3', 'PASSED'),
        ]);
        await store.addFindings('s', [
          findingRecord(1, 'KMS.3', 'PASSED'),
          findingRecord(3, 'KMS.4', 'FAILED'),
        ]);
        expect(await store.listFindings('s', { limit: 10 })).toEqual({
          items: [
            findingRecord(1, 'KMS.3', 'PASSED'),
            findingRecord(2, 'KMS.3', 'PASSED'),
            findingRecord(3, 'KMS.4', 'FAILED'),
          ],
        });
        expect(
          (await store.listFindings('s', { limit: 10, status: 'FAILED' })).items.map((f) => f.id),
        ).toEqual(['f3']);
      }),
    );

    it(
      'keeps one outcome per unit, the last written, listed by unit id',
      withStore(async (store) => {
        await store.createScan(scanRecord('s'));
        const b = newOutcome('222233334444/us-east-1', '222233334444', 'us-east-1', ['KMS.3', 'KMS.4']);
        const a = newOutcome('111122223333/*', '111122223333', '*', ['KMS.1']);
        await store.addUnit('s', { ...b, state: 'failed' });
        await store.addUnit('s', a);
        await store.addUnit('s', {
          ...b,
          errors: [{ stage: 'collect', controls: ['KMS.4'], code: 'AccessDenied', message: 'no' }],
          findings: { 'KMS.3': { PASSED: 1, FAILED: 0, WARNING: 0, NOT_AVAILABLE: 0 } },
          state: 'partial',
        });
        expect(await store.listUnits('s')).toEqual([
          a,
          {
            ...b,
            errors: [{ stage: 'collect', controls: ['KMS.4'], code: 'AccessDenied', message: 'no' }],
            findings: { 'KMS.3': { PASSED: 1, FAILED: 0, WARNING: 0, NOT_AVAILABLE: 0 } },
            state: 'partial',
          },
        ]);
        expect(await store.listUnits('unknown')).toEqual([]);
      }),
    );

    it(
      'purges scans created before the cut-off with their units and findings, and nothing newer',
      withStore(async (store) => {
        await store.createScan(scanRecord('old', '2020-01-01T00:00:00.000Z'));
        await store.createScan(scanRecord('new'));
        for (const id of ['old', 'new']) {
          await store.addFindings(id, [findingRecord(1, 'KMS.1', 'FAILED')]);
          await store.addUnit(
            id,
            newOutcome('111122223333/us-east-1', '111122223333', 'us-east-1', ['KMS.1']),
          );
        }
        expect(await store.purgeBefore(new Date('2021-01-01'))).toBe(1);
        expect(await store.getScan('old')).toBeUndefined();
        expect((await store.listFindings('old', { limit: 10 })).items).toEqual([]);
        expect(await store.listUnits('old')).toEqual([]);
        expect((await store.listScans({ limit: 10 })).items.map((s) => s.id)).toEqual(['new']);
        expect((await store.listFindings('new', { limit: 10 })).items).toHaveLength(1);
        expect(await store.listUnits('new')).toHaveLength(1);
        expect(await store.purgeBefore(new Date('2021-01-01'))).toBe(0);
      }),
    );
  });
}
