/**
 * The event queue as the consumer sees it: receive with long polling, delete, release, and move a message
 * to the dead-letter queue. Backed by SQS; the dead-letter queue is the one the queue's RedrivePolicy
 * names, so malformed messages land where SQS's own redrive puts the ones that keep failing.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export interface QueuedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** How many times SQS has handed this message out (ApproximateReceiveCount). */
  receiveCount: number;
}

export interface EventQueue {
  /** How long a received message stays invisible (the consumer extends the ones it still holds). */
  readonly visibilityTimeoutSeconds: number;
  /** Up to `max` messages; waits up to `waitSeconds` for the first one. Rejects when `signal` aborts. */
  receive(max: number, waitSeconds: number, signal: AbortSignal): Promise<QueuedMessage[]>;
  /** Deletes messages; returns the ids of those that could not be deleted. */
  delete(messages: readonly QueuedMessage[]): Promise<string[]>;
  /** Keeps received messages invisible for another `visibilityTimeoutSeconds`. */
  extend(messages: readonly QueuedMessage[]): Promise<void>;
  /** Makes a received message visible again at once (another receive may take it). */
  release(message: QueuedMessage): Promise<void>;
  /** Sends a copy to the dead-letter queue, then deletes the original. */
  deadLetter(message: QueuedMessage): Promise<void>;
}

/** The URL of the dead-letter queue a queue's RedrivePolicy names. */
async function deadLetterUrl(client: SQSClient, queueUrl: string, raw: string | undefined): Promise<string> {
  if (raw === undefined)
    throw new Error(`the event queue ${queueUrl} has no dead-letter queue (set its RedrivePolicy)`);
  const arn = (JSON.parse(raw) as { deadLetterTargetArn?: string }).deadLetterTargetArn ?? '';
  const match = /^arn:[a-z-]+:sqs:[a-z0-9-]+:(\d{12}):(.+)$/.exec(arn);
  if (match === null) throw new Error(`the RedrivePolicy of ${queueUrl} names no queue ARN: ${arn}`);
  const { QueueUrl } = await client.send(
    new GetQueueUrlCommand({ QueueName: match[2], QueueOwnerAWSAccountId: match[1] }),
  );
  return QueueUrl!;
}

/**
 * An EventQueue on an SQS queue. Fails at once, with the reason, when the queue does not exist or has no
 * dead-letter queue, so a misconfigured consumer never starts.
 */
export async function sqsEventQueue(
  client: SQSClient,
  queueUrl: string,
  options: { deadLetterQueueUrl?: string; visibilityTimeoutSeconds?: number } = {},
): Promise<EventQueue> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['RedrivePolicy', 'VisibilityTimeout'],
    }),
  );
  const dlqUrl =
    options.deadLetterQueueUrl ?? (await deadLetterUrl(client, queueUrl, Attributes?.RedrivePolicy));
  const visibilityTimeoutSeconds =
    options.visibilityTimeoutSeconds ?? Number(Attributes?.VisibilityTimeout ?? 30);
  const queue: EventQueue = {
    visibilityTimeoutSeconds,
    async receive(max, waitSeconds, signal) {
      const out = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: max,
          WaitTimeSeconds: waitSeconds,
          VisibilityTimeout: visibilityTimeoutSeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
        { abortSignal: signal },
      );
      return (out.Messages ?? []).map((m) => ({
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body ?? '',
        receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
      }));
    },
    async delete(messages) {
      const failed: string[] = [];
      for (let i = 0; i < messages.length; i += 10) {
        const chunk = messages.slice(i, i + 10);
        const out = await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.receiptHandle })),
          }),
        );
        for (const entry of out.Failed ?? []) failed.push(chunk[Number(entry.Id)]!.messageId);
      }
      return failed;
    },
    async extend(messages) {
      for (let i = 0; i < messages.length; i += 10) {
        const chunk = messages.slice(i, i + 10);
        // An entry that fails (deleted meanwhile, or received again elsewhere) needs nothing more.
        await client.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((m, j) => ({
              Id: String(j),
              ReceiptHandle: m.receiptHandle,
              VisibilityTimeout: visibilityTimeoutSeconds,
            })),
          }),
        );
      }
    },
    async release(message) {
      await client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: message.receiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    },
    async deadLetter(message) {
      await client.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: message.body }));
      const failed = await queue.delete([message]);
      if (failed.length > 0)
        throw new Error(`message ${message.messageId} was copied to the dead-letter queue but not deleted`);
    },
  };
  return queue;
}
