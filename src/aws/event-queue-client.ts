/**
 * The SQS client of the event queue: the service's own (hub) credentials, as for Organizations, in the
 * queue's region. Requests to a queue go to its URL's host (the SDK's useQueueUrlAsEndpoint).
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { hubCredentials, roleSessionName } from './credentials.js';

export interface EventQueueClientSettings {
  queueUrl: string;
  homeRegion: string;
  hub: { roleArn?: string; externalId?: string };
  sessionNamePrefix: string;
  maxAttempts: number;
  retryMode: 'adaptive' | 'standard';
  requestTimeoutMs: number;
  /** The long poll: a request must be allowed to last that long. */
  waitTimeSeconds: number;
}

/** The queue's name and region from its URL (AWS's hosts name the region; another endpoint's does not). */
export function describeQueueUrl(queueUrl: string): { name: string; region?: string } {
  const url = new URL(queueUrl);
  const name =
    url.pathname
      .split('/')
      .filter((s) => s !== '')
      .pop() ?? '';
  const region = /^(?:sqs\.)?([a-z]{2}(?:-[a-z]+)+-\d)(?:\.queue)?\.amazonaws\.com(?:\.cn)?$/.exec(
    url.hostname,
  )?.[1];
  return region === undefined ? { name } : { name, region };
}

export function eventQueueClient(settings: EventQueueClientSettings): SQSClient {
  const timeout = Math.max(settings.requestTimeoutMs, (settings.waitTimeSeconds + 10) * 1000);
  return new SQSClient({
    region: describeQueueUrl(settings.queueUrl).region ?? settings.homeRegion,
    credentials: hubCredentials({
      ...(settings.hub.roleArn ? { roleArn: settings.hub.roleArn } : {}),
      ...(settings.hub.externalId ? { externalId: settings.hub.externalId } : {}),
      sessionName: roleSessionName(settings.sessionNamePrefix, 'events'),
      stsRegion: settings.homeRegion,
      retry: { maxAttempts: settings.maxAttempts, retryMode: settings.retryMode },
    }),
    maxAttempts: settings.maxAttempts,
    retryMode: settings.retryMode,
    requestHandler: { requestTimeout: timeout, throwOnRequestTimeout: true, connectionTimeout: timeout },
  });
}
