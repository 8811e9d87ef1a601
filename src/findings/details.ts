/**
 * `Resources[].Details` restricted to the ASFF detail objects and fields of keywarden's resource types
 * (AwsIamPolicyDetails, AwsIamUserDetails, AwsIamGroupDetails, AwsIamRoleDetails and AwsKmsKeyDetails in
 * the Security Hub API reference). Anything else is dropped: Security Hub would not show it, and an
 * invented field in the standard's place misleads.
 */
const ASFF_DETAIL_FIELDS: Readonly<Record<string, readonly string[]>> = {
  AwsIamPolicy: [
    'AttachmentCount',
    'CreateDate',
    'DefaultVersionId',
    'Description',
    'IsAttachable',
    'Path',
    'PermissionsBoundaryUsageCount',
    'PolicyId',
    'PolicyName',
    'PolicyVersionList',
    'UpdateDate',
  ],
  AwsIamUser: [
    'AttachedManagedPolicies',
    'CreateDate',
    'GroupList',
    'Path',
    'PermissionsBoundary',
    'UserId',
    'UserName',
    'UserPolicyList',
  ],
  AwsIamGroup: ['AttachedManagedPolicies', 'CreateDate', 'GroupId', 'GroupName', 'GroupPolicyList', 'Path'],
  AwsIamRole: [
    'AssumeRolePolicyDocument',
    'AttachedManagedPolicies',
    'CreateDate',
    'InstanceProfileList',
    'MaxSessionDuration',
    'Path',
    'PermissionsBoundary',
    'RoleId',
    'RoleName',
    'RolePolicyList',
  ],
  AwsKmsKey: [
    'AWSAccountId',
    'CreationDate',
    'Description',
    'KeyId',
    'KeyManager',
    'KeyRotationStatus',
    'KeyState',
    'Origin',
  ],
};

/** The `Details` keys keywarden may send. */
export const ASFF_DETAIL_KEYS: readonly string[] = Object.keys(ASFF_DETAIL_FIELDS);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The known detail objects with their known, defined fields; undefined when nothing is left. */
export function asffDetails(
  details: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> | undefined {
  if (details === undefined) return undefined;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    const fields = ASFF_DETAIL_FIELDS[key];
    if (fields === undefined || !isObject(value)) continue;
    const known = Object.entries(value).filter(
      ([field, v]) => fields.includes(field) && v !== undefined && v !== null,
    );
    if (known.length > 0) kept[key] = Object.fromEntries(known);
  }
  return Object.keys(kept).length > 0 ? kept : undefined;
}
