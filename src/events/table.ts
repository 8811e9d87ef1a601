/**
 * THE table of changes keywarden acts on: event name -> where it comes from, the controls it can change
 * and where in the event the changed resource is named (SEMANTICS.md, "Change-triggered evaluation").
 * Everything else (the parser, the EventBridge rules in docker/, the consumer) is derived from it; the
 * control ids are data here until each control module declares its own events.
 */

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
  controls: readonly string[];
  resource: ResourceLocator;
}

const KEY_STATE = ['KMS.3', 'KMS.4'] as const;

export const CHANGE_EVENTS: Readonly<Record<string, ChangeEventSpec>> = {
  CreatePolicy: { origin: 'cloudtrail-iam', controls: ['KMS.1'], resource: 'created-policy' },
  CreatePolicyVersion: { origin: 'cloudtrail-iam', controls: ['KMS.1'], resource: 'policy-arn' },
  SetDefaultPolicyVersion: { origin: 'cloudtrail-iam', controls: ['KMS.1'], resource: 'policy-arn' },
  DeletePolicyVersion: { origin: 'cloudtrail-iam', controls: ['KMS.1'], resource: 'policy-arn' },
  DeletePolicy: { origin: 'cloudtrail-iam', controls: ['KMS.1'], resource: 'policy-arn' },
  PutRolePermissionsBoundary: { origin: 'cloudtrail-iam', controls: ['KMS.1'], resource: 'boundary' },
  PutUserPermissionsBoundary: { origin: 'cloudtrail-iam', controls: ['KMS.1'], resource: 'boundary' },
  DeleteRolePermissionsBoundary: { origin: 'cloudtrail-iam', controls: ['KMS.1'], resource: 'boundary' },
  DeleteUserPermissionsBoundary: { origin: 'cloudtrail-iam', controls: ['KMS.1'], resource: 'boundary' },
  PutRolePolicy: { origin: 'cloudtrail-iam', controls: ['KMS.2'], resource: 'role-name' },
  DeleteRolePolicy: { origin: 'cloudtrail-iam', controls: ['KMS.2'], resource: 'role-name' },
  PutUserPolicy: { origin: 'cloudtrail-iam', controls: ['KMS.2'], resource: 'user-name' },
  DeleteUserPolicy: { origin: 'cloudtrail-iam', controls: ['KMS.2'], resource: 'user-name' },
  PutGroupPolicy: { origin: 'cloudtrail-iam', controls: ['KMS.2'], resource: 'group-name' },
  DeleteGroupPolicy: { origin: 'cloudtrail-iam', controls: ['KMS.2'], resource: 'group-name' },
  DeleteRole: { origin: 'cloudtrail-iam', controls: ['KMS.2'], resource: 'role-name' },
  DeleteUser: { origin: 'cloudtrail-iam', controls: ['KMS.2'], resource: 'user-name' },
  DeleteGroup: { origin: 'cloudtrail-iam', controls: ['KMS.2'], resource: 'group-name' },
  CreateKey: { origin: 'cloudtrail-kms', controls: [...KEY_STATE, 'KMS.5'], resource: 'key' },
  ReplicateKey: { origin: 'cloudtrail-kms', controls: [...KEY_STATE, 'KMS.5'], resource: 'replica-key' },
  ScheduleKeyDeletion: { origin: 'cloudtrail-kms', controls: KEY_STATE, resource: 'key' },
  CancelKeyDeletion: { origin: 'cloudtrail-kms', controls: KEY_STATE, resource: 'key' },
  EnableKey: { origin: 'cloudtrail-kms', controls: KEY_STATE, resource: 'key' },
  DisableKey: { origin: 'cloudtrail-kms', controls: KEY_STATE, resource: 'key' },
  EnableKeyRotation: { origin: 'cloudtrail-kms', controls: KEY_STATE, resource: 'key' },
  DisableKeyRotation: { origin: 'cloudtrail-kms', controls: KEY_STATE, resource: 'key' },
  ImportKeyMaterial: { origin: 'cloudtrail-kms', controls: KEY_STATE, resource: 'key' },
  DeleteImportedKeyMaterial: { origin: 'cloudtrail-kms', controls: KEY_STATE, resource: 'key' },
  PutKeyPolicy: { origin: 'cloudtrail-kms', controls: ['KMS.5'], resource: 'key' },
  'KMS CMK Deletion': { origin: 'kms-service', controls: KEY_STATE, resource: 'kms-service-key' },
  'KMS CMK Rotation': { origin: 'kms-service', controls: KEY_STATE, resource: 'kms-service-key' },
};

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
