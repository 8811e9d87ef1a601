/**
 * Consumes the event queue: long polls, turns each message into targets, coalesces the targets for one
 * resource that arrive within `coalesceMs` into one handler call, and deletes a message only once every
 * target it produced was handled. A failed handler leaves its messages to SQS (visible again after the
 * visibility timeout, then redriven to the dead-letter queue); a message we cannot read goes to the
 * dead-letter queue at once. Stopping stops polling, lets the handlers in flight finish, deletes what
 * completed and hands the rest back to the queue.
 *
 * A duplicate (the same event id for the same resource) of an event whose evaluation already succeeded
 * needs no evaluation of its own: that evaluation started after the event was first received, so after the
 * change, and read the current state. It is deleted at once (counted as coalesced). This keeps a storm of
 * duplicates at about one evaluation per resource, however long the queue takes to drain.
 *
 * A small loop rather than sqs-consumer: that library handles one received batch at a time and polls again
 * only once the batch is done, so a coalescing window would stall polling and bursts would not coalesce
 * across receives.
 */
import type { EventQueue, QueuedMessage } from '../aws/event-queue.js';
import { type ChangeTarget, changeTargets, mergeTargets, mergeTwo, targetKey } from './targets.js';

export type TargetHandler = (targets: ChangeTarget[]) => Promise<void>;

/** A target to evaluate (possibly with fewer controls), or why it is out of scope. */
export type ScopeDecision = ChangeTarget | { outOfScope: string };

export interface ConsumerLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface EventConsumerOptions {
  queue: EventQueue;
  handler: TargetHandler;
  /** Narrows a target to the configured accounts, regions and controls; everything is in scope without it. */
  scope?: (target: ChangeTarget) => ScopeDecision;
  /** Targets for one resource arriving within this window become one handler call. */
  coalesceMs?: number;
  /** Long-poll wait of each receive (SQS allows 0 to 20). */
  waitTimeSeconds?: number;
  /** Messages per receive (1 to 10). */
  maxMessages?: number;
  /** Handler calls at once. */
  concurrency?: number;
  /** Polling pauses while this many received messages are not yet done. */
  maxHeldMessages?: number;
  /** Receive loops at once (more drain a burst faster). */
  pollers?: number;
  /** Called after each handler call: how long since the change happened (for a latency histogram). */
  onHandled?: (target: ChangeTarget, outcome: 'evaluated' | 'failed', sinceChangeMs: number) => void;
  log?: ConsumerLog;
}

export interface ConsumerCounters {
  /** Messages received. */
  received: number;
  /** Targets merged into a pending evaluation of the same resource. */
  coalesced: number;
  /** Handler calls that completed. */
  evaluated: number;
  /** Handler calls that failed (their messages are retried by SQS). */
  failed: number;
  /** Messages or targets that needed nothing, by reason. */
  ignored: Record<string, number>;
  /** Messages moved to the dead-letter queue. */
  deadLettered: number;
  /** Messages deleted after every target they produced was handled. */
  deleted: number;
}

export interface ConsumerStatus {
  state: 'idle' | 'running' | 'stopping' | 'stopped';
  /** Received messages not yet deleted or handed back. */
  held: number;
  /** Resources waiting for their coalescing window or a free handler. */
  pending: number;
  /** Handler calls in flight. */
  inFlight: number;
  /** Deletes, releases and moves to the dead-letter queue under way. */
  queueCalls: number;
  counters: ConsumerCounters;
}

/** A received message and how many of its targets are still to be handled. */
interface Held {
  message: QueuedMessage;
  receivedAt: number;
  remaining: number;
  failed: boolean;
}

interface Pending {
  key: string;
  target: ChangeTarget;
  messages: Held[];
  /** `<key> <event id>` of every target merged here. */
  events: Set<string>;
  timer: NodeJS.Timeout | undefined;
  due: boolean;
}

/** Handled (resource, event id) pairs remembered for duplicates; a forgotten one is only evaluated again. */
const HANDLED_MEMORY = 100_000;

const eventOf = (key: string, target: ChangeTarget) => `${key} ${target.source.eventId}`;

const silent: ConsumerLog = { info: () => {}, warn: () => {}, error: () => {} };

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

export class EventConsumer {
  private readonly queue: EventQueue;
  private readonly handler: TargetHandler;
  private readonly scope: (target: ChangeTarget) => ScopeDecision;
  private readonly coalesceMs: number;
  private readonly waitTimeSeconds: number;
  private readonly maxMessages: number;
  private readonly concurrency: number;
  private readonly maxHeld: number;
  private readonly pollers: number;
  private readonly onHandled: EventConsumerOptions['onHandled'];
  private readonly log: ConsumerLog;
  private heartbeat: NodeJS.Timeout | undefined;

  private state: ConsumerStatus['state'] = 'idle';
  private readonly abort = new AbortController();
  private loopDone: Promise<void> = Promise.resolve();
  private stopping: Promise<void> | undefined;
  /** Resources not yet handed to the handler, by coalescing key. */
  private readonly pending = new Map<string, Pending>();
  /** Keys whose window has passed, in order, waiting for a free handler. */
  private readonly ready: string[] = [];
  /** Handler calls in flight, by key: one key is never evaluated twice at once. */
  private readonly running = new Map<string, Promise<void>>();
  private readonly held = new Set<Held>();
  /** Deletes, releases and dead-letterings under way (stop waits for them). */
  private readonly io = new Set<Promise<void>>();
  /**
   * `<key> <event id>` of targets whose evaluation succeeded (oldest dropped past HANDLED_MEMORY): their
   * duplicates need no evaluation.
   */
  private readonly handled = new Set<string>();
  /** Woken when a handler call ends (polling waits on it while too many messages are held). */
  private readonly progress = new Set<() => void>();

  private readonly counters: ConsumerCounters = {
    received: 0,
    coalesced: 0,
    evaluated: 0,
    failed: 0,
    ignored: {},
    deadLettered: 0,
    deleted: 0,
  };

  constructor(options: EventConsumerOptions) {
    this.queue = options.queue;
    this.handler = options.handler;
    this.scope = options.scope ?? ((target) => target);
    this.coalesceMs = options.coalesceMs ?? 2_000;
    this.waitTimeSeconds = options.waitTimeSeconds ?? 20;
    this.maxMessages = options.maxMessages ?? 10;
    this.concurrency = options.concurrency ?? 4;
    this.maxHeld = options.maxHeldMessages ?? 10_000;
    this.pollers = options.pollers ?? 1;
    this.onHandled = options.onHandled;
    this.log = options.log ?? silent;
  }

  start(): void {
    if (this.state !== 'idle') throw new Error(`the event consumer is ${this.state}`);
    this.state = 'running';
    this.loopDone = Promise.all(Array.from({ length: this.pollers }, () => this.loop())).then(() => {});
    // Messages held longer than the visibility timeout would be redelivered and, after maxReceiveCount,
    // dead-lettered though nothing failed: extend them while they wait for their evaluation.
    const everyMs = Math.max((this.queue.visibilityTimeoutSeconds * 1000) / 3, 100);
    this.heartbeat = setInterval(() => this.extendHeld(everyMs), everyMs);
    this.heartbeat.unref();
  }

  private extendHeld(olderThanMs: number): void {
    const now = Date.now();
    const due = [...this.held].filter((h) => now - h.receivedAt >= olderThanMs);
    if (due.length === 0) return;
    for (const held of due) held.receivedAt = now;
    this.track(
      this.queue.extend(due.map((h) => h.message)).catch((error: unknown) => {
        this.log.warn(
          { err: error, messages: due.length },
          'could not extend the visibility of held event messages',
        );
      }),
    );
  }

  /** Stops polling, waits for the handler calls in flight, deletes what completed, releases the rest. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  status(): ConsumerStatus {
    return {
      state: this.state,
      held: this.held.size,
      pending: this.pending.size,
      inFlight: this.running.size,
      queueCalls: this.io.size,
      counters: { ...this.counters, ignored: { ...this.counters.ignored } },
    };
  }

  private async shutdown(): Promise<void> {
    if (this.state === 'idle') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    this.abort.abort();
    clearInterval(this.heartbeat);
    this.wakePollers();
    await this.loopDone;
    for (const entry of this.pending.values()) clearTimeout(entry.timer);
    this.pending.clear();
    this.ready.length = 0;
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
    // What is still held was not (fully) handled: back to the queue for the next consumer.
    for (const held of [...this.held]) {
      this.held.delete(held);
      this.track(
        this.queue.release(held.message).catch((error: unknown) => {
          this.log.warn(
            { messageId: held.message.messageId, err: error },
            'could not release an event message; it becomes visible after its visibility timeout',
          );
        }),
      );
    }
    while (this.io.size > 0) await Promise.allSettled([...this.io]);
    this.state = 'stopped';
  }

  private track(work: Promise<void>): void {
    this.io.add(work);
    const done = () => void this.io.delete(work);
    void work.then(done, done);
  }

  private async loop(): Promise<void> {
    let backoffMs = 0;
    while (this.state === 'running') {
      if (this.held.size >= this.maxHeld) {
        await new Promise<void>((resolve) => this.progress.add(resolve));
        continue;
      }
      let messages: QueuedMessage[];
      try {
        messages = await this.queue.receive(this.maxMessages, this.waitTimeSeconds, this.abort.signal);
        backoffMs = 0;
      } catch (error) {
        if (this.state !== 'running') break;
        backoffMs = Math.min(Math.max(backoffMs * 2, 100), 10_000);
        this.log.warn({ err: error, retryInMs: backoffMs }, 'receiving from the event queue failed');
        await pause(backoffMs, this.abort.signal);
        continue;
      }
      // Messages that need nothing (ignored, out of scope, duplicates of handled events): one delete call.
      const done: QueuedMessage[] = [];
      for (const message of messages) {
        try {
          this.accept(message, done);
        } catch (error) {
          // Never let one message stop the loop.
          this.deadLetter(message, `could not be read: ${String(error)}`);
        }
      }
      if (done.length > 0) this.deleteDone(done);
    }
  }

  private ignore(reason: string): void {
    this.counters.ignored[reason] = (this.counters.ignored[reason] ?? 0) + 1;
  }

  private accept(message: QueuedMessage, done: QueuedMessage[]): void {
    this.counters.received++;
    const result = changeTargets(message.body);
    if ('malformed' in result) {
      this.deadLetter(message, result.malformed);
      return;
    }
    if ('ignored' in result) {
      this.ignore(result.ignored);
      done.push(message);
      return;
    }
    const inScope: ChangeTarget[] = [];
    for (const target of result.targets) {
      const decision = this.scope(target);
      if ('outOfScope' in decision) this.ignore(decision.outOfScope);
      else if (decision.controls.length === 0) this.ignore('no-controls-in-scope');
      else inScope.push(decision);
    }
    const targets = mergeTargets(inScope).filter((target) => {
      if (!this.handled.has(eventOf(targetKey(target), target))) return true;
      this.counters.coalesced++;
      return false;
    });
    if (targets.length === 0) {
      done.push(message);
      return;
    }
    const held: Held = { message, receivedAt: Date.now(), remaining: targets.length, failed: false };
    this.held.add(held);
    for (const target of targets) this.enqueue(target, held);
  }

  private enqueue(target: ChangeTarget, held: Held): void {
    const key = targetKey(target);
    const pending = this.pending.get(key);
    if (pending !== undefined) {
      pending.target = mergeTwo(pending.target, target);
      pending.messages.push(held);
      pending.events.add(eventOf(key, target));
      this.counters.coalesced++;
      return;
    }
    const entry: Pending = {
      key,
      target,
      messages: [held],
      events: new Set([eventOf(key, target)]),
      timer: undefined,
      due: false,
    };
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      entry.due = true;
      this.ready.push(key);
      this.pump();
    }, this.coalesceMs);
    this.pending.set(key, entry);
  }

  /** Starts handler calls for due resources while there is room, never two for one resource. */
  private pump(): void {
    if (this.state !== 'running') return;
    for (let i = 0; i < this.ready.length && this.running.size < this.concurrency;) {
      const key = this.ready[i]!;
      const entry = this.pending.get(key);
      if (this.running.has(key) || entry === undefined) {
        // A later evaluation of a resource waits for the one in flight (it must read the newer state).
        if (entry === undefined) this.ready.splice(i, 1);
        else i++;
        continue;
      }
      this.ready.splice(i, 1);
      this.pending.delete(key);
      const run = this.run(entry).finally(() => {
        this.running.delete(key);
        this.wakePollers();
        this.pump();
      });
      this.running.set(key, run);
    }
  }

  private async run(entry: Pending): Promise<void> {
    let ok = false;
    try {
      // Duplicates received while the evaluation of their event was in flight: that evaluation covers them.
      if ([...entry.events].every((event) => this.handled.has(event))) {
        // Its other targets were counted as they were merged into it.
        this.counters.coalesced++;
        ok = true;
      } else {
        await this.handler([entry.target]);
        ok = true;
        this.counters.evaluated++;
        this.remember(entry.events);
        this.observe(entry.target, 'evaluated');
      }
    } catch (error) {
      this.counters.failed++;
      this.observe(entry.target, 'failed');
      this.log.warn(
        { target: entry.key, messages: entry.messages.length, err: error },
        'evaluating a change failed; its messages are retried by the queue',
      );
    }
    const done: QueuedMessage[] = [];
    for (const held of entry.messages) {
      held.remaining--;
      if (!ok) held.failed = true;
      if (held.remaining > 0) continue;
      this.held.delete(held);
      // A failed message stays invisible until its visibility timeout, then SQS redelivers or redrives it.
      if (!held.failed) done.push(held.message);
    }
    if (done.length > 0) this.deleteDone(done);
  }

  private remember(events: Set<string>): void {
    for (const event of events) {
      this.handled.delete(event);
      this.handled.add(event);
    }
    // A Set iterates in insertion order: the first entries are the oldest.
    for (const event of this.handled) {
      if (this.handled.size <= HANDLED_MEMORY) break;
      this.handled.delete(event);
    }
  }

  private wakePollers(): void {
    for (const resolve of this.progress) resolve();
    this.progress.clear();
  }

  private observe(target: ChangeTarget, outcome: 'evaluated' | 'failed'): void {
    const changedAt = Date.parse(target.source.time);
    if (this.onHandled === undefined || !Number.isFinite(changedAt)) return;
    try {
      this.onHandled(target, outcome, Date.now() - changedAt);
    } catch (error) {
      this.log.warn({ err: error }, 'the onHandled observer failed');
    }
  }

  private deleteDone(messages: QueuedMessage[]): void {
    this.track(
      this.queue.delete(messages).then(
        (failed) => {
          this.counters.deleted += messages.length - failed.length;
          if (failed.length > 0)
            this.log.warn(
              { messageIds: failed },
              'could not delete handled event messages; they will be handled again',
            );
        },
        (error: unknown) =>
          this.log.warn(
            { err: error, messages: messages.length },
            'could not delete handled event messages; they will be handled again',
          ),
      ),
    );
  }

  private deadLetter(message: QueuedMessage, reason: string): void {
    // One line per message: its id and why, never its body.
    this.log.warn({ messageId: message.messageId, reason }, 'event message moved to the dead-letter queue');
    this.track(
      this.queue.deadLetter(message).then(
        () => {
          this.counters.deadLettered++;
        },
        (error: unknown) =>
          this.log.error(
            { messageId: message.messageId, err: error },
            'could not move an event message to the dead-letter queue; SQS redrives it after its receives',
          ),
      ),
    );
  }
}
