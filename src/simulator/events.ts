/**
 * Change events in the simulator: what the organization-wide EventBridge rules deliver to keywarden's
 * queue in the hub account. Off until a queue is configured (the rest of the suite sees no change).
 * Delivery is at least once and unordered, as EventBridge's is; the faults make that visible: a delay,
 * duplicates (the same event id twice) and reordering (a window of events held, then shuffled).
 */
import type { SimSqs } from './sqs.js';

export interface EventFaults {
  /** Added to the delivery of every event. */
  eventDelayMs: number;
  /** Probability that an event is delivered twice. */
  eventDuplicateRate: number;
  /** Events held and delivered shuffled, this many at a time (0 or 1: in order). */
  eventReorderWindow: number;
  /** The longest an event waits for its reorder window to fill. */
  eventReorderHoldMs: number;
}

export const DEFAULT_EVENT_FAULTS: EventFaults = {
  eventDelayMs: 0,
  eventDuplicateRate: 0,
  eventReorderWindow: 0,
  eventReorderHoldMs: 1_000,
};

export interface EventQueueRef {
  accountId: string;
  region: string;
  name: string;
}

export interface EventQueueOptions {
  name?: string;
  /** Receives before SQS moves a message to the dead-letter queue (the template's MaxReceiveCount). */
  maxReceiveCount?: number;
  visibilityTimeoutSeconds?: number;
}

export const DEFAULT_EVENT_QUEUE = 'keywarden-events';

export class SimEvents {
  private queue: EventQueueRef | undefined;
  private held: string[] = [];
  private holdTimer: NodeJS.Timeout | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private waiters: (() => void)[] = [];
  /** Events emitted (before faults), messages delivered, and messages lost to a missing queue. */
  readonly counts = { emitted: 0, delivered: 0, dropped: 0 };

  constructor(
    private readonly sqs: SimSqs,
    private readonly faults: EventFaults,
    private readonly random: () => number,
  ) {}

  /** Where events go; undefined turns emission off. */
  get target(): EventQueueRef | undefined {
    return this.queue;
  }

  deliverTo(queue: EventQueueRef | undefined): void {
    this.queue = queue;
  }

  /**
   * Creates the event queue and its dead-letter queue (with SQS redrive), as the security-account template
   * does, and delivers events there.
   */
  createQueues(
    accountId: string,
    region: string,
    options: EventQueueOptions = {},
  ): { queueUrl: string; deadLetterQueueUrl: string } {
    const name = options.name ?? DEFAULT_EVENT_QUEUE;
    const deadLetterQueueUrl = this.sqs.createQueue(accountId, region, `${name}-dlq`, {
      MessageRetentionPeriod: '1209600',
    });
    const queueUrl = this.sqs.createQueue(accountId, region, name, {
      ReceiveMessageWaitTimeSeconds: '20',
      VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 30),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: `arn:aws:sqs:${region}:${accountId}:${name}-dlq`,
        maxReceiveCount: options.maxReceiveCount ?? 5,
      }),
    });
    this.deliverTo({ accountId, region, name });
    return { queueUrl, deadLetterQueueUrl };
  }

  /** Delivers one EventBridge event (nothing when no queue is configured). */
  emit(event: Record<string, unknown>): void {
    if (this.queue === undefined) return;
    this.counts.emitted++;
    const body = JSON.stringify(event);
    const copies =
      this.faults.eventDuplicateRate > 0 && this.random() < this.faults.eventDuplicateRate ? 2 : 1;
    for (let i = 0; i < copies; i++) this.stage(body);
  }

  /** Events held or delayed, not yet in the queue. */
  pending(): number {
    return this.held.length + this.timers.size;
  }

  /** Resolves once every emitted event has reached the queue (or was dropped). */
  settled(): Promise<void> {
    if (this.pending() === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Delivers the held reorder window now, shuffled. */
  flush(): void {
    if (this.holdTimer !== undefined) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    const batch = this.held;
    this.held = [];
    // Fisher-Yates with the simulator's seeded random: the same seed gives the same order.
    for (let i = batch.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [batch[i], batch[j]] = [batch[j]!, batch[i]!];
    }
    for (const body of batch) this.send(body);
    this.notify();
  }

  /** Stops every timer; what was held or delayed is not delivered (the simulator is stopping). */
  close(): void {
    if (this.holdTimer !== undefined) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.held = [];
    this.notify();
  }

  private stage(body: string): void {
    if (this.faults.eventReorderWindow <= 1) return this.send(body);
    this.held.push(body);
    if (this.held.length >= this.faults.eventReorderWindow) this.flush();
    else this.holdTimer ??= setTimeout(() => this.flush(), this.faults.eventReorderHoldMs);
  }

  private send(body: string): void {
    const queue = this.queue;
    if (queue === undefined) return;
    if (this.faults.eventDelayMs <= 0) return this.deliver(queue, body);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.deliver(queue, body);
      this.notify();
    }, this.faults.eventDelayMs);
    this.timers.add(timer);
  }

  private deliver(queue: EventQueueRef, body: string): void {
    try {
      this.sqs.sendMessage(queue.accountId, queue.region, queue.name, body);
      this.counts.delivered++;
    } catch {
      // The queue was deleted: EventBridge's delivery fails and the event is lost.
      this.counts.dropped++;
    }
  }

  private notify(): void {
    if (this.pending() > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
