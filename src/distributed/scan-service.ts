/**
 * The scan service of a `serve` replica in the distributed mode: a scan is a record in Redis plus a scan
 * job; whichever worker takes the job runs it (and counts it in its own /metrics). Any replica can start, read or cancel any scan, and a
 * scope runs once at a time across all replicas.
 */
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Logger } from '../log/index.js';
import { newScanRecord } from '../scan/lifecycle.js';
import type { ResolvedScope } from '../scan/scope.js';
import { scopeKey } from '../scan/scope.js';
import type { ScanControl, StartResult } from '../service/scan-service.js';
import type { RedisScanStore } from '../store/redis.js';
import type { ScanRecord } from '../store/types.js';
import type { Coordination } from './coordination.js';
import type { ScanJob } from './jobs.js';
import type { ScanScope } from '../model/scope.js';

export class DistributedScanService implements ScanControl {
  constructor(
    private readonly store: RedisScanStore,
    private readonly coordination: Coordination,
    private readonly scans: Queue<ScanJob>,
    /** The configuration's resolver (compose.ts `scopeResolver`); each worker resolves the job again. */
    private readonly resolve: (scope: ScanScope) => ResolvedScope,
    private readonly logger: Logger,
  ) {}

  async start(scope: ScanScope, trigger: ScanRecord['trigger']): Promise<StartResult> {
    const key = scopeKey(this.resolve(scope));
    const id = randomUUID();
    const holder = await this.coordination.claimScope(key, id);
    if (holder !== undefined) {
      if (await this.isRunning(holder)) return { started: false, runningScanId: holder };
      // The holder's scan ended without letting go of the scope (its coordinator died for good).
      if (!(await this.coordination.takeOverScope(key, holder, id)))
        return { started: false, runningScanId: (await this.coordination.claimScope(key, id)) ?? holder };
    }
    const record = newScanRecord(id, scope, trigger);
    try {
      await this.store.createScan(record);
      await this.scans.add(
        'scan',
        { scanId: id, scope, scopeKey: key },
        { jobId: id, removeOnComplete: { age: 7 * 86_400 }, removeOnFail: { age: 7 * 86_400 } },
      );
    } catch (error) {
      await this.coordination.releaseScope(key, id);
      throw error;
    }
    this.logger.info({ scanId: id, scope, trigger }, 'scan queued');
    return { started: true, scan: record };
  }

  /**
   * Running: its record says so and its job is still queued or being worked on. A record left running by
   * a coordinator that died for good is marked interrupted on the way.
   */
  async isRunning(id: string): Promise<boolean> {
    const record = await this.store.getScan(id);
    if (record === undefined || record.state !== 'running') return false;
    const state = await this.scans.getJobState(id);
    if (state === 'completed' || state === 'failed' || state === 'unknown') {
      await this.store.updateScan(id, { state: 'interrupted', finishedAt: new Date().toISOString() });
      this.logger.warn(
        { scanId: id, jobState: state },
        'scan left running by a lost coordinator: interrupted',
      );
      return false;
    }
    return true;
  }

  async cancel(id: string): Promise<boolean> {
    if (!(await this.isRunning(id))) return false;
    await this.coordination.requestCancel(id);
    return true;
  }
}
