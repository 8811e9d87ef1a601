/**
 * Scan records in Redis, for the distributed mode: every `serve` replica and every worker reads and
 * writes the same records. A record is a hash of JSON fields, so an update writes only what changed
 * (no read-modify-write between replicas); units and findings are keyed by their ids, so a retried unit
 * overwrites its own records instead of adding duplicates.
 */
import type { Redis } from 'ioredis';
import type { ComplianceStatus, ControlId } from '../model/result.js';
import type { ScanSummary, UnitOutcome } from '../model/scan.js';
import type { FindingRecord, Page, ScanRecord, ScanStore } from './types.js';

const RECORD_FIELDS = [
  'id',
  'trigger',
  'scope',
  'state',
  'createdAt',
  'finishedAt',
  'progress',
  'summary',
] as const;

const encodeToken = (value: string): string => Buffer.from(value).toString('base64url');
function decodeToken(token: string): string {
  const value = Buffer.from(token, 'base64url').toString();
  if (value.length === 0 || encodeToken(value) !== token) throw new RangeError('invalid page token');
  return value;
}

/** How many findings are read per round trip while filtering a page. */
const FINDINGS_CHUNK = 500;

export class RedisScanStore implements ScanStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'keywarden',
  ) {}

  private key(...parts: string[]): string {
    return [this.prefix, 'store', ...parts].join(':');
  }

  async createScan(record: ScanRecord): Promise<void> {
    const seq = await this.redis.incr(this.key('seq'));
    await this.redis
      .multi()
      .hset(this.key('scan', record.id), encodeRecord(record))
      .zadd(this.key('scans'), seq, record.id)
      .zadd(this.key('scans-by-time'), Date.parse(record.createdAt), record.id)
      .exec();
  }

  async updateScan(
    id: string,
    patch: Partial<Pick<ScanRecord, 'state' | 'progress' | 'summary' | 'finishedAt'>>,
  ): Promise<void> {
    // Only an existing record is updated: a late write for a purged scan must not recreate it.
    const exists = await this.redis.exists(this.key('scan', id));
    if (exists === 0) return;
    const fields = encodeRecord(patch);
    if (Object.keys(fields).length > 0) await this.redis.hset(this.key('scan', id), fields);
  }

  async addUnit(scanId: string, outcome: UnitOutcome): Promise<void> {
    await this.redis.hset(this.key('scan', scanId, 'units'), outcome.unitId, JSON.stringify(outcome));
  }

  async addFindings(scanId: string, findings: FindingRecord[]): Promise<void> {
    if (findings.length === 0) return;
    const records: Record<string, string> = {};
    for (const finding of findings) records[finding.id] = JSON.stringify(finding);
    // Ordered by id (a sorted set of equal scores is ordered lexically): pages are stable under retries.
    await this.redis
      .multi()
      .hset(this.key('scan', scanId, 'findings'), records)
      .zadd(this.key('scan', scanId, 'finding-ids'), ...findings.flatMap((f) => [0, f.id]))
      .exec();
  }

  async getScan(id: string): Promise<ScanRecord | undefined> {
    return decodeRecord(await this.redis.hgetall(this.key('scan', id)));
  }

  async listScans(options: { limit: number; nextToken?: string }): Promise<Page<ScanRecord>> {
    const before = options.nextToken === undefined ? '+inf' : `(${Number(decodeToken(options.nextToken))}`;
    if (before === '(NaN') throw new RangeError('invalid page token');
    const page = await this.redis.zrevrangebyscore(
      this.key('scans'),
      before,
      '-inf',
      'WITHSCORES',
      'LIMIT',
      0,
      options.limit + 1,
    );
    const entries: { id: string; seq: string }[] = [];
    for (let i = 0; i < page.length; i += 2) entries.push({ id: page[i]!, seq: page[i + 1]! });
    const shown = entries.slice(0, options.limit);
    const pipeline = this.redis.pipeline();
    for (const { id } of shown) pipeline.hgetall(this.key('scan', id));
    const results = (await pipeline.exec()) ?? [];
    const items = results
      .map(([, value]) => decodeRecord(value as Record<string, string>))
      .filter((r): r is ScanRecord => r !== undefined);
    const last = shown.at(-1);
    return entries.length > options.limit && last ? { items, nextToken: encodeToken(last.seq) } : { items };
  }

  async listUnits(scanId: string): Promise<UnitOutcome[]> {
    const units = await this.redis.hgetall(this.key('scan', scanId, 'units'));
    return Object.keys(units)
      .sort()
      .map((id) => JSON.parse(units[id]!) as UnitOutcome);
  }

  /** The ids of the units that have an outcome (the BullMQ executor's view of progress). */
  async unitIds(scanId: string): Promise<string[]> {
    return this.redis.hkeys(this.key('scan', scanId, 'units'));
  }

  /** Adds a worker's API call counts for a scan (deltas: workers report what they did since last time). */
  async addApiCalls(scanId: string, delta: ScanSummary['apiCalls']): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const [operation, counts] of Object.entries(delta))
      for (const [kind, value] of Object.entries(counts))
        if (value !== 0) pipeline.hincrby(this.key('scan', scanId, 'calls'), `${operation}|${kind}`, value);
    await pipeline.exec();
  }

  async apiCalls(scanId: string): Promise<ScanSummary['apiCalls']> {
    const fields = await this.redis.hgetall(this.key('scan', scanId, 'calls'));
    const calls: ScanSummary['apiCalls'] = {};
    for (const [field, value] of Object.entries(fields)) {
      const [operation, kind] = field.split('|') as [string, 'calls' | 'throttled' | 'errors'];
      (calls[operation] ??= { calls: 0, throttled: 0, errors: 0 })[kind] = Number(value);
    }
    return calls;
  }

  /** The outcomes of some units (those that have one). */
  async unitOutcomes(scanId: string, unitIds: string[]): Promise<UnitOutcome[]> {
    if (unitIds.length === 0) return [];
    const texts = await this.redis.hmget(this.key('scan', scanId, 'units'), ...unitIds);
    return texts.filter((t): t is string => t !== null).map((t) => JSON.parse(t) as UnitOutcome);
  }

  async listFindings(
    scanId: string,
    options: { limit: number; nextToken?: string; controlId?: ControlId; status?: ComplianceStatus },
  ): Promise<Page<FindingRecord>> {
    const idsKey = this.key('scan', scanId, 'finding-ids');
    const recordsKey = this.key('scan', scanId, 'findings');
    let from = options.nextToken === undefined ? '-' : `(${decodeToken(options.nextToken)}`;
    const items: FindingRecord[] = [];
    let more = false;
    for (;;) {
      const ids = await this.redis.zrangebylex(idsKey, from, '+', 'LIMIT', 0, FINDINGS_CHUNK);
      if (ids.length === 0) break;
      const records = await this.redis.hmget(recordsKey, ...ids);
      for (const text of records) {
        if (text === null) continue;
        const finding = JSON.parse(text) as FindingRecord;
        if (options.controlId !== undefined && finding.controlId !== options.controlId) continue;
        if (options.status !== undefined && finding.status !== options.status) continue;
        if (items.length === options.limit) {
          more = true;
          break;
        }
        items.push(finding);
      }
      if (more || ids.length < FINDINGS_CHUNK) break;
      from = `(${ids.at(-1)!}`;
    }
    const last = items.at(-1);
    return more && last ? { items, nextToken: encodeToken(last.id) } : { items };
  }

  /**
   * In this mode a scan belongs to the queue, not to the process that started it: a `serve` replica
   * restarting says nothing about other replicas' scans. Orphans are found by the scan service instead.
   */
  async markInterrupted(): Promise<number> {
    return 0;
  }

  async purgeBefore(cutoff: Date): Promise<number> {
    const ids = await this.redis.zrangebyscore(this.key('scans-by-time'), '-inf', `(${cutoff.getTime()}`);
    if (ids.length === 0) return 0;
    const pipeline = this.redis.pipeline();
    for (const id of ids) {
      pipeline.del(
        this.key('scan', id),
        this.key('scan', id, 'units'),
        this.key('scan', id, 'findings'),
        this.key('scan', id, 'finding-ids'),
        this.key('scan', id, 'calls'),
      );
      pipeline.zrem(this.key('scans'), id);
      pipeline.zrem(this.key('scans-by-time'), id);
    }
    await pipeline.exec();
    return ids.length;
  }

  /** The connection belongs to whoever made it. */
  async close(): Promise<void> {}
}

function encodeRecord(record: Partial<ScanRecord>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const field of RECORD_FIELDS) {
    const value = record[field];
    if (value !== undefined) fields[field] = JSON.stringify(value);
  }
  return fields;
}

function decodeRecord(fields: Record<string, string>): ScanRecord | undefined {
  if (fields['id'] === undefined) return undefined;
  const record: Record<string, unknown> = {};
  for (const field of RECORD_FIELDS) {
    const text = fields[field];
    if (text !== undefined) record[field] = JSON.parse(text);
  }
  return record as unknown as ScanRecord;
}
