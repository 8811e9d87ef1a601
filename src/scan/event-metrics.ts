/**
 * Prometheus metrics of change-triggered evaluation, on the service's registry. The consumer keeps its own
 * counters (received, coalesced, ignored, dead-lettered); they are read at each scrape and added as the
 * difference since the previous one, so the metrics stay counters however often /metrics is read.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { ConsumerCounters } from '../events/consumer.js';
import type { TargetOutcome } from './target-runner.js';

export class EventMetrics {
  private readonly evaluated: Counter<'outcome'>;
  private readonly latency: Histogram;
  private source: (() => ConsumerCounters) | undefined;
  private readonly seen = {
    received: 0,
    coalesced: 0,
    deadLettered: 0,
    ignored: {} as Record<string, number>,
  };

  constructor(registry: Registry) {
    const counters = () => this.source?.();
    const seen = this.seen;
    const delta = (now: number, before: number) => Math.max(now - before, 0);
    new Counter({
      name: 'keywarden_events_received_total',
      help: 'Event messages received from the queue',
      registers: [registry],
      collect() {
        const now = counters();
        if (now === undefined) return;
        this.inc(delta(now.received, seen.received));
        seen.received = now.received;
      },
    });
    new Counter({
      name: 'keywarden_events_coalesced_total',
      help: 'Changes merged into a pending evaluation of the same resource',
      registers: [registry],
      collect() {
        const now = counters();
        if (now === undefined) return;
        this.inc(delta(now.coalesced, seen.coalesced));
        seen.coalesced = now.coalesced;
      },
    });
    new Counter({
      name: 'keywarden_events_ignored_total',
      help: 'Events or targets not evaluated, by reason (out of scope, failed call, ...)',
      labelNames: ['reason'],
      registers: [registry],
      collect() {
        const now = counters();
        if (now === undefined) return;
        for (const [reason, count] of Object.entries(now.ignored)) {
          this.inc({ reason }, delta(count, seen.ignored[reason] ?? 0));
          seen.ignored[reason] = count;
        }
      },
    });
    new Counter({
      name: 'keywarden_events_dead_lettered_total',
      help: 'Event messages keywarden moved to the dead-letter queue (SQS redrive is counted by SQS)',
      registers: [registry],
      collect() {
        const now = counters();
        if (now === undefined) return;
        this.inc(delta(now.deadLettered, seen.deadLettered));
        seen.deadLettered = now.deadLettered;
      },
    });
    this.evaluated = new Counter({
      name: 'keywarden_events_evaluated_total',
      help: 'Targeted evaluations, by outcome (evaluated, gone, skipped, failed)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.latency = new Histogram({
      name: 'keywarden_event_latency_seconds',
      help: 'From the change (the event time) to its findings imported',
      buckets: [0.5, 1, 2, 3, 5, 10, 30, 60, 300, 900],
      registers: [registry],
    });
  }

  /** Where the consumer's counters are read from at each scrape. */
  watch(counters: () => ConsumerCounters): void {
    this.source = counters;
  }

  outcome(state: TargetOutcome['state']): void {
    this.evaluated.inc({ outcome: state });
  }

  /** A change whose findings are imported `sinceChangeMs` after it happened. */
  handled(sinceChangeMs: number): void {
    this.latency.observe(Math.max(sinceChangeMs, 0) / 1000);
  }
}
