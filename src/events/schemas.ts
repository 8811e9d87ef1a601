/**
 * The EventBridge messages keywarden accepts from its queue, as TypeBox schemas: the envelope every
 * EventBridge event has, and the `detail` of the three kinds we act on (a CloudTrail API call, KMS's own
 * key events, a Security Hub custom action). Only the members we read are required; the rest may be
 * anything, since AWS adds fields over time.
 */
import { type Static, Type } from '@sinclair/typebox';

const AccountId = Type.String({ pattern: '^\\d{12}$' });
const Region = Type.String({ pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$' });
const NonEmpty = Type.String({ minLength: 1 });

export const EventEnvelope = Type.Object({
  version: Type.Optional(Type.String()),
  id: NonEmpty,
  'detail-type': NonEmpty,
  source: NonEmpty,
  account: AccountId,
  time: NonEmpty,
  region: Region,
  resources: Type.Optional(Type.Array(Type.String())),
  detail: Type.Record(Type.String(), Type.Unknown()),
});
export type EventEnvelope = Static<typeof EventEnvelope>;

/** A JSON object or null: CloudTrail writes `null` for calls without request parameters or response. */
const ObjectOrNull = Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]);

/** `detail` of "AWS API Call via CloudTrail". */
export const CloudTrailDetail = Type.Object({
  eventSource: NonEmpty,
  eventName: NonEmpty,
  eventID: Type.Optional(Type.String()),
  eventTime: Type.Optional(Type.String()),
  awsRegion: Type.Optional(Region),
  recipientAccountId: Type.Optional(AccountId),
  /** Present when the call failed: it changed nothing. */
  errorCode: Type.Optional(Type.String()),
  requestParameters: Type.Optional(ObjectOrNull),
  responseElements: Type.Optional(ObjectOrNull),
  resources: Type.Optional(
    Type.Array(
      Type.Object({
        ARN: Type.Optional(Type.String()),
        accountId: Type.Optional(Type.String()),
        type: Type.Optional(Type.String()),
      }),
    ),
  ),
});
export type CloudTrailDetail = Static<typeof CloudTrailDetail>;

/** `detail` of KMS's own "KMS CMK Deletion" and "KMS CMK Rotation" events. */
export const KmsServiceDetail = Type.Object({ 'key-id': NonEmpty });
export type KmsServiceDetail = Static<typeof KmsServiceDetail>;

/** The members of an ASFF finding a re-check needs. */
export const CustomActionFinding = Type.Object({
  AwsAccountId: AccountId,
  Region: Type.Optional(Region),
  GeneratorId: Type.Optional(Type.String()),
  Compliance: Type.Optional(Type.Object({ SecurityControlId: Type.Optional(Type.String()) })),
  Resources: Type.Array(Type.Object({ Type: NonEmpty, Id: NonEmpty, Region: Type.Optional(Region) }), {
    minItems: 1,
  }),
});
export type CustomActionFinding = Static<typeof CustomActionFinding>;

/** `detail` of "Security Hub Findings - Custom Action": one finding or an array of them. */
export const CustomActionDetail = Type.Object({
  actionName: Type.Optional(Type.String()),
  findings: Type.Union([Type.Array(CustomActionFinding, { minItems: 1 }), CustomActionFinding]),
});
export type CustomActionDetail = Static<typeof CustomActionDetail>;
