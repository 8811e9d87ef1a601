/**
 * The EventBridge events an organization-wide rule forwards for a write call: "AWS API Call via
 * CloudTrail" with the CloudTrail record as `detail`, as AWS writes it (camelCase request and response
 * members, CloudTrail's date format, the caller's identity). IAM is global: its events come from us-east-1.
 */
import { randomUUID } from 'node:crypto';
import type { SimSession } from './state.js';

export const IAM_EVENTS_REGION = 'us-east-1';

/** What a successful write call hands to the event: the members CloudTrail records. */
export interface CallRecord {
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  /** CloudTrail's `resources` (KMS names the key it acted on). */
  resources?: { accountId: string; type: string; ARN: string }[];
}

export interface CallContext {
  service: 'iam' | 'kms';
  eventName: string;
  /** The account the call was made in (the event's `account`). */
  accountId: string;
  /** The signing region of the call; IAM's events always carry us-east-1. */
  region: string;
  caller: SimSession;
  accessKeyId: string;
  time?: Date;
}

/** A member name as CloudTrail writes it: `KeyId` -> `keyId`, but `AWSAccountId` stays (Java's decapitalize). */
export function decapitalize(name: string): string {
  if (name.length > 1 && name[0] === name[0]!.toUpperCase() && name[1] === name[1]!.toUpperCase())
    return name;
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** A JSON request or response with CloudTrail's member names, at every depth. */
export function camelCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCase);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [decapitalize(k), camelCase(v)]),
    );
  return value;
}

/** CloudTrail's rendering of timestamps inside request and response elements: "Nov 30, 2026, 8:15:41 AM". */
export function cloudTrailDate(date: Date): string {
  return date
    .toLocaleString('en-US', {
      timeZone: 'UTC',
      month: 'short',
      day: 'numeric',
      year: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      second: '2-digit',
      hour12: true,
    })
    .replace(/\s/g, ' ');
}

/** The ISO time CloudTrail and EventBridge use for eventTime and time (seconds, no fraction). */
const isoSeconds = (date: Date): string => `${date.toISOString().slice(0, 19)}Z`;

/** CloudTrail's userIdentity of the caller: an IAM user, or an assumed role with its session issuer. */
function userIdentity(caller: SimSession, accessKeyId: string): Record<string, unknown> {
  const session = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/([^/]+)$/.exec(caller.arn);
  if (session !== null) {
    const [, accountId, role, sessionName] = session as unknown as [string, string, string, string];
    const roleId = `AROA${accountId}`;
    return {
      type: 'AssumedRole',
      principalId: `${roleId}:${sessionName}`,
      arn: caller.arn,
      accountId,
      accessKeyId,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: roleId,
          arn: `arn:aws:iam::${accountId}:role/${role}`,
          accountId,
          userName: role,
        },
        attributes: { creationDate: isoSeconds(new Date()), mfaAuthenticated: 'false' },
      },
    };
  }
  const user = /^arn:aws:iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/.exec(caller.arn);
  return {
    type: 'IAMUser',
    principalId: `AIDA${caller.accountId}`,
    arn: caller.arn,
    accountId: caller.accountId,
    accessKeyId,
    ...(user ? { userName: user[2] } : {}),
  };
}

/** The EventBridge event of one successful write call. */
export function cloudTrailEvent(context: CallContext, record: CallRecord): Record<string, unknown> {
  const time = context.time ?? new Date();
  const region = context.service === 'iam' ? IAM_EVENTS_REGION : context.region;
  const requestId = randomUUID();
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${context.service}`,
    account: context.accountId,
    time: isoSeconds(time),
    region,
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: userIdentity(context.caller, context.accessKeyId),
      eventTime: isoSeconds(time),
      eventSource: `${context.service}.amazonaws.com`,
      eventName: context.eventName,
      awsRegion: region,
      sourceIPAddress: '127.0.0.1',
      userAgent: 'keywarden-simulator',
      requestParameters: record.requestParameters,
      responseElements: record.responseElements,
      requestID: requestId,
      eventID: randomUUID(),
      readOnly: false,
      ...(record.resources ? { resources: record.resources } : {}),
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: context.accountId,
      eventCategory: 'Management',
    },
  };
}
