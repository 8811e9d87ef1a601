/** The event queue's name and region, read from its URL (the status endpoint shows the name only). */
import { describe, expect, it } from 'vitest';
import { describeQueueUrl } from '../../src/aws/event-queue-client.js';

describe('describeQueueUrl', () => {
  it.each([
    ['https://sqs.eu-west-1.amazonaws.com/111122223333/keywarden-events', 'keywarden-events', 'eu-west-1'],
    ['https://eu-central-1.queue.amazonaws.com/111122223333/q_1', 'q_1', 'eu-central-1'],
    ['https://sqs.cn-north-1.amazonaws.com.cn/111122223333/events', 'events', 'cn-north-1'],
    ['https://sqs.us-gov-west-1.amazonaws.com/111122223333/events', 'events', 'us-gov-west-1'],
  ])('%s: name %s in %s', (url, name, region) => {
    expect(describeQueueUrl(url)).toEqual({ name, region });
  });

  it('an endpoint that names no region (a simulator, a VPC endpoint) gives the name only', () => {
    expect(describeQueueUrl('http://127.0.0.1:4566/111122223333/events')).toEqual({ name: 'events' });
  });
});
