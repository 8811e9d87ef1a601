/**
 * Change events in the distributed mode, with a real Redis: the serve replica consumes the simulator's SQS
 * queue and queues each target as a BullMQ job; a `keywarden worker` (in this process) runs it with its
 * TargetRunner (a recording one here). The SQS message is deleted only once the job finished; a failed
 * evaluation fails the job and leaves the message, which reaches the dead-letter queue after maxReceives.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { QUEUES } from '../../src/distributed/jobs.js';
import type { ChangeTarget } from '../../src/events/targets.js';
import { silentLogger } from '../../src/log/index.js';
import type { TargetOutcome, TargetRunner } from '../../src/scan/target-runner.js';
import type { RunningService } from '../../src/serve.js';
import { startService } from '../../src/serve.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import type { RunningWorker } from '../../src/worker.js';
import { startWorker } from '../../src/worker.js';
import { startAws } from '../integration/harness.js';
import { type RunningRedis, redisSkipped, startRedis } from '../helpers/redis.js';
import { waitFor, within } from '../helpers/wait.js';
import { API_TOKEN, distributedConfig } from './harness.js';

const REGION = 'us-east-1';

describe.skipIf(redisSkipped)('change events in the distributed mode', () => {
  let aws: RunningSimulator;
  let redis: RunningRedis;
  let sqs: SQSClient;
  let hub: string;
  let member: string;
  let worker: RunningWorker;
  let serve: RunningService;
  let queueName: string;
  let dlqName: string;
  let queueUrl: string;
  const calls: ChangeTarget[] = [];
  const gates = new Map<string, () => void>();

  /** Blocks `blocked-*` roles until the test opens them; fails `failing-*` roles; evaluates the rest. */
  const runner: TargetRunner = {
    run: async (target) => {
      calls.push(target);
      const name = (target.resource as { name?: string }).name ?? '';
      if (name.startsWith('failing-'))
        return { state: 'failed', reason: 'AccessDenied', imported: 0, archived: 0, errors: [] };
      if (name.startsWith('blocked-')) await new Promise<void>((resolve) => gates.set(name, resolve));
      return { state: 'evaluated', imported: 1, archived: 0, errors: [] } satisfies TargetOutcome;
    },
    destroy: () => undefined,
  };

  beforeAll(async () => {
    aws = await startAws({ organization: { accounts: 2, regions: [REGION] } });
    redis = await startRedis();
    hub = aws.state.managementAccountId;
    member = [...aws.state.accounts.values()].find((a) => a.status === 'ACTIVE' && a.id !== hub)!.id;
    sqs = new SQSClient({ region: REGION, credentials: aws.hubCredentials, maxAttempts: 1 });
    dlqName = 'kw-bullmq-events-dlq';
    queueName = 'kw-bullmq-events';
    aws.sqs.createQueue(hub, REGION, dlqName);
    queueUrl = aws.sqs.createQueue(hub, REGION, queueName, {
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: `arn:aws:sqs:${REGION}:${hub}:${dlqName}`,
        maxReceiveCount: 10,
      }),
    });
    const loaded = parseConfig(
      distributedConfig(redis.url, {
        events: { queueUrl, coalesceMs: 50, waitTimeSeconds: 1, maxReceives: 2 },
      }),
      'test',
    );
    worker = await startWorker({ loaded, logger: silentLogger(), healthPort: null, targetRunner: runner });
    serve = await startService({ loaded, logger: silentLogger() });
  }, 60_000);

  afterAll(async () => {
    for (const open of gates.values()) open();
    await serve?.shutdown();
    await worker?.close(1_000);
    sqs?.destroy();
    await redis?.stop();
    await aws?.stop();
  });

  const counts = (name: string) => aws.sqs.counts(hub, REGION, name);
  const roleEvent = (role: string) => {
    const text = readFileSync(join(import.meta.dirname, '../fixtures/events/PutRolePolicy.json'), 'utf8')
      .replaceAll('111122223333', member)
      .replace('"app-deployer"', JSON.stringify(role));
    const event = JSON.parse(text) as { id: string; time: string; detail: { eventTime: string } };
    event.id = `${event.id}-${role}`;
    event.time = event.detail.eventTime = new Date().toISOString();
    return JSON.stringify(event);
  };
  async function status() {
    const res = await serve.app.inject({
      method: 'GET',
      url: '/v1/events/status',
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(res.statusCode).toBe(200);
    return res.json<{
      state: string;
      counters: Record<string, number> & { outcomes: Record<string, number> };
    }>();
  }

  it('a target becomes a job the worker runs; the message is deleted only once the job finished', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: roleEvent('blocked-1') }));
    await waitFor('the worker to run the target', () => gates.has('blocked-1'));
    expect(calls.at(-1)).toMatchObject({
      accountId: member,
      region: REGION,
      controls: ['KMS.2'],
      resource: { kind: 'role', name: 'blocked-1' },
    });
    // The job is active on a worker; the event stays on the queue, invisible, not deleted.
    const jobs = new Queue(QUEUES.targets, { connection: { url: redis.url }, prefix: 'keywarden' });
    try {
      expect(await jobs.getActiveCount()).toBe(1);
    } finally {
      await jobs.close();
    }
    expect(counts(queueName)).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    expect((await status()).counters.deleted).toBe(0);
    gates.get('blocked-1')!();
    await waitFor('the delete', async () => (await status()).counters.deleted === 1);
    expect(counts(queueName)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect((await status()).counters.outcomes).toMatchObject({ evaluated: 1, failed: 0 });
  });

  it('a failed evaluation fails its job: the message stays, then reaches the dead-letter queue', async () => {
    const before = calls.length;
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: roleEvent('failing-1') }));
    await waitFor('the dead-lettering', async () => (await status()).counters.deadLettered === 1, {
      timeoutMs: 15_000,
    });
    expect(calls.length - before).toBe(2);
    expect(counts(dlqName).visible).toBe(1);
    expect(counts(queueName)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect((await status()).counters.outcomes).toMatchObject({ failed: 2 });
  });

  it('shutting the serve replica down waits for the job in flight and deletes its message', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: roleEvent('blocked-2') }));
    await waitFor('the worker to run the target', () => gates.has('blocked-2'));
    const stopped = serve.shutdown();
    gates.get('blocked-2')!();
    await within('the shutdown', stopped);
    expect(counts(queueName)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    // Shut down once: afterAll must not shut it down again.
    serve = { shutdown: async () => undefined } as unknown as RunningService;
  });
});
