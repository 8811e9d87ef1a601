/**
 * Change-event targets in the distributed mode: the serve replica consuming the event queue turns each
 * target into a job on the targets queue and waits for it, so the SQS message is deleted only once a
 * worker has imported the findings; a worker runs the job with its TargetRunner. A failed evaluation
 * fails the job (no BullMQ retry: the message stays on the event queue, and SQS retries it).
 */
import type { Job, Queue, QueueEvents } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import type { ChangeTarget } from '../events/targets.js';
import type { TargetOutcome, TargetRunner } from '../scan/target-runner.js';
import { parseJob, type TargetJob, TargetJobSchema } from './jobs.js';

/** How long the consumer waits for a worker before leaving the message to be retried. */
export const TARGET_JOB_WAIT_MS = 5 * 60_000;

/** Runs a target as a job and resolves with its outcome; rejects when the job fails or takes too long. */
export function queuedTargetRun(
  queue: Queue<TargetJob>,
  events: QueueEvents,
  waitMs = TARGET_JOB_WAIT_MS,
): (target: ChangeTarget) => Promise<TargetOutcome> {
  return async (target) => {
    const data = parseJob(TargetJobSchema, { target }, 'target');
    const job = await queue.add('target', data, {
      attempts: 1,
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 86_400, count: 10_000 },
    });
    return (await job.waitUntilFinished(events, waitMs)) as TargetOutcome;
  };
}

/** The worker's processor of target jobs: bad data and failed evaluations fail the job for good. */
export function targetJobProcessor(
  runner: () => TargetRunner,
): (job: Job<TargetJob>, token?: string, signal?: AbortSignal) => Promise<TargetOutcome> {
  return async (job, _token, signal) => {
    let data: TargetJob;
    try {
      data = parseJob(TargetJobSchema, job.data, 'target');
    } catch (error) {
      throw new UnrecoverableError((error as Error).message);
    }
    const outcome = await runner().run(data.target, signal);
    if (outcome.state === 'failed') throw new UnrecoverableError(outcome.reason ?? 'the evaluation failed');
    return outcome;
  };
}
