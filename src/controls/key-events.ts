/** The changes to a key's state or rotation that KMS.3 and KMS.4 re-check (SEMANTICS.md). */
export const KEY_STATE_EVENTS: readonly string[] = [
  'CreateKey',
  'ReplicateKey',
  'ScheduleKeyDeletion',
  'CancelKeyDeletion',
  'EnableKey',
  'DisableKey',
  'EnableKeyRotation',
  'DisableKeyRotation',
  'ImportKeyMaterial',
  'DeleteImportedKeyMaterial',
  // KMS's own events (detail-type), not CloudTrail's.
  'KMS CMK Deletion',
  'KMS CMK Rotation',
];
