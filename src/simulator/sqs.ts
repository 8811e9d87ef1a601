/**
 * Amazon SQS in the simulator: standard queues over the JSON protocol the SDK v3 speaks (AWS JSON 1.0,
 * `X-Amz-Target: AmazonSQS.<Action>`, errors with SQS's `x-amzn-query-error` code), with long polling that
 * waits on the queue (no busy loop), visibility timeouts, receive counts and redrive to a dead-letter queue.
 * Queues live per (account, region); a queue URL is `<endpoint>/<account>/<name>` and the signing region
 * picks the region, as the regional endpoint does at AWS. Retention periods are not enforced.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** An SQS error: the JSON `__type`, the query-compatible code the SDK reports, the HTTP status. */
/** A batch call's answer: each entry's own result, or its failure, as SQS reports them one by one. */
function eachEntry(
  entries: readonly Record<string, unknown>[],
  apply: (entry: Record<string, unknown>) => Record<string, unknown>,
): { Successful: unknown[]; Failed: unknown[] } {
  const Successful: unknown[] = [];
  const Failed: unknown[] = [];
  for (const entry of entries) {
    try {
      Successful.push({ Id: entry.Id, ...apply(entry) });
    } catch (error) {
      const e = error as SqsError;
      Failed.push({ Id: entry.Id, SenderFault: true, Code: e.queryCode, Message: e.message });
    }
  }
  return { Successful, Failed };
}

export class SqsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    readonly queryCode = type,
  ) {
    super(message);
  }
}

const errors = {
  noQueue: () =>
    new SqsError(
      'QueueDoesNotExist',
      'The specified queue does not exist.',
      400,
      'AWS.SimpleQueueService.NonExistentQueue',
    ),
  invalidHandle: (handle: string) =>
    new SqsError(
      'ReceiptHandleIsInvalid',
      `The input receipt handle "${handle}" is not a valid receipt handle.`,
      404,
    ),
  notInflight: () =>
    new SqsError(
      'MessageNotInflight',
      'Message is not in flight.',
      400,
      'AWS.SimpleQueueService.MessageNotInflight',
    ),
  invalidValue: (message: string) => new SqsError('InvalidParameterValue', message),
  missing: (name: string) =>
    new SqsError('MissingParameter', `The request must contain the parameter ${name}.`),
  attributeName: (name: string) => new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`),
  attributeValue: (name: string, why = '') =>
    new SqsError(
      'InvalidAttributeValue',
      `Invalid value for the parameter ${name}.${why ? ` Reason: ${why}` : ''}`,
    ),
  batch: (type: string, message: string) =>
    new SqsError(type, message, 400, `AWS.SimpleQueueService.${type}`),
};

const MAX_WAIT_SECONDS = 20;
const MAX_VISIBILITY_SECONDS = 43_200;
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;
// The characters SQS allows in a message body (#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF).
// eslint-disable-next-line no-control-regex
const INVALID_BODY_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** The attributes CreateQueue accepts, with their defaults and allowed ranges. */
const NUMERIC_ATTRIBUTES: Record<string, { default: number; min: number; max: number }> = {
  DelaySeconds: { default: 0, min: 0, max: 900 },
  MaximumMessageSize: { default: 1_048_576, min: 1024, max: 1_048_576 },
  MessageRetentionPeriod: { default: 345_600, min: 60, max: 1_209_600 },
  ReceiveMessageWaitTimeSeconds: { default: 0, min: 0, max: MAX_WAIT_SECONDS },
  VisibilityTimeout: { default: 30, min: 0, max: MAX_VISIBILITY_SECONDS },
};
const OTHER_ATTRIBUTES = new Set([
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'Policy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'FifoQueue',
]);
const READ_ONLY_ATTRIBUTES = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
];
const MESSAGE_ATTRIBUTES = [
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SentTimestamp',
  'SenderId',
];

interface SimMessage {
  id: string;
  body: string;
  md5: string;
  senderId: string;
  sentAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  /** Epoch ms from which the message can be received (after a delay or a visibility timeout). */
  visibleAt: number;
  /** The receipt handle of the latest receive. */
  handle?: string;
  timer?: NodeJS.Timeout;
}

interface Waiter {
  /** Tries to take messages; true when it took some and answered. */
  fill(): boolean;
}

interface SimQueue {
  key: string;
  name: string;
  accountId: string;
  region: string;
  arn: string;
  createdAt: number;
  attributes: Record<string, string>;
  messages: Map<string, SimMessage>;
  waiters: Set<Waiter>;
}

export interface SqsCall {
  accountId: string;
  region: string;
  /** The caller's ARN (SenderId of what it sends). */
  callerArn: string;
  body: Record<string, unknown>;
  /** Aborted when the client goes away (a long poll then takes nothing). */
  closed: AbortSignal;
}

export interface QueueCounts {
  visible: number;
  inFlight: number;
  delayed: number;
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
const seconds = (ms: number) => String(Math.floor(ms / 1000));

function integerParam(name: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw errors.invalidValue(
      `Value ${JSON.stringify(value)} for parameter ${name} is invalid. Reason: must be an integer from ${min} to ${max}.`,
    );
  return value;
}

function stringParam(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (value === undefined || value === null || value === '') throw errors.missing(name);
  if (typeof value !== 'string') throw errors.invalidValue(`Value for parameter ${name} must be a string.`);
  return value;
}

function listParam(body: Record<string, unknown>, name: string): unknown[] {
  const value = body[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw errors.invalidValue(`Value for parameter ${name} must be a list.`);
  return value;
}

export class SimSqs {
  private readonly queues = new Map<string, SimQueue>();

  constructor(private readonly endpoint: () => string) {}

  private static key(accountId: string, region: string, name: string): string {
    return `${region}/${accountId}/${name}`;
  }

  urlOf(queue: { accountId: string; name: string }): string {
    return `${this.endpoint()}/${queue.accountId}/${queue.name}`;
  }

  /** The queue a URL names, for a caller in `accountId` and `region` (only its own queues). */
  private byUrl(url: string, accountId: string, region: string): SimQueue {
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      throw errors.invalidValue(`Value ${url} for parameter QueueUrl is invalid. Reason: not a URL.`);
    }
    const [owner, name, ...rest] = path.split('/').filter((s) => s !== '');
    const queue =
      owner !== undefined && name !== undefined && rest.length === 0 && owner === accountId
        ? this.queues.get(SimSqs.key(owner, region, name))
        : undefined;
    if (queue === undefined) throw errors.noQueue();
    return queue;
  }

  private byArn(arn: string): SimQueue | undefined {
    const match = /^arn:[a-z-]+:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]+)$/.exec(arn);
    return match ? this.queues.get(SimSqs.key(match[2]!, match[1]!, match[3]!)) : undefined;
  }

  // -- The simulator's own use (event delivery, tests) ------------------------------------------------

  /** Creates a queue (or returns the existing one with the same attributes), as CreateQueue does. */
  createQueue(
    accountId: string,
    region: string,
    name: string,
    attributes: Record<string, string> = {},
  ): string {
    if (!QUEUE_NAME.test(name))
      throw errors.invalidValue(
        `Value ${name} for parameter QueueName is invalid. Reason: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.`,
      );
    const checked = this.checkAttributes(accountId, region, attributes);
    const key = SimSqs.key(accountId, region, name);
    const existing = this.queues.get(key);
    if (existing) {
      for (const [attribute, value] of Object.entries(checked))
        if (existing.attributes[attribute] !== value)
          throw new SqsError(
            'QueueNameExists',
            `A queue already exists with the same name and a different value for attribute ${attribute}`,
            400,
            'QueueAlreadyExists',
          );
      return this.urlOf(existing);
    }
    const defaults = Object.fromEntries(
      Object.entries(NUMERIC_ATTRIBUTES).map(([attribute, spec]) => [attribute, String(spec.default)]),
    );
    this.queues.set(key, {
      key,
      name,
      accountId,
      region,
      arn: `arn:aws:sqs:${region}:${accountId}:${name}`,
      createdAt: Date.now(),
      attributes: { ...defaults, SqsManagedSseEnabled: 'true', ...checked },
      messages: new Map(),
      waiters: new Set(),
    });
    return this.urlOf({ accountId, name });
  }

  /** Sends a message to a queue named by (account, region, name); returns its MessageId. */
  sendMessage(accountId: string, region: string, name: string, body: string, delaySeconds?: number): string {
    const queue = this.queues.get(SimSqs.key(accountId, region, name));
    if (queue === undefined) throw errors.noQueue();
    return this.enqueue(queue, body, delaySeconds, `arn:aws:iam::${accountId}:root`).id;
  }

  /** How many messages a queue holds, by state. */
  counts(accountId: string, region: string, name: string): QueueCounts {
    const queue = this.queues.get(SimSqs.key(accountId, region, name));
    if (queue === undefined) throw errors.noQueue();
    return this.countsOf(queue);
  }

  /** Stops every timer (the simulator is stopping). */
  close(): void {
    for (const queue of this.queues.values())
      for (const message of queue.messages.values()) clearTimeout(message.timer);
  }

  // -- Internals ---------------------------------------------------------------------------------------

  private checkAttributes(accountId: string, region: string, attributes: unknown): Record<string, string> {
    if (attributes === undefined || attributes === null) return {};
    if (typeof attributes !== 'object' || Array.isArray(attributes))
      throw errors.invalidValue('Value for parameter Attributes must be a map.');
    const checked: Record<string, string> = {};
    for (const [name, raw] of Object.entries(attributes as Record<string, unknown>)) {
      if (typeof raw !== 'string') throw errors.attributeValue(name, 'must be a string');
      const numeric = NUMERIC_ATTRIBUTES[name];
      if (numeric) {
        const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
        if (!(value >= numeric.min && value <= numeric.max))
          throw errors.attributeValue(name, `must be from ${numeric.min} to ${numeric.max}`);
        checked[name] = String(value);
      } else if (name === 'RedrivePolicy') {
        checked[name] = this.checkRedrivePolicy(accountId, region, raw);
      } else if (name === 'FifoQueue') {
        if (raw === 'true') throw errors.attributeValue(name, 'FIFO queues are not simulated');
        checked[name] = raw;
      } else if (name === 'Policy') {
        try {
          JSON.parse(raw);
        } catch {
          throw errors.attributeValue(name, 'the policy is not JSON');
        }
        checked[name] = raw;
      } else if (OTHER_ATTRIBUTES.has(name)) checked[name] = raw;
      else throw errors.attributeName(name);
    }
    return checked;
  }

  private checkRedrivePolicy(accountId: string, region: string, raw: string): string {
    let policy: Record<string, unknown>;
    try {
      policy = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      throw errors.invalidValue(`Value ${raw} for parameter RedrivePolicy is invalid. Reason: Invalid JSON.`);
    }
    const target = policy.deadLetterTargetArn;
    const count = Number(policy.maxReceiveCount);
    const reason = (why: string) =>
      errors.invalidValue(`Value ${raw} for parameter RedrivePolicy is invalid. Reason: ${why}`);
    if (typeof target !== 'string') throw reason('Redrive policy does not contain deadLetterTargetArn.');
    if (!Number.isInteger(count) || count < 1 || count > 1000)
      throw reason('Invalid value for maxReceiveCount: must be an integer from 1 to 1000.');
    const dlq = this.byArn(target);
    if (dlq === undefined || dlq.region !== region || dlq.accountId !== accountId)
      throw reason('Dead letter target does not exist.');
    return JSON.stringify({ deadLetterTargetArn: target, maxReceiveCount: count });
  }

  private redriveOf(queue: SimQueue): { target: SimQueue; maxReceiveCount: number } | undefined {
    const raw = queue.attributes.RedrivePolicy;
    if (raw === undefined) return undefined;
    const policy = JSON.parse(raw) as { deadLetterTargetArn: string; maxReceiveCount: number };
    const target = this.byArn(policy.deadLetterTargetArn);
    // A dead-letter queue deleted since: messages stay where they are, as at AWS.
    return target && { target, maxReceiveCount: policy.maxReceiveCount };
  }

  private countsOf(queue: SimQueue): QueueCounts {
    const now = Date.now();
    const counts: QueueCounts = { visible: 0, inFlight: 0, delayed: 0 };
    for (const message of queue.messages.values()) {
      if (message.visibleAt <= now) counts.visible++;
      else if (message.handle === undefined) counts.delayed++;
      else counts.inFlight++;
    }
    return counts;
  }

  /** Wakes the long polls of a queue when a message becomes visible at `at`. */
  private scheduleVisible(queue: SimQueue, message: SimMessage, at: number): void {
    clearTimeout(message.timer);
    message.visibleAt = at;
    const delay = at - Date.now();
    if (delay <= 0) {
      message.timer = undefined;
      this.wake(queue);
      return;
    }
    message.timer = setTimeout(() => {
      message.timer = undefined;
      this.wake(queue);
    }, delay);
    message.timer.unref();
  }

  private wake(queue: SimQueue): void {
    for (const waiter of [...queue.waiters]) if (!waiter.fill()) break;
  }

  private enqueue(
    queue: SimQueue,
    body: string,
    delaySeconds: number | undefined,
    senderId: string,
  ): SimMessage {
    const max = Number(queue.attributes.MaximumMessageSize);
    if (Buffer.byteLength(body, 'utf8') > max)
      throw errors.invalidValue(
        `One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`,
      );
    if (body.length === 0) throw errors.missing('MessageBody');
    if (INVALID_BODY_CHAR.test(body))
      throw new SqsError(
        'InvalidMessageContents',
        'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
      );
    const delay = delaySeconds ?? Number(queue.attributes.DelaySeconds);
    const now = Date.now();
    const message: SimMessage = {
      id: randomUUID(),
      body,
      md5: md5(body),
      senderId,
      sentAt: now,
      receiveCount: 0,
      visibleAt: now,
    };
    queue.messages.set(message.id, message);
    this.scheduleVisible(queue, message, now + delay * 1000);
    return message;
  }

  /** Takes up to `max` visible messages, moving those received too often to the dead-letter queue. */
  private take(queue: SimQueue, max: number, visibilitySeconds: number): SimMessage[] {
    const now = Date.now();
    const redrive = this.redriveOf(queue);
    const taken: SimMessage[] = [];
    for (const message of queue.messages.values()) {
      if (taken.length >= max) break;
      if (message.visibleAt > now) continue;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        this.moveToDeadLetter(queue, message, redrive.target);
        continue;
      }
      message.receiveCount++;
      message.firstReceiveAt ??= now;
      message.handle = Buffer.from(`${queue.key}\n${message.id}\n${randomUUID()}`).toString('base64url');
      this.scheduleVisible(queue, message, now + visibilitySeconds * 1000);
      taken.push(message);
    }
    return taken;
  }

  private moveToDeadLetter(queue: SimQueue, message: SimMessage, target: SimQueue): void {
    clearTimeout(message.timer);
    queue.messages.delete(message.id);
    // The message keeps its id, body and sent time; its receive count starts again.
    const moved: SimMessage = { ...message, receiveCount: 0, firstReceiveAt: undefined, handle: undefined };
    moved.timer = undefined;
    target.messages.set(moved.id, moved);
    this.scheduleVisible(target, moved, Date.now());
  }

  /** The message a receipt handle names in this queue: undefined when it was deleted since. */
  private byHandle(queue: SimQueue, handle: unknown): SimMessage | undefined {
    if (typeof handle !== 'string' || handle === '') throw errors.missing('ReceiptHandle');
    const [queueKey, messageId, nonce] = Buffer.from(handle, 'base64url').toString('utf8').split('\n');
    if (queueKey !== queue.key || messageId === undefined || nonce === undefined)
      throw errors.invalidHandle(handle);
    return queue.messages.get(messageId);
  }

  private deleteByHandle(queue: SimQueue, handle: unknown): void {
    const message = this.byHandle(queue, handle);
    // Only the latest receipt deletes; an older one "succeeds, but the message is not deleted" (AWS docs).
    if (message === undefined || message.handle !== handle) return;
    clearTimeout(message.timer);
    queue.messages.delete(message.id);
  }

  private messageView(message: SimMessage, attributeNames: Set<string>): Record<string, unknown> {
    const all = attributeNames.has('All');
    const values: Record<string, string> = {
      ApproximateReceiveCount: String(message.receiveCount),
      ApproximateFirstReceiveTimestamp: String(message.firstReceiveAt ?? Date.now()),
      SentTimestamp: String(message.sentAt),
      SenderId: message.senderId,
    };
    const attributes = Object.fromEntries(
      MESSAGE_ATTRIBUTES.filter((name) => all || attributeNames.has(name)).map((name) => [
        name,
        values[name]!,
      ]),
    );
    return {
      MessageId: message.id,
      ReceiptHandle: message.handle,
      MD5OfBody: message.md5,
      Body: message.body,
      ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
    };
  }

  private batchEntries(body: Record<string, unknown>): Record<string, unknown>[] {
    const entries = listParam(body, 'Entries');
    if (entries.length === 0)
      throw errors.batch(
        'EmptyBatchRequest',
        'There should be at least one SendMessageBatchRequestEntry in the request.',
      );
    if (entries.length > 10)
      throw errors.batch(
        'TooManyEntriesInBatchRequest',
        `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
      );
    const ids = new Set<string>();
    for (const entry of entries) {
      const id = (entry as Record<string, unknown> | null)?.Id;
      if (typeof id !== 'string' || !BATCH_ID.test(id))
        throw errors.batch(
          'InvalidBatchEntryId',
          'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
        );
      if (ids.has(id)) throw errors.batch('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
      ids.add(id);
    }
    return entries as Record<string, unknown>[];
  }

  // -- The wire ----------------------------------------------------------------------------------------

  /** Answers one SQS request (its errors too, in SQS's JSON format). */
  async handle(res: ServerResponse, action: string, call: SqsCall): Promise<void> {
    try {
      const result = await this.operation(action, call);
      if (result === null) {
        // The client went away during a long poll.
        if (!res.headersSent) res.destroy();
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() })
        .end(JSON.stringify(result));
    } catch (error) {
      const sqsError =
        error instanceof SqsError
          ? error
          : new SqsError('InternalFailure', String(error), 500, 'InternalFailure');
      res
        .writeHead(sqsError.status, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-requestid': randomUUID(),
          'x-amzn-query-error': `${sqsError.queryCode};${sqsError.status >= 500 ? 'Receiver' : 'Sender'}`,
        })
        .end(JSON.stringify({ __type: `com.amazonaws.sqs#${sqsError.type}`, message: sqsError.message }));
    }
  }

  private async operation(action: string, call: SqsCall): Promise<Record<string, unknown> | null> {
    const { body, accountId, region } = call;
    const queue = () => this.byUrl(stringParam(body, 'QueueUrl'), accountId, region);
    switch (action) {
      case 'CreateQueue':
        return {
          QueueUrl: this.createQueue(
            accountId,
            region,
            stringParam(body, 'QueueName'),
            body.Attributes as Record<string, string>,
          ),
        };
      case 'GetQueueUrl': {
        const owner = body.QueueOwnerAWSAccountId ?? accountId;
        const found =
          owner === accountId
            ? this.queues.get(SimSqs.key(accountId, region, stringParam(body, 'QueueName')))
            : undefined;
        if (found === undefined) throw errors.noQueue();
        return { QueueUrl: this.urlOf(found) };
      }
      case 'ListQueues': {
        const prefix = typeof body.QueueNamePrefix === 'string' ? body.QueueNamePrefix : '';
        const urls = [...this.queues.values()]
          .filter((q) => q.accountId === accountId && q.region === region && q.name.startsWith(prefix))
          .map((q) => this.urlOf(q));
        return urls.length > 0 ? { QueueUrls: urls } : {};
      }
      case 'GetQueueAttributes':
        return { Attributes: this.attributesOf(queue(), listParam(body, 'AttributeNames')) };
      case 'SendMessage': {
        const target = queue();
        if (body.MessageAttributes !== undefined || body.MessageSystemAttributes !== undefined)
          throw new SqsError(
            'UnsupportedOperation',
            'Message attributes are not simulated.',
            400,
            'AWS.SimpleQueueService.UnsupportedOperation',
          );
        const delay = integerParam('DelaySeconds', body.DelaySeconds, 0, 900);
        const message = this.enqueue(target, stringParam(body, 'MessageBody'), delay, call.callerArn);
        return { MessageId: message.id, MD5OfMessageBody: message.md5 };
      }
      case 'SendMessageBatch':
        return this.sendBatch(queue(), body, call.callerArn);
      case 'ReceiveMessage':
        return this.receive(queue(), body, call.closed);
      case 'DeleteMessage':
        this.deleteByHandle(queue(), body.ReceiptHandle);
        return {};
      case 'DeleteMessageBatch': {
        const target = queue();
        return eachEntry(this.batchEntries(body), (entry) => {
          this.deleteByHandle(target, entry.ReceiptHandle);
          return {};
        });
      }
      case 'ChangeMessageVisibility':
        this.changeVisibility(queue(), body);
        return {};
      case 'ChangeMessageVisibilityBatch': {
        const target = queue();
        return eachEntry(this.batchEntries(body), (entry) => {
          this.changeVisibility(target, entry);
          return {};
        });
      }
      default:
        throw new SqsError(
          'UnknownOperationException',
          `sqs:${action} is not simulated`,
          400,
          'UnknownOperation',
        );
    }
  }

  private changeVisibility(queue: SimQueue, request: Record<string, unknown>): void {
    const timeout = integerParam('VisibilityTimeout', request.VisibilityTimeout, 0, MAX_VISIBILITY_SECONDS);
    if (timeout === undefined) throw errors.missing('VisibilityTimeout');
    const message = this.byHandle(queue, request.ReceiptHandle);
    if (message === undefined) throw errors.invalidHandle(String(request.ReceiptHandle));
    if (message.handle !== request.ReceiptHandle || message.visibleAt <= Date.now())
      throw errors.notInflight();
    this.scheduleVisible(queue, message, Date.now() + timeout * 1000);
  }

  private attributesOf(queue: SimQueue, requested: unknown[]): Record<string, string> {
    const known = [...Object.keys(NUMERIC_ATTRIBUTES), ...OTHER_ATTRIBUTES, ...READ_ONLY_ATTRIBUTES];
    for (const name of requested)
      if (typeof name !== 'string' || (name !== 'All' && !known.includes(name)))
        throw errors.attributeName(String(name));
    const counts = this.countsOf(queue);
    const all: Record<string, string> = {
      ...queue.attributes,
      QueueArn: queue.arn,
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: seconds(queue.createdAt),
      LastModifiedTimestamp: seconds(queue.createdAt),
    };
    const wanted = requested.includes('All') ? Object.keys(all) : (requested as string[]);
    return Object.fromEntries(
      wanted.filter((name) => all[name] !== undefined).map((name) => [name, all[name]!]),
    );
  }

  private sendBatch(
    queue: SimQueue,
    body: Record<string, unknown>,
    senderId: string,
  ): Record<string, unknown> {
    const entries = this.batchEntries(body);
    const total = entries.reduce(
      (sum, entry) =>
        sum + (typeof entry.MessageBody === 'string' ? Buffer.byteLength(entry.MessageBody) : 0),
      0,
    );
    const max = Number(queue.attributes.MaximumMessageSize);
    if (total > max)
      throw errors.batch('BatchRequestTooLong', `Batch requests cannot be longer than ${max} bytes.`);
    return eachEntry(entries, (entry) => {
      if (entry.MessageAttributes !== undefined)
        throw new SqsError('UnsupportedOperation', 'Message attributes are not simulated.');
      const delay = integerParam('DelaySeconds', entry.DelaySeconds, 0, 900);
      const message = this.enqueue(queue, stringParam(entry, 'MessageBody'), delay, senderId);
      return { MessageId: message.id, MD5OfMessageBody: message.md5 };
    });
  }

  private async receive(
    queue: SimQueue,
    body: Record<string, unknown>,
    closed: AbortSignal,
  ): Promise<Record<string, unknown> | null> {
    const max = integerParam('MaxNumberOfMessages', body.MaxNumberOfMessages, 1, 10) ?? 1;
    const visibility =
      integerParam('VisibilityTimeout', body.VisibilityTimeout, 0, MAX_VISIBILITY_SECONDS) ??
      Number(queue.attributes.VisibilityTimeout);
    const wait =
      integerParam('WaitTimeSeconds', body.WaitTimeSeconds, 0, MAX_WAIT_SECONDS) ??
      Number(queue.attributes.ReceiveMessageWaitTimeSeconds);
    const names = new Set(
      [...listParam(body, 'AttributeNames'), ...listParam(body, 'MessageSystemAttributeNames')].map(String),
    );
    const view = (messages: SimMessage[]) =>
      messages.length > 0 ? { Messages: messages.map((m) => this.messageView(m, names)) } : {};
    const now = this.take(queue, max, visibility);
    if (now.length > 0 || wait === 0) return view(now);
    if (closed.aborted) return null;
    // Long poll: answer as soon as a message becomes visible, or empty when the wait ends.
    return new Promise((resolve) => {
      const finish = (answer: Record<string, unknown> | null) => {
        clearTimeout(timer);
        queue.waiters.delete(waiter);
        closed.removeEventListener('abort', onClose);
        resolve(answer);
      };
      const waiter: Waiter = {
        fill: () => {
          const taken = this.take(queue, max, visibility);
          if (taken.length === 0) return false;
          finish(view(taken));
          return true;
        },
      };
      const onClose = () => finish(null);
      const timer = setTimeout(() => finish({}), wait * 1000);
      queue.waiters.add(waiter);
      closed.addEventListener('abort', onClose);
    });
  }
}
