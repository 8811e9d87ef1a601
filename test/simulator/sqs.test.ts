/** The simulator's SQS, through the real @aws-sdk/client-sqs over HTTP. */
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  MessageNotInflight,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  TooManyEntriesInBatchRequest,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { startSimulator } from '../../src/simulator/index.js';
import { waitFor, within } from '../helpers/wait.js';

const REGION = 'us-east-1';
let sim: RunningSimulator;
let sqs: SQSClient;
let account: string;
let serial = 0;

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
afterAll(async () => {
  sqs.destroy();
  await sim.stop();
});

async function queue(attributes: Record<string, string> = {}): Promise<string> {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: `q${++serial}`, Attributes: attributes }));
  return out.QueueUrl!;
}

async function queueWithDlq(maxReceiveCount: number, visibility = '30') {
  const dlqUrl = await queue();
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
  );
  const url = await queue({
    VisibilityTimeout: visibility,
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount }),
  });
  return { url, dlqUrl };
}

const counts = async (url: string) => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
  );
  return {
    visible: Number(Attributes!.ApproximateNumberOfMessages),
    inFlight: Number(Attributes!.ApproximateNumberOfMessagesNotVisible),
  };
};

describe('simulated SQS over the JSON protocol', () => {
  it('CreateQueue is idempotent for equal attributes and refuses different ones; GetQueueUrl finds it', async () => {
    const url = await queue({ VisibilityTimeout: '12' });
    const name = url.split('/').pop()!;
    expect(url).toBe(`${sim.endpoint}/${account}/${name}`);
    const again = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '12' } }),
    );
    expect(again.QueueUrl).toBe(url);
    await expect(
      sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '13' } })),
    ).rejects.toBeInstanceOf(QueueNameExists);
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl).toBe(url);
    const attributes = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))
    ).Attributes!;
    expect(attributes.QueueArn).toBe(`arn:aws:sqs:${REGION}:${account}:${name}`);
    expect(attributes.VisibilityTimeout).toBe('12');
  });

  it('unknown queues are QueueDoesNotExist, with the SQS query code', async () => {
    const error = await sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueDoesNotExist);
    expect((error as { Code?: string }).Code).toBe('AWS.SimpleQueueService.NonExistentQueue');
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: `${sim.endpoint}/${account}/nope`, MessageBody: 'x' })),
    ).rejects.toBeInstanceOf(QueueDoesNotExist);
  });

  it('a RedrivePolicy must name an existing queue and a maxReceiveCount from 1 to 1000', async () => {
    const bad = (policy: object) =>
      sqs.send(
        new CreateQueueCommand({
          QueueName: `bad${++serial}`,
          Attributes: { RedrivePolicy: JSON.stringify(policy) },
        }),
      );
    await expect(
      bad({ deadLetterTargetArn: `arn:aws:sqs:${REGION}:${account}:missing`, maxReceiveCount: 3 }),
    ).rejects.toThrow(/Dead letter target does not exist/);
    const { dlqUrl } = await queueWithDlq(1);
    const arn = `arn:aws:sqs:${REGION}:${account}:${dlqUrl.split('/').pop()}`;
    await expect(bad({ deadLetterTargetArn: arn, maxReceiveCount: 0 })).rejects.toThrow(/maxReceiveCount/);
    await expect(
      sqs.send(
        new CreateQueueCommand({ QueueName: `bad${++serial}`, Attributes: { VisibilityTimeout: '50000' } }),
      ),
    ).rejects.toThrow(/VisibilityTimeout/);
  });

  it('send, receive with the receive count, delete; the SDK checks the MD5s', async () => {
    const url = await queue();
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"hello":"wörld"}' }));
    expect(sent.MessageId).toBeDefined();
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    expect(received.Messages).toHaveLength(1);
    const [message] = received.Messages!;
    expect(message!.Body).toBe('{"hello":"wörld"}');
    expect(message!.MessageId).toBe(sent.MessageId);
    expect(message!.Attributes).toEqual({ ApproximateReceiveCount: '1' });
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 1 });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message!.ReceiptHandle }));
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0 });
    // Deleting again with the same handle succeeds (idempotent), a made-up handle does not.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message!.ReceiptHandle }));
    await expect(
      sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'not-a-handle' })),
    ).rejects.toBeInstanceOf(ReceiptHandleIsInvalid);
  });

  it('batches: up to 10 entries, per-entry results', async () => {
    const url = await queue();
    const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `body ${i}` }));
    const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    expect(sent.Successful).toHaveLength(10);
    await expect(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: [...entries, { Id: 'm10', MessageBody: 'x' }],
        }),
      ),
    ).rejects.toBeInstanceOf(TooManyEntriesInBatchRequest);
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(received.Messages!.map((m) => m.Body).sort()).toEqual(entries.map((e) => e.MessageBody).sort());
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [...received.Messages!.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle }))]
          .slice(0, 9)
          .concat([{ Id: 'bad', ReceiptHandle: 'garbage' }]),
      }),
    );
    expect(deleted.Successful).toHaveLength(9);
    expect(deleted.Failed).toEqual([
      expect.objectContaining({ Id: 'bad', SenderFault: true, Code: 'ReceiptHandleIsInvalid' }),
    ]);
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 1 });
  });

  it('a long poll waits for a message and answers as soon as one is sent', async () => {
    const url = await queue();
    const started = Date.now();
    const poll = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    // The poll is parked on the queue (its request is open at the simulator) when the message arrives.
    await waitFor('the poll to reach the simulator', () => sim.counters.inFlight() === 1);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'late' }));
    const received = await within('the long poll', poll, 5_000);
    expect(received.Messages?.[0]?.Body).toBe('late');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a long poll on an empty queue answers empty when its wait ends', async () => {
    const url = await queue();
    const started = Date.now();
    const received = await within(
      'the long poll',
      sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 })),
      5_000,
    );
    expect(received.Messages ?? []).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('an aborted long poll takes nothing: the message goes to the next receive', async () => {
    const url = await queue();
    const controller = new AbortController();
    const poll = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }), {
      abortSignal: controller.signal,
    });
    await waitFor('the poll to reach the simulator', () => sim.counters.inFlight() === 1);
    controller.abort();
    await expect(poll).rejects.toThrow();
    // The simulator has seen the poll go (no request open) before the message is sent.
    await waitFor('the aborted poll to end', () => sim.counters.inFlight() === 0);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'kept' }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(received.Messages?.[0]?.Body).toBe('kept');
  });

  it('a message not deleted becomes visible again after its visibility timeout, with a higher receive count', async () => {
    const url = await queue();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 1 }));
    expect(first.Messages).toHaveLength(1);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages ?? []).toEqual([]);
    const second = await within(
      'the redelivery',
      sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          WaitTimeSeconds: 5,
          MessageSystemAttributeNames: ['All'],
        }),
      ),
    );
    expect(second.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(second.Messages?.[0]?.ReceiptHandle).not.toBe(first.Messages?.[0]?.ReceiptHandle);
    // The first receipt is stale: deleting with it succeeds but does not delete.
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.Messages![0]!.ReceiptHandle }),
    );
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 1 });
  });

  it('ChangeMessageVisibility releases a message at once; a message not in flight is refused', async () => {
    const url = await queue();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'release' }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    const handle = first.Messages![0]!.ReceiptHandle!;
    await sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: 0 }),
    );
    await expect(
      sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: 10 }),
      ),
    ).rejects.toBeInstanceOf(MessageNotInflight);
    const second = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    expect(second.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    await expect(
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: second.Messages![0]!.ReceiptHandle,
          VisibilityTimeout: 43_201,
        }),
      ),
    ).rejects.toThrow(/VisibilityTimeout/);
  });

  it('after maxReceiveCount receives, the next receive moves the message to the dead-letter queue', async () => {
    const { url, dlqUrl } = await queueWithDlq(2);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    for (let i = 1; i <= 2; i++) {
      const got = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          VisibilityTimeout: 0,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
      expect(got.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe(String(i));
    }
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages ?? []).toEqual([]);
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0 });
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl }));
    expect(dead.Messages?.[0]?.Body).toBe('poison');
  });

  it('a queue is visible only to its account and region', async () => {
    const url = await queue();
    const other = new SQSClient({
      endpoint: sim.endpoint,
      region: 'eu-west-1',
      credentials: sim.hubCredentials,
      maxAttempts: 1,
    });
    try {
      await expect(
        other.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })),
      ).rejects.toBeInstanceOf(QueueDoesNotExist);
    } finally {
      other.destroy();
    }
  });

  it('refuses invalid parameters with a clear error and keeps nothing', async () => {
    const url = await queue();
    await expect(
      sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })),
    ).rejects.toThrow(/MaxNumberOfMessages/);
    await expect(sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 21 }))).rejects.toThrow(
      /WaitTimeSeconds/,
    );
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bad \u0000 char' })),
    ).rejects.toThrow(/Invalid characters/);
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0 });
  });
});
