/**
 * Runs a scan's units as BullMQ jobs on the workers. Job ids are derived from the scan and unit, so a
 * coordinator that is itself retried adds nothing twice; outcomes come back through the scan store
 * (each worker writes its unit's outcome), and a job that failed for good (it kept stalling, say) gets a
 * failed outcome with BullMQ's reason.
 */
import type { JobsOptions, Queue } from 'bullmq';
import type { UnitBatch, UnitExecutor } from '../scan/executor.js';
import type { ScanUnit } from '../scan/plan.js';
import type { UnitOutcome } from '../model/scan.js';
import { newOutcome } from '../model/scan.js';
import type { RedisScanStore } from '../store/redis.js';
import type { UnitJob } from './jobs.js';
import { unitJobId } from './jobs.js';

export interface BullMqExecutorOptions {
  queue: Queue<UnitJob>;
  store: RedisScanStore;
  attempts: number;
  backoffMs: number;
  /** How often the store is read for new outcomes. */
  pollMs?: number;
  /** Every how many polls the jobs still without an outcome are checked for a final failure. */
  failureCheckEvery?: number;
}

/** Outcomes are read from the store in chunks of this many units; job states this many at once. */
const READ_CHUNK = 500;
const STATE_CHUNK = 100;

export class BullMqExecutor implements UnitExecutor {
  constructor(private readonly options: BullMqExecutorOptions) {}

  async run(batch: UnitBatch): Promise<void> {
    const pending = new Map<string, ScanUnit>(batch.units.map((unit) => [unit.id, unit]));
    await this.options.queue.addBulk(batch.units.map((unit) => this.unitJob(batch, unit)));
    const pollMs = this.options.pollMs ?? 200;
    const failureCheckEvery = this.options.failureCheckEvery ?? 25;
    for (let poll = 1; pending.size > 0; poll++) {
      await this.collectOutcomes(batch, pending);
      if (pending.size === 0) break;
      if (poll % failureCheckEvery === 0) await this.collectFailures(batch, pending);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  private async collectOutcomes(batch: UnitBatch, pending: Map<string, ScanUnit>): Promise<void> {
    const done = (await this.options.store.unitIds(batch.scanId)).filter((id) => pending.has(id));
    for (let i = 0; i < done.length; i += READ_CHUNK) {
      const outcomes = await this.options.store.unitOutcomes(batch.scanId, done.slice(i, i + READ_CHUNK));
      for (const outcome of outcomes) {
        if (!pending.delete(outcome.unitId)) continue;
        batch.onOutcome(outcome);
      }
    }
  }

  /** Jobs that ended failed without an outcome (a worker crashed on them too often) or that vanished. */
  private async collectFailures(batch: UnitBatch, pending: Map<string, ScanUnit>): Promise<void> {
    const units = [...pending.values()];
    for (let i = 0; i < units.length; i += STATE_CHUNK) {
      const chunk = units.slice(i, i + STATE_CHUNK);
      const states = await Promise.all(
        chunk.map((unit) => this.options.queue.getJobState(unitJobId(batch.scanId, unit.id))),
      );
      for (const [index, state] of states.entries()) {
        const unit = chunk[index]!;
        if (state === 'unknown') await this.requeue(batch, unit);
        else if (state === 'failed') await this.recordFailure(batch, unit, pending);
      }
    }
  }

  /** A unit's job: the same id, data and options whether first added or added again. */
  private unitJob(batch: UnitBatch, unit: ScanUnit): { name: string; data: UnitJob; opts: JobsOptions } {
    return {
      name: 'unit',
      data: { scanId: batch.scanId, unit, settings: batch.settings },
      opts: {
        jobId: unitJobId(batch.scanId, unit.id),
        attempts: this.options.attempts,
        backoff: { type: 'exponential', delay: this.options.backoffMs },
        // Kept a while so a retried coordinator finds them; the scan store keeps the outcomes.
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    };
  }

  /** Removed before we saw its outcome (an operator cleaned the queue): run it again. */
  private async requeue(batch: UnitBatch, unit: ScanUnit): Promise<void> {
    const job = this.unitJob(batch, unit);
    await this.options.queue.add(job.name, job.data, job.opts);
  }

  private async recordFailure(
    batch: UnitBatch,
    unit: ScanUnit,
    pending: Map<string, ScanUnit>,
  ): Promise<void> {
    const job = await this.options.queue.getJob(unitJobId(batch.scanId, unit.id));
    // The worker may have written the outcome between our two reads: the store has the last word.
    const [written] = await this.options.store.unitOutcomes(batch.scanId, [unit.id]);
    const outcome: UnitOutcome = written ?? failedOutcome(unit, job?.failedReason ?? 'the job failed');
    if (written === undefined) await this.options.store.addUnit(batch.scanId, outcome);
    pending.delete(unit.id);
    batch.onOutcome(outcome);
  }
}

function failedOutcome(unit: ScanUnit, reason: string): UnitOutcome {
  const outcome = newOutcome(unit.id, unit.accountId, unit.region, unit.controls);
  outcome.state = 'failed';
  outcome.errors.push({ stage: 'execute', controls: [], code: 'JobFailed', message: reason });
  return outcome;
}
