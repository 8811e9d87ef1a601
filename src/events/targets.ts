/**
 * From one queued EventBridge message to the resources to re-check. Pure: the verdict never comes from the
 * event's content, only which resource to re-read, in which account and region, for which controls.
 */
import type { TSchema, Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  CloudTrailDetail,
  CustomActionDetail,
  type CustomActionFinding,
  EventEnvelope,
  KmsServiceDetail,
} from './schemas.js';
import { CHANGE_EVENTS, CHANGE_TRIGGERED_CONTROLS, type ChangeEventSpec } from './table.js';

export type ChangeResource =
  | { kind: 'managed-policy'; arn: string }
  | { kind: 'user' | 'group' | 'role'; name: string }
  /** `keyId` as the event names it: a key id, or an alias when the call named one and nothing else did. */
  | { kind: 'key'; keyId: string; arn?: string }
  /** Every resource of the controls in the account (an event that does not name the changed resource). */
  | { kind: 'account' };

export interface ChangeSource {
  /** EventBridge event id. */
  eventId: string;
  /** When the change happened (CloudTrail's eventTime, else the event's time). */
  time: string;
  /** eventName, or the detail-type of a KMS or Security Hub event. */
  name: string;
}

export interface ChangeTarget {
  accountId: string;
  /** The event's region; IAM resources are global (IAM's events come from us-east-1). */
  region: string;
  controls: string[];
  resource: ChangeResource;
  source: ChangeSource;
}

export type ChangeMessage = { targets: ChangeTarget[] } | { ignored: string } | { malformed: string };

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const CUSTOM_ACTION_DETAIL_TYPE = 'Security Hub Findings - Custom Action';
/**
 * eventSource -> origin and the EventBridge `source` such events carry. EventBridge refuses PutEvents with
 * an `aws.` source, so an event another account forges onto the central bus cannot pass for AWS's.
 */
const CLOUDTRAIL_SOURCES: Record<string, { origin: ChangeEventSpec['origin']; source: string }> = {
  'iam.amazonaws.com': { origin: 'cloudtrail-iam', source: 'aws.iam' },
  'kms.amazonaws.com': { origin: 'cloudtrail-kms', source: 'aws.kms' },
};

const GLOBAL_KINDS: ReadonlySet<ChangeResource['kind']> = new Set([
  'managed-policy',
  'user',
  'group',
  'role',
  'account',
]);

/** Whether a target is an IAM (global) resource, whatever region its event came from. */
export const isGlobal = (target: ChangeTarget): boolean => GLOBAL_KINDS.has(target.resource.kind);

/**
 * The coalescing key: (account, region, resource). IAM resources are global, so their region is left out
 * (a CloudTrail event and a custom action in the home region name the same role).
 */
export function targetKey(target: ChangeTarget): string {
  const r = target.resource;
  const id =
    r.kind === 'managed-policy' ? r.arn : r.kind === 'key' ? r.keyId : r.kind === 'account' ? '*' : r.name;
  return `${target.accountId}/${isGlobal(target) ? 'global' : target.region}/${r.kind}/${id}`;
}

/** Targets for the same key become one, with the union of their controls and the earliest source. */
export function mergeTargets(targets: readonly ChangeTarget[]): ChangeTarget[] {
  const byKey = new Map<string, ChangeTarget>();
  for (const target of targets) {
    const key = targetKey(target);
    const seen = byKey.get(key);
    if (seen === undefined) byKey.set(key, { ...target, controls: [...target.controls] });
    else byKey.set(key, mergeTwo(seen, target));
  }
  return [...byKey.values()];
}

export function mergeTwo(a: ChangeTarget, b: ChangeTarget): ChangeTarget {
  const controls = [...new Set([...a.controls, ...b.controls])].sort();
  const source = b.source.time < a.source.time ? b.source : a.source;
  // A key named by its ARN somewhere keeps the ARN.
  const resource =
    a.resource.kind === 'key' && b.resource.kind === 'key' && a.resource.arn === undefined
      ? b.resource
      : a.resource;
  return { ...a, controls, source, resource };
}

const compiled = new Map<TSchema, ReturnType<typeof TypeCompiler.Compile>>();
function check<T extends TSchema>(schema: T, value: unknown): { ok: true; value: Static<T> } | string {
  let checker = compiled.get(schema);
  if (checker === undefined) {
    checker = TypeCompiler.Compile(schema);
    compiled.set(schema, checker);
  }
  if (checker.Check(value)) return { ok: true, value: value as Static<T> };
  const first = checker.Errors(value).First();
  return first ? `${first.path || '/'}: ${first.message}` : 'invalid';
}

const KEY_ARN = /^arn:[a-z-]+:kms:([a-z0-9-]+):(\d{12}):key\/([A-Za-z0-9-]+)$/;
const KEY_ID = /^[A-Za-z0-9-]+$/;
const ALIAS = /^(arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:)?alias\/[A-Za-z0-9/_-]+$/;
const POLICY_ARN = /^arn:[a-z-]+:iam::(\d{12}|aws):policy\/.+$/;
const IAM_NAME = /^[\w+=,.@-]{1,128}$/;

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
const obj = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

interface Located {
  resource: ChangeResource;
  /** Set when the resource names them (a key ARN), overriding the event's. */
  accountId?: string;
  region?: string;
}

/** A key named by ARN, id or alias. */
function keyNamed(value: string | undefined): Located | undefined {
  if (value === undefined) return undefined;
  const arn = KEY_ARN.exec(value);
  if (arn)
    return { resource: { kind: 'key', keyId: arn[3]!, arn: value }, region: arn[1], accountId: arn[2] };
  if (ALIAS.test(value)) {
    const aliasArn = /^arn:[a-z-]+:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/.exec(value);
    return aliasArn
      ? { resource: { kind: 'key', keyId: aliasArn[3]! }, region: aliasArn[1], accountId: aliasArn[2] }
      : { resource: { kind: 'key', keyId: value } };
  }
  if (KEY_ID.test(value)) return { resource: { kind: 'key', keyId: value } };
  return undefined;
}

function locateCloudTrail(spec: ChangeEventSpec, detail: CloudTrailDetail): Located | string {
  const request = obj(detail.requestParameters);
  const response = obj(detail.responseElements);
  const named = (member: string, kind: 'role' | 'user' | 'group'): Located | string => {
    const name = str(request[member]);
    if (name === undefined) return `requestParameters.${member} is missing`;
    if (!IAM_NAME.test(name)) return `requestParameters.${member} is not an IAM name`;
    return { resource: { kind, name } };
  };
  const policy = (arn: string | undefined, where: string): Located | string => {
    if (arn === undefined) return `${where} is missing`;
    if (!POLICY_ARN.test(arn)) return `${where} is not a policy ARN`;
    return { resource: { kind: 'managed-policy', arn } };
  };
  switch (spec.resource) {
    case 'policy-arn':
      return policy(str(request.policyArn), 'requestParameters.policyArn');
    case 'created-policy':
      return policy(str(obj(response.policy).arn), 'responseElements.policy.arn');
    case 'boundary':
      return { resource: { kind: 'account' } };
    case 'role-name':
      return named('roleName', 'role');
    case 'user-name':
      return named('userName', 'user');
    case 'group-name':
      return named('groupName', 'group');
    case 'key': {
      const metadata = obj(response.keyMetadata);
      const fromResources = detail.resources?.find((r) => r.type === 'AWS::KMS::Key')?.ARN;
      // The resolved key first: the request may name it by an alias.
      const candidates = [
        str(metadata.arn),
        str(metadata.keyId),
        str(response.keyId),
        fromResources,
        str(request.keyId),
      ];
      for (const candidate of candidates) {
        const located = keyNamed(candidate);
        if (located) return located;
      }
      return 'the event names no key (requestParameters.keyId, responseElements.keyMetadata, resources)';
    }
    case 'replica-key': {
      const replicaRegion = str(request.replicaRegion);
      if (replicaRegion === undefined) return 'requestParameters.replicaRegion is missing';
      const replica = keyNamed(str(obj(response.replicaKeyMetadata).arn));
      if (replica) return replica;
      // A multi-Region replica has the primary's key id.
      const primary = keyNamed(str(request.keyId));
      if (primary === undefined || primary.resource.kind !== 'key')
        return 'the event names no key (requestParameters.keyId, responseElements.replicaKeyMetadata)';
      return { resource: { kind: 'key', keyId: primary.resource.keyId }, region: replicaRegion };
    }
    default:
      return `${spec.resource} is not a CloudTrail locator`;
  }
}

function fromCloudTrail(envelope: EventEnvelope): ChangeMessage {
  const checked = check(CloudTrailDetail, envelope.detail);
  if (typeof checked === 'string') return { malformed: `detail ${checked}` };
  const detail = checked.value;
  const from = Object.hasOwn(CLOUDTRAIL_SOURCES, detail.eventSource)
    ? CLOUDTRAIL_SOURCES[detail.eventSource]
    : undefined;
  if (from === undefined || from.source !== envelope.source)
    return { malformed: `unknown event source ${envelope.source} / ${detail.eventSource}` };
  const spec = Object.hasOwn(CHANGE_EVENTS, detail.eventName) ? CHANGE_EVENTS[detail.eventName] : undefined;
  if (spec === undefined || spec.origin !== from.origin)
    return { malformed: `unknown event ${detail.eventSource} ${detail.eventName}` };
  // A failed call changed nothing.
  if (detail.errorCode !== undefined) return { ignored: 'failed-call' };
  const located = locateCloudTrail(spec, detail);
  if (typeof located === 'string') return { malformed: `${detail.eventName}: ${located}` };
  return {
    targets: [
      {
        accountId: located.accountId ?? detail.recipientAccountId ?? envelope.account,
        region: located.region ?? detail.awsRegion ?? envelope.region,
        controls: [...spec.controls],
        resource: located.resource,
        source: { eventId: envelope.id, time: detail.eventTime ?? envelope.time, name: detail.eventName },
      },
    ],
  };
}

function fromKmsService(envelope: EventEnvelope, spec: ChangeEventSpec): ChangeMessage {
  const checked = check(KmsServiceDetail, envelope.detail);
  if (typeof checked === 'string') return { malformed: `detail ${checked}` };
  const located =
    keyNamed(envelope.resources?.find((r) => KEY_ARN.test(r))) ?? keyNamed(checked.value['key-id']);
  if (located === undefined)
    return { malformed: `${envelope['detail-type']}: detail.key-id is not a key id` };
  return {
    targets: [
      {
        accountId: located.accountId ?? envelope.account,
        region: located.region ?? envelope.region,
        controls: [...spec.controls],
        resource: located.resource,
        source: { eventId: envelope.id, time: envelope.time, name: envelope['detail-type'] },
      },
    ],
  };
}

const FINDING_RESOURCE_KINDS: Record<string, 'managed-policy' | 'user' | 'group' | 'role' | 'key'> = {
  AwsIamPolicy: 'managed-policy',
  AwsIamUser: 'user',
  AwsIamGroup: 'group',
  AwsIamRole: 'role',
  AwsKmsKey: 'key',
};

/** The control a finding is about: `Compliance.SecurityControlId`, else the end of its GeneratorId. */
function controlOf(finding: CustomActionFinding): string | undefined {
  const id = finding.Compliance?.SecurityControlId ?? finding.GeneratorId?.split('/').pop();
  return id !== undefined && CHANGE_TRIGGERED_CONTROLS.has(id) ? id : undefined;
}

function findingTarget(envelope: EventEnvelope, finding: CustomActionFinding): ChangeTarget | string {
  const control = controlOf(finding);
  if (control === undefined) return 'not-a-keywarden-control';
  const resource = finding.Resources[0]!;
  const kind = FINDING_RESOURCE_KINDS[resource.Type];
  if (kind === undefined) return 'unsupported-resource-type';
  const region = resource.Region ?? finding.Region ?? envelope.region;
  const base = {
    accountId: finding.AwsAccountId,
    region,
    controls: [control],
    source: { eventId: envelope.id, time: envelope.time, name: envelope['detail-type'] },
  };
  if (kind === 'managed-policy')
    return POLICY_ARN.test(resource.Id)
      ? { ...base, resource: { kind, arn: resource.Id } }
      : 'bad-resource-id';
  if (kind === 'key') {
    const located = keyNamed(resource.Id);
    if (located === undefined) return 'bad-resource-id';
    return {
      ...base,
      accountId: located.accountId ?? base.accountId,
      region: located.region ?? base.region,
      resource: located.resource,
    };
  }
  // arn:aws:iam::111122223333:role/path/name: the name is the last segment.
  const match = new RegExp(`^arn:[a-z-]+:iam::\\d{12}:${kind}/(?:.*/)?([\\w+=,.@-]{1,128})$`).exec(
    resource.Id,
  );
  return match ? { ...base, resource: { kind, name: match[1]! } } : 'bad-resource-id';
}

function fromCustomAction(envelope: EventEnvelope): ChangeMessage {
  const checked = check(CustomActionDetail, envelope.detail);
  if (typeof checked === 'string') return { malformed: `detail ${checked}` };
  const findings = Array.isArray(checked.value.findings) ? checked.value.findings : [checked.value.findings];
  const targets: ChangeTarget[] = [];
  const skipped: string[] = [];
  for (const finding of findings) {
    const target = findingTarget(envelope, finding);
    if (typeof target === 'string') skipped.push(target);
    else targets.push(target);
  }
  if (targets.length === 0) return { ignored: skipped[0] ?? 'no-findings' };
  return { targets: mergeTargets(targets) };
}

/**
 * What a queued message asks for: the targets to re-check, an event that needs nothing (a failed call, a
 * custom action on findings of other controls), or a message we do not understand. Takes the SQS body
 * (JSON text) or the parsed event.
 */
export function changeTargets(message: unknown): ChangeMessage {
  let value = message;
  if (typeof message === 'string') {
    try {
      value = JSON.parse(message);
    } catch (error) {
      return { malformed: `not JSON: ${(error as Error).message}` };
    }
  }
  const envelope = check(EventEnvelope, value);
  if (typeof envelope === 'string') return { malformed: `not an EventBridge event: ${envelope}` };
  const event = envelope.value;
  const detailType = event['detail-type'];
  if (detailType === CLOUDTRAIL_DETAIL_TYPE) return fromCloudTrail(event);
  if (detailType === CUSTOM_ACTION_DETAIL_TYPE && event.source === 'aws.securityhub')
    return fromCustomAction(event);
  const spec = Object.hasOwn(CHANGE_EVENTS, detailType) ? CHANGE_EVENTS[detailType] : undefined;
  if (spec?.origin === 'kms-service' && event.source === 'aws.kms') return fromKmsService(event, spec);
  return { malformed: `unknown event ${event.source} "${detailType}"` };
}
