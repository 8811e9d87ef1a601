/**
 * THE table of changes keywarden acts on: event name -> where it comes from, the controls it can change
 * and where in the event the changed resource is named (SEMANTICS.md, "Change-triggered evaluation").
 * Everything else (the parser, the EventBridge rules in docker/, the consumer) is derived from it; the
 * controls of each event come from the control modules' `changeEvents`.
 */
import { controlsChangedBy } from '../controls/registry.js';

/** Where the resource an event changed is named. */
export type ResourceLocator =
  /** `requestParameters.policyArn`. */
  | 'policy-arn'
  /** `responseElements.policy.arn` (CreatePolicy: the ARN exists only in the response). */
  | 'created-policy'
  /**
   * A permissions boundary was set or removed: the event names the role or user, not the policy that
   * stopped (or started) being a boundary, so every customer managed policy of the account is re-read.
   */
  | 'boundary'
  /** `requestParameters.roleName` / `userName` / `groupName`. */
  | 'role-name'
  | 'user-name'
  | 'group-name'
  /** The key of a KMS API call (responseElements, then detail.resources, then requestParameters.keyId). */
  | 'key'
  /** ReplicateKey: the new replica, in `requestParameters.replicaRegion`. */
  | 'replica-key'
  /** KMS's own events: `resources[0]` (the key ARN) or `detail.key-id`. */
  | 'kms-service-key';

export interface ChangeEventSpec {
  /**
   * `cloudtrail-iam` / `cloudtrail-kms`: "AWS API Call via CloudTrail" with eventSource iam.amazonaws.com
   * / kms.amazonaws.com, keyed by eventName; `kms-service`: KMS's own event, keyed by detail-type.
   */
  origin: 'cloudtrail-iam' | 'cloudtrail-kms' | 'kms-service';
  /** The controls whose modules name this event (derived). */
  controls: readonly string[];
  resource: ResourceLocator;
}

const LOCATED_EVENTS: Readonly<Record<string, Omit<ChangeEventSpec, 'controls'>>> = {
  CreatePolicy: { origin: 'cloudtrail-iam', resource: 'created-policy' },
  CreatePolicyVersion: { origin: 'cloudtrail-iam', resource: 'policy-arn' },
  SetDefaultPolicyVersion: { origin: 'cloudtrail-iam', resource: 'policy-arn' },
  DeletePolicyVersion: { origin: 'cloudtrail-iam', resource: 'policy-arn' },
  DeletePolicy: { origin: 'cloudtrail-iam', resource: 'policy-arn' },
  PutRolePermissionsBoundary: { origin: 'cloudtrail-iam', resource: 'boundary' },
  PutUserPermissionsBoundary: { origin: 'cloudtrail-iam', resource: 'boundary' },
  DeleteRolePermissionsBoundary: { origin: 'cloudtrail-iam', resource: 'boundary' },
  DeleteUserPermissionsBoundary: { origin: 'cloudtrail-iam', resource: 'boundary' },
  PutRolePolicy: { origin: 'cloudtrail-iam', resource: 'role-name' },
  DeleteRolePolicy: { origin: 'cloudtrail-iam', resource: 'role-name' },
  PutUserPolicy: { origin: 'cloudtrail-iam', resource: 'user-name' },
  DeleteUserPolicy: { origin: 'cloudtrail-iam', resource: 'user-name' },
  PutGroupPolicy: { origin: 'cloudtrail-iam', resource: 'group-name' },
  DeleteGroupPolicy: { origin: 'cloudtrail-iam', resource: 'group-name' },
  DeleteRole: { origin: 'cloudtrail-iam', resource: 'role-name' },
  DeleteUser: { origin: 'cloudtrail-iam', resource: 'user-name' },
  DeleteGroup: { origin: 'cloudtrail-iam', resource: 'group-name' },
  CreateKey: { origin: 'cloudtrail-kms', resource: 'key' },
  ReplicateKey: { origin: 'cloudtrail-kms', resource: 'replica-key' },
  ScheduleKeyDeletion: { origin: 'cloudtrail-kms', resource: 'key' },
  CancelKeyDeletion: { origin: 'cloudtrail-kms', resource: 'key' },
  EnableKey: { origin: 'cloudtrail-kms', resource: 'key' },
  DisableKey: { origin: 'cloudtrail-kms', resource: 'key' },
  EnableKeyRotation: { origin: 'cloudtrail-kms', resource: 'key' },
  DisableKeyRotation: { origin: 'cloudtrail-kms', resource: 'key' },
  ImportKeyMaterial: { origin: 'cloudtrail-kms', resource: 'key' },
  DeleteImportedKeyMaterial: { origin: 'cloudtrail-kms', resource: 'key' },
  PutKeyPolicy: { origin: 'cloudtrail-kms', resource: 'key' },
  'KMS CMK Deletion': { origin: 'kms-service', resource: 'kms-service-key' },
  'KMS CMK Rotation': { origin: 'kms-service', resource: 'kms-service-key' },
};

export const CHANGE_EVENTS: Readonly<Record<string, ChangeEventSpec>> = Object.fromEntries(
  Object.entries(LOCATED_EVENTS).map(([name, spec]) => [
    name,
    { ...spec, controls: controlsChangedBy(name) },
  ]),
);

/** The names of the table's events of one origin (for the EventBridge rules' patterns). */
export function eventNamesOf(origin: ChangeEventSpec['origin']): string[] {
  return Object.entries(CHANGE_EVENTS)
    .filter(([, spec]) => spec.origin === origin)
    .map(([name]) => name);
}

/** Every control some change can touch (a custom action re-checks only these). */
export const CHANGE_TRIGGERED_CONTROLS: ReadonlySet<string> = new Set(
  Object.values(CHANGE_EVENTS).flatMap((spec) => spec.controls),
);
