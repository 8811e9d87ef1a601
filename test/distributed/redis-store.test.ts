/** The Redis side of the distributed mode on a real redis-server: scan records, shared quotas, scope locks. */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Coordination } from '../../src/distributed/coordination.js';
import { RedisRateLimiter } from '../../src/aws/redis-rate-limit.js';
import { newOutcome } from '../../src/model/scan.js';
import { RedisScanStore } from '../../src/store/redis.js';
import { findingRecord, scanRecord } from '../helpers/records.js';
import type { RunningRedis } from '../helpers/redis.js';
import { redisSkipped, startRedis } from '../helpers/redis.js';

// An empty list in the scope: records must keep it as written.
const scan = (id: string, createdAt?: string) =>
  scanRecord(id, createdAt, { regions: ['us-east-1'], accounts: [] });
const finding = findingRecord;

describe.skipIf(redisSkipped)('Redis scan store, quotas and scope locks', () => {
  let server: RunningRedis;
  const connections: Redis[] = [];
  let prefixes = 0;
  const connect = () => {
    const redis = new Redis(server.url);
    connections.push(redis);
    return redis;
  };
  /** Each test its own key space, as two deployments sharing one Redis would have. */
  const prefix = () => `test${++prefixes}`;

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.quit()));
    await server?.stop();
  });

  it('keeps records as written (empty lists too) and updates only the fields given', async () => {
    const store = new RedisScanStore(connect(), prefix());
    await store.createScan(scan('a'));
    await store.updateScan('a', { state: 'completed', progress: { done: 4, total: 4 } });
    expect(await store.getScan('a')).toEqual({
      ...scan('a', (await store.getScan('a'))!.createdAt),
      state: 'completed',
      progress: { done: 4, total: 4 },
    });
    // A late update for a scan that is gone does not bring it back.
    await store.updateScan('missing', { state: 'completed' });
    expect(await store.getScan('missing')).toBeUndefined();
    // Another process's running scans are not this process's business.
    expect(await store.markInterrupted()).toBe(0);
  });

  it('lists scans newest first, page by page, and rejects a forged token', async () => {
    const store = new RedisScanStore(connect(), prefix());
    for (const id of ['s1', 's2', 's3', 's4', 's5']) await store.createScan(scan(id));
    const first = await store.listScans({ limit: 2 });
    expect(first.items.map((s) => s.id)).toEqual(['s5', 's4']);
    const second = await store.listScans({ limit: 2, nextToken: first.nextToken! });
    expect(second.items.map((s) => s.id)).toEqual(['s3', 's2']);
    const third = await store.listScans({ limit: 2, nextToken: second.nextToken! });
    expect(third).toEqual({ items: [expect.objectContaining({ id: 's1' })] });
    await expect(store.listScans({ limit: 2, nextToken: '!!' })).rejects.toThrow(/page token/);
    await expect(
      store.listScans({ limit: 2, nextToken: Buffer.from('x').toString('base64url') }),
    ).rejects.toThrow(/page token/);
  });

  it('keeps a finding and a unit once however often a retried unit writes them', async () => {
    const store = new RedisScanStore(connect(), prefix());
    await store.createScan(scan('new'));
    await store.createScan(scan('old', '2020-01-01T00:00:00.000Z'));
    await store.addFindings('new', [finding(1, 'KMS.3', 'FAILED'), finding(2, 'KMS.4', 'PASSED')]);
    await store.addFindings('new', [
      finding(1, 'KMS.3', 'FAILED'),
      finding(3, 'KMS.3', 'PASSED'),
      finding(4, 'KMS.3', 'FAILED'),
    ]);
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
    expect((await store.listFindings('new', { limit: 100 })).items.map((f) => f.id)).toEqual([
      'f1',
      'f2',
      'f3',
      'f4',
    ]);

    const unit = newOutcome('111122223333/us-east-1', '111122223333', 'us-east-1', ['KMS.3']);
    await store.addUnit('new', { ...unit, state: 'failed' });
    await store.addUnit('new', { ...unit, attempts: 2 });
    expect(await store.listUnits('new')).toEqual([{ ...unit, attempts: 2 }]);

    await store.addApiCalls('new', { 'KMS.ListKeys': { calls: 2, throttled: 1, errors: 0 } });
    await store.addApiCalls('new', { 'KMS.ListKeys': { calls: 3, throttled: 0, errors: 1 } });
    expect(await store.apiCalls('new')).toEqual({ 'KMS.ListKeys': { calls: 5, throttled: 1, errors: 1 } });

    expect(await store.purgeBefore(new Date('2021-01-01'))).toBe(1);
    expect(await store.getScan('old')).toBeUndefined();
    expect((await store.listFindings('old', { limit: 10 })).items).toEqual([]);
    expect((await store.listScans({ limit: 10 })).items.map((s) => s.id)).toEqual(['new']);
  });

  it('paces two processes through one bucket', async () => {
    const shared = prefix();
    const first = new RedisRateLimiter(connect(), shared);
    const second = new RedisRateLimiter(connect(), shared);
    // 10/s with a burst of 2 paces at 9/s with a burst of 1: eight takes need at least 7/9 s.
    const quota = { perSecond: 10, burst: 2 };
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 === 0 ? first : second).take('111122223333/us-east-1/BatchImportFindings', quota),
      ),
    );
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual((7 / 9) * 1000 - 20);
    // A different key has its own bucket: no wait.
    const other = performance.now();
    await first.take('444455556666/us-east-1/BatchImportFindings', quota);
    expect(performance.now() - other).toBeLessThan(200);
  });

  it('stops waiting for a token when the unit is cancelled', async () => {
    const limiter = new RedisRateLimiter(connect(), prefix());
    const quota = { perSecond: 0.1, burst: 1 };
    await limiter.take('k', quota);
    const controller = new AbortController();
    const waiting = limiter.take('k', quota, controller.signal);
    controller.abort(new Error('scan cancelled'));
    await expect(waiting).rejects.toThrow(/cancelled/);
  });

  it('gives a scope to one scan at a time, and hands it over only from the holder named', async () => {
    const coordination = new Coordination(connect(), prefix());
    expect(await coordination.claimScope('scope', 'scan-1')).toBeUndefined();
    expect(await coordination.claimScope('scope', 'scan-2')).toBe('scan-1');
    expect(await coordination.takeOverScope('scope', 'scan-9', 'scan-2')).toBe(false);
    expect(await coordination.takeOverScope('scope', 'scan-1', 'scan-2')).toBe(true);
    await coordination.releaseScope('scope', 'scan-1');
    expect(await coordination.claimScope('scope', 'scan-3')).toBe('scan-2');
    await coordination.releaseScope('scope', 'scan-2');
    expect(await coordination.claimScope('scope', 'scan-3')).toBeUndefined();
    expect(await coordination.isCancelRequested('scan-3')).toBe(false);
    await coordination.requestCancel('scan-3');
    expect(await coordination.isCancelRequested('scan-3')).toBe(true);
  });
});
