/**
 * Change-triggered evaluation as the service runs it: the event consumer on the queue, the configured
 * scope in front of it, and a handler that runs each target (in this process, or as a job for the
 * workers). A target whose evaluation failed makes the handler reject, so its message stays on the queue
 * (SQS redelivers it, then redrives it to the dead-letter queue); a message received more than
 * `maxReceives` times goes to the dead-letter queue at once, whatever the queue's own redrive says.
 */
import type { EventQueue, QueuedMessage } from '../aws/event-queue.js';
import { type ConsumerCounters, type ConsumerStatus, EventConsumer } from '../events/consumer.js';
import { type ChangeTarget, targetKey } from '../events/targets.js';
import type { Logger } from '../log/index.js';
import type { EventMetrics } from './event-metrics.js';
import type { EventScopeDecision } from './event-scope.js';
import type { TargetOutcome } from './target-runner.js';

export interface EventServiceSettings {
  coalesceMs: number;
  waitTimeSeconds: number;
  concurrency: number;
  maxReceives: number;
}

export interface EventServiceOptions {
  queue: EventQueue;
  /** Evaluates one target (rejecting is the same as a `failed` outcome). */
  run: (target: ChangeTarget) => Promise<TargetOutcome>;
  scope: (target: ChangeTarget) => EventScopeDecision;
  settings: EventServiceSettings;
  logger: Logger;
  metrics?: EventMetrics;
  /**
   * Resolves when targets can be scoped (the organization's accounts are known). Polling starts then;
   * until then the service is `starting`. Called again, after a pause, when it rejects.
   */
  prepare?: () => Promise<void>;
}

export interface EventServiceStatus extends Omit<ConsumerStatus, 'state' | 'queueCalls'> {
  state: 'starting' | ConsumerStatus['state'];
  /** Targeted evaluations by outcome. */
  outcomes: Record<TargetOutcome['state'], number>;
}

export interface EventService {
  status(): EventServiceStatus;
  /** Stops polling, finishes the evaluations in flight, deletes what completed, hands the rest back. */
  stop(): Promise<void>;
}

const failedOutcome = (reason: string): TargetOutcome => ({
  state: 'failed',
  reason,
  imported: 0,
  archived: 0,
  errors: [],
});

/** The queue, with messages received more than `maxReceives` times moved to the dead-letter queue. */
function capReceives(
  queue: EventQueue,
  maxReceives: number,
  onDeadLettered: () => void,
  logger: Logger,
): EventQueue {
  return {
    visibilityTimeoutSeconds: queue.visibilityTimeoutSeconds,
    delete: (messages) => queue.delete(messages),
    extend: (messages) => queue.extend(messages),
    release: (message) => queue.release(message),
    deadLetter: (message) => queue.deadLetter(message),
    async receive(max, waitSeconds, signal) {
      const messages = await queue.receive(max, waitSeconds, signal);
      const keep: QueuedMessage[] = [];
      for (const message of messages) {
        if (message.receiveCount <= maxReceives) {
          keep.push(message);
          continue;
        }
        try {
          await queue.deadLetter(message);
          onDeadLettered();
          logger.warn(
            { messageId: message.messageId, receives: message.receiveCount, maxReceives },
            'event message moved to the dead-letter queue: its evaluation failed too often',
          );
        } catch (error) {
          // Left invisible: it comes back after its visibility timeout and is tried again.
          logger.warn({ messageId: message.messageId, err: error }, 'could not dead-letter an event message');
        }
      }
      return keep;
    },
  };
}

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

export function startEventService(options: EventServiceOptions): EventService {
  const { settings, logger, metrics } = options;
  const outcomes: EventServiceStatus['outcomes'] = { evaluated: 0, gone: 0, skipped: 0, failed: 0 };
  let capped = 0;
  /** Targets whose findings were imported (their latency is observed). */
  const imported = new WeakSet<ChangeTarget>();

  const runOne = async (target: ChangeTarget): Promise<void> => {
    const started = Date.now();
    let outcome: TargetOutcome;
    try {
      outcome = await options.run(target);
    } catch (error) {
      outcome = failedOutcome(error instanceof Error ? error.message : String(error));
    }
    outcomes[outcome.state]++;
    metrics?.outcome(outcome.state);
    const line = {
      target: targetKey(target),
      controls: target.controls,
      event: target.source.name,
      eventId: target.source.eventId,
      outcome: outcome.state,
      ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
      imported: outcome.imported,
      archived: outcome.archived,
      errors: outcome.errors.length,
      ms: Date.now() - started,
    };
    if (outcome.state === 'failed') {
      logger.warn(line, 'change evaluation failed; the event stays on the queue');
      throw new Error(`evaluating ${line.target} failed: ${outcome.reason ?? 'see errors'}`);
    }
    logger.info(line, 'change evaluated');
    if (outcome.state === 'evaluated' || outcome.state === 'gone') imported.add(target);
  };

  const consumer = new EventConsumer({
    queue: capReceives(options.queue, settings.maxReceives, () => capped++, logger),
    handler: async (targets) => {
      for (const target of targets) await runOne(target);
    },
    scope: options.scope,
    coalesceMs: settings.coalesceMs,
    waitTimeSeconds: settings.waitTimeSeconds,
    concurrency: settings.concurrency,
    onHandled: (target, outcome, sinceChangeMs) => {
      if (outcome === 'evaluated' && imported.has(target)) metrics?.handled(sinceChangeMs);
    },
    log: logger,
  });
  const counters = (): ConsumerCounters => {
    const status = consumer.status().counters;
    return { ...status, deadLettered: status.deadLettered + capped };
  };
  metrics?.watch(counters);

  let started = false;
  const abort = new AbortController();
  const starting = (async () => {
    let backoffMs = 1_000;
    while (options.prepare !== undefined && !abort.signal.aborted) {
      try {
        await options.prepare();
        break;
      } catch (error) {
        logger.warn({ err: error, retryInMs: backoffMs }, 'the event consumer cannot start yet');
        await pause(backoffMs, abort.signal);
        backoffMs = Math.min(backoffMs * 2, 60_000);
      }
    }
    if (abort.signal.aborted) return;
    consumer.start();
    started = true;
    logger.info({ ...settings }, 'consuming change events');
  })();

  return {
    status: () => {
      const { state, held, pending, inFlight } = consumer.status();
      return {
        state: started || abort.signal.aborted ? state : 'starting',
        held,
        pending,
        inFlight,
        counters: counters(),
        outcomes: { ...outcomes },
      };
    },
    stop: async () => {
      abort.abort();
      // Synchronously when running: no evaluation may start once stop was called.
      if (!started) await starting;
      await consumer.stop();
    },
  };
}
