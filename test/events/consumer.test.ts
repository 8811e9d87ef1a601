/** The event consumer against the simulator's SQS, through the real @aws-sdk/client-sqs over HTTP. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EventQueue, sqsEventQueue } from '../../src/aws/event-queue.js';
import { EventConsumer, type EventConsumerOptions } from '../../src/events/consumer.js';
import type { ChangeTarget } from '../../src/events/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { startSimulator } from '../../src/simulator/index.js';
import { waitFor, within } from '../helpers/wait.js';

const REGION = 'us-east-1';
let sim: RunningSimulator;
let sqs: SQSClient;
let account: string;
let serial = 0;
const consumers: EventConsumer[] = [];

beforeAll(async () => {
  sim = await startSimulator({ organization: { accounts: 1, regions: [REGION] } });
  account = sim.state.managementAccountId;
  sqs = new SQSClient({
    endpoint: sim.endpoint,
    region: REGION,
    credentials: sim.hubCredentials,
    maxAttempts: 1,
  });
});
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((c) => c.stop()));
});
afterAll(async () => {
  sqs.destroy();
  await sim.stop();
});

const fixture = (name: string): Record<string, unknown> & { detail: Record<string, unknown> } =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/events', `${name}.json`), 'utf8'));

/** A PutRolePolicy event for a role: one target (KMS.2, that role). */
function rolePolicyEvent(role: string, id = `evt-${++serial}`): string {
  const event = fixture('PutRolePolicy');
  event.id = id;
  (event.detail.requestParameters as Record<string, unknown>).roleName = role;
  return JSON.stringify(event);
}

interface Queues {
  url: string;
  name: string;
  dlqName: string;
}

async function queues(maxReceiveCount = 5, visibilityTimeout = 30): Promise<Queues> {
  const dlqName = `events-dlq-${++serial}`;
  sim.sqs.createQueue(account, REGION, dlqName);
  const name = `events-${serial}`;
  const out = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(visibilityTimeout),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: `arn:aws:sqs:${REGION}:${account}:${dlqName}`,
          maxReceiveCount,
        }),
      },
    }),
  );
  return { url: out.QueueUrl!, name, dlqName };
}

async function send(url: string, bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: `e${i + j}`, MessageBody: body })),
      }),
    );
    expect(out.Failed ?? []).toEqual([]);
  }
}

const counts = (q: Queues) => sim.sqs.counts(account, REGION, q.name);
const dlqCounts = (q: Queues) => sim.sqs.counts(account, REGION, q.dlqName);

async function consumer(
  q: Queues,
  handler: EventConsumerOptions['handler'],
  options: Partial<EventConsumerOptions> = {},
): Promise<EventConsumer> {
  const queue: EventQueue = await sqsEventQueue(sqs, q.url);
  const c = new EventConsumer({ queue, handler, coalesceMs: 200, ...options });
  consumers.push(c);
  c.start();
  return c;
}

/** A promise the test resolves, for handlers that must wait. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('EventConsumer on SQS', () => {
  it('deletes a message only after its target was handled', async () => {
    const q = await queues();
    const calls: ChangeTarget[][] = [];
    const g = gate();
    const c = await consumer(q, async (targets) => {
      calls.push(targets);
      await g.opened;
    });
    await send(q.url, [rolePolicyEvent('app-a')]);
    await waitFor('the handler call', () => calls.length === 1);
    // Handled but not finished: the message is held, invisible, not deleted.
    expect(counts(q)).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    expect(calls[0]).toEqual([
      expect.objectContaining({ controls: ['KMS.2'], resource: { kind: 'role', name: 'app-a' } }),
    ]);
    g.open();
    await waitFor('the delete', () => c.status().counters.deleted === 1);
    expect(counts(q)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(c.status().counters).toMatchObject({ received: 1, evaluated: 1, failed: 0, deadLettered: 0 });
  });

  it('a failing handler leaves the message to be redelivered, then SQS redrives it to the dead-letter queue', async () => {
    const q = await queues(2, 1);
    let calls = 0;
    const c = await consumer(
      q,
      async () => {
        calls++;
        throw new Error('member role denied');
      },
      { waitTimeSeconds: 1 },
    );
    const body = rolePolicyEvent('app-b');
    await send(q.url, [body]);
    await waitFor('the dead-letter queue to receive it', () => dlqCounts(q).visible === 1, {
      timeoutMs: 15_000,
    });
    expect(calls).toBe(2);
    expect(c.status().counters).toMatchObject({ received: 2, failed: 2, evaluated: 0, deleted: 0 });
    expect(counts(q)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url.replace(q.name, q.dlqName) }));
    expect(dead.Messages?.[0]?.Body).toBe(body);
  });

  it('malformed and unknown messages go to the dead-letter queue at once; the loop goes on', async () => {
    const q = await queues();
    const lines: { fields: object; message: string }[] = [];
    const log = {
      info: () => {},
      warn: (fields: object, message: string) => lines.push({ fields, message }),
      error: () => {},
    };
    const handled: ChangeTarget[][] = [];
    const c = await consumer(q, async (targets) => void handled.push(targets), { log });
    const unknown = { ...fixture('PutRolePolicy'), 'detail-type': 'EC2 Instance State-change Notification' };
    await send(q.url, ['{not json', JSON.stringify(unknown)]);
    await waitFor('two dead-lettered messages', () => c.status().counters.deadLettered === 2);
    expect(dlqCounts(q).visible).toBe(2);
    expect(counts(q)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(handled).toEqual([]);
    // One log line each, naming the message and the reason, not the body.
    expect(lines.filter((l) => l.message.includes('dead-letter'))).toHaveLength(2);
    expect(JSON.stringify(lines)).not.toContain('{not json');
    await send(q.url, [rolePolicyEvent('app-c')]);
    await waitFor('the next message handled', () => handled.length === 1);
    expect(c.status().state).toBe('running');
  });

  it('a burst for one resource becomes one handler call; every message of the burst is deleted', async () => {
    const q = await queues();
    const calls: ChangeTarget[][] = [];
    await send(q.url, [
      ...Array.from({ length: 20 }, () => rolePolicyEvent('hot-role')),
      ...Array.from({ length: 5 }, () => rolePolicyEvent('other-role')),
    ]);
    const c = await consumer(q, async (targets) => void calls.push(targets), { coalesceMs: 1_000 });
    await waitFor('all 25 deleted', () => c.status().counters.deleted === 25);
    const roles = calls.map((targets) => targets.map((t) => (t.resource as { name: string }).name));
    expect(roles.sort()).toEqual([['hot-role'], ['other-role']]);
    expect(c.status().counters).toMatchObject({ received: 25, coalesced: 23, evaluated: 2 });
    expect(counts(q)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('duplicates of an event whose evaluation succeeded are deleted without evaluating again; a new event is evaluated', async () => {
    const q = await queues();
    const calls: string[] = [];
    const c = await consumer(q, async (targets) => {
      calls.push(targets.map((t) => t.source.eventId).join());
    });
    const first = rolePolicyEvent('dup-role', 'evt-dup-first');
    await send(q.url, [first]);
    await waitFor('the first evaluation deleted', () => c.status().counters.deleted === 1);
    // EventBridge delivers at least once: the same event (same id) 30 more times, after it was handled.
    await send(
      q.url,
      Array.from({ length: 30 }, () => first),
    );
    await waitFor('the duplicates deleted', () => c.status().counters.deleted === 31);
    expect(calls).toEqual(['evt-dup-first']);
    // Another change to the same resource (a new event id) is evaluated.
    await send(q.url, [rolePolicyEvent('dup-role', 'evt-dup-second')]);
    await waitFor('the second evaluation deleted', () => c.status().counters.deleted === 32);
    expect(calls).toEqual(['evt-dup-first', 'evt-dup-second']);
    expect(c.status().counters).toMatchObject({ received: 32, evaluated: 2, coalesced: 30, failed: 0 });
    expect(counts(q)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('a duplicate received while its event is evaluated is covered by that evaluation; a failed one is not', async () => {
    const q = await queues(5, 1);
    const g = gate();
    const calls: string[] = [];
    const c = await consumer(
      q,
      async (targets) => {
        calls.push(targets.map((t) => t.source.eventId).join());
        await g.opened;
        if (calls.length === 1) throw new Error('throttled');
      },
      { waitTimeSeconds: 1 },
    );
    const body = rolePolicyEvent('dup-inflight', 'evt-inflight');
    await send(q.url, [body]);
    await waitFor('the first (failing) evaluation', () => calls.length === 1);
    await send(q.url, [body]);
    await waitFor('the duplicate pending behind it', () => c.status().pending === 1);
    g.open();
    // The failed evaluation covers nothing: the duplicate is evaluated, and that success covers the
    // original message when SQS redelivers it after its visibility timeout.
    await waitFor('both messages deleted', () => c.status().counters.deleted === 2, { timeoutMs: 10_000 });
    expect(calls).toEqual(['evt-inflight', 'evt-inflight']);
    expect(c.status().counters).toMatchObject({ received: 3, evaluated: 1, failed: 1 });
    expect(counts(q)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('targets outside the scope are ignored and counted; failed calls too; their messages are deleted', async () => {
    const q = await queues();
    const handled: ChangeTarget[][] = [];
    const c = await consumer(q, async (targets) => void handled.push(targets), {
      scope: (target) => (target.accountId === '111122223333' ? { outOfScope: 'account' } : target),
    });
    const failedCall = fixture('PutRolePolicy');
    failedCall.detail.errorCode = 'AccessDenied';
    await send(q.url, [rolePolicyEvent('forged'), JSON.stringify(failedCall)]);
    await waitFor('both deleted', () => c.status().counters.deleted === 2);
    expect(handled).toEqual([]);
    expect(c.status().counters.ignored).toEqual({ account: 1, 'failed-call': 1 });
  });

  it('a message with two targets is kept when one of them fails', async () => {
    const q = await queues();
    const c = await consumer(q, async (targets) => {
      if (targets[0]!.resource.kind === 'user') throw new Error('throttled');
    });
    await send(q.url, [
      readFileSync(join(import.meta.dirname, '../fixtures/events/custom-action-array.json'), 'utf8'),
    ]);
    await waitFor('three handler calls and the queue calls they led to', () => {
      const status = c.status();
      const calls = status.counters.evaluated + status.counters.failed;
      return calls === 3 && status.held === 0 && status.queueCalls === 0;
    });
    expect(c.status().counters).toMatchObject({ evaluated: 2, failed: 1, deleted: 0 });
    expect(counts(q)).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
  });

  it('stop mid-burst: finishes the calls in flight, deletes only those, hands the rest back', async () => {
    const q = await queues();
    const started: string[] = [];
    const g = gate();
    await send(
      q.url,
      ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].map((role) => rolePolicyEvent(role)),
    );
    const c = await consumer(
      q,
      async (targets) => {
        started.push((targets[0]!.resource as { name: string }).name);
        await g.opened;
      },
      { concurrency: 2, coalesceMs: 50 },
    );
    await waitFor('two calls in flight', () => c.status().inFlight === 2 && c.status().held === 6);
    const stopped = c.stop();
    expect(c.status().state).toBe('stopping');
    g.open();
    await within('the stop', stopped);
    expect(c.status().state).toBe('stopped');
    expect(started).toHaveLength(2);
    expect(c.status().counters).toMatchObject({ received: 6, evaluated: 2, deleted: 2 });
    // The four not handled are visible again at once for the next consumer.
    expect(counts(q)).toEqual({ visible: 4, inFlight: 0, delayed: 0 });
    const next: string[] = [];
    const again = await consumer(
      q,
      async (targets) => void next.push((targets[0]!.resource as { name: string }).name),
    );
    await waitFor('the rest handled by the next consumer', () => again.status().counters.deleted === 4);
    expect([...started, ...next].sort()).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
  });

  it('keeps a held message invisible past the visibility timeout while its evaluation waits', async () => {
    const q = await queues(1, 1);
    const g = gate();
    const c = await consumer(q, async () => g.opened);
    await send(q.url, [rolePolicyEvent('slow-role')]);
    const extensions = () => sim.counters.byOperation.get('sqs:ChangeMessageVisibilityBatch') ?? 0;
    const before = extensions();
    // Four extensions of a 1 s visibility (one every third of it): without them the message would have
    // been received again and, with maxReceiveCount 1, dead-lettered.
    try {
      await waitFor('four visibility extensions', () => extensions() - before >= 4);
    } finally {
      g.open();
    }
    await waitFor('the delete', () => c.status().counters.deleted === 1);
    expect(c.status().counters.received).toBe(1);
    expect(dlqCounts(q)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(counts(q)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('reports each handled change with the time since it happened', async () => {
    const q = await queues();
    const seen: [string, string, number][] = [];
    const event = fixture('PutRolePolicy');
    const c = await consumer(q, async () => {}, {
      onHandled: (target, outcome, ms) => seen.push([target.source.eventId, outcome, ms]),
    });
    const startedAt = Date.now();
    await send(q.url, [JSON.stringify(event)]);
    await waitFor('the delete', () => c.status().counters.deleted === 1);
    const changedAt = Date.parse(event.detail.eventTime as string);
    expect(seen).toHaveLength(1);
    expect(seen[0]![0]).toBe(event.id);
    expect(seen[0]![1]).toBe('evaluated');
    expect(seen[0]![2]).toBeGreaterThanOrEqual(startedAt - changedAt);
    expect(seen[0]![2]).toBeLessThanOrEqual(Date.now() - changedAt);
  });

  it('several pollers with a cap on held messages drain a queue and stop cleanly', async () => {
    const q = await queues();
    let peak = 0;
    const roles = Array.from({ length: 30 }, (_, i) => `role-${i}`);
    await send(
      q.url,
      roles.map((role) => rolePolicyEvent(role)),
    );
    const handled: string[] = [];
    const c = await consumer(
      q,
      async (targets) => {
        peak = Math.max(peak, c.status().held);
        handled.push((targets[0]!.resource as { name: string }).name);
      },
      { pollers: 2, maxHeldMessages: 5, maxMessages: 1, coalesceMs: 10, concurrency: 10 },
    );
    await waitFor('all 30 deleted', () => c.status().counters.deleted === 30);
    expect(handled.sort()).toEqual([...roles].sort());
    // Each poller may add one receive (one message) over the cap.
    expect(peak).toBeLessThanOrEqual(6);
    await within('the stop', c.stop());
    expect(c.status().state).toBe('stopped');
  });

  it('a queue without a dead-letter queue is refused with the reason', async () => {
    const out = await sqs.send(new CreateQueueCommand({ QueueName: `plain-${++serial}` }));
    await expect(sqsEventQueue(sqs, out.QueueUrl!)).rejects.toThrow(/no dead-letter queue/);
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: out.QueueUrl!, AttributeNames: ['All'] }),
    );
    expect(attributes.Attributes?.RedrivePolicy).toBeUndefined();
  });
});
