/**
 * Plain snapshot shapes that collectors produce and the pure controls consume.
 * No AWS SDK types here: the core must not depend on the SDK.
 */

/** A policy document as collected: raw JSON text, URL-encoded JSON text, or an already parsed object. */
export type PolicyDocumentInput = string | Record<string, unknown>;

export interface ManagedPolicyVersion {
  versionId: string;
  isDefaultVersion: boolean;
  document: PolicyDocumentInput;
  createDate?: string;
}

/** A customer managed policy with its versions (GetAccountAuthorizationDetails `Policies`). */
export interface ManagedPolicy {
  arn: string;
  /** Derived from the ARN when the API omits it. */
  name: string;
  policyId?: string;
  path?: string;
  defaultVersionId?: string;
  attachmentCount: number;
  permissionsBoundaryUsageCount: number;
  isAttachable?: boolean;
  createDate?: string;
  updateDate?: string;
  versions: ManagedPolicyVersion[];
}

export interface InlinePolicy {
  name: string;
  document: PolicyDocumentInput;
}

export type IdentityKind = 'user' | 'group' | 'role';

export interface IamIdentity {
  kind: IdentityKind;
  arn: string;
  name: string;
  id?: string;
  path?: string;
  createDate?: string;
  inlinePolicies: InlinePolicy[];
  /** Roles only: the trust policy, used by `excludeRoleByManagementAccount`. */
  assumeRolePolicyDocument?: PolicyDocumentInput;
}

/** Everything KMS.1 and KMS.2 need about one account's IAM (IAM is global). */
export interface IamSnapshot {
  accountId: string;
  partition: string;
  /** The organization's management account, when known (for `excludeRoleByManagementAccount`). */
  managementAccountId?: string;
  managedPolicies: ManagedPolicy[];
  identities: IamIdentity[];
}

export type RotationStatus =
  | { kind: 'enabled'; rotationPeriodInDays?: number; nextRotationDate?: string }
  | { kind: 'disabled' }
  /** GetKeyRotationStatus said UnsupportedOperationException: the key is out of KMS.4's scope. */
  | { kind: 'unsupported'; message?: string }
  /** GetKeyRotationStatus was refused by the key's policy (AccessDenied): KMS.4 WARNING for the key. */
  | { kind: 'error'; code: string; message: string; why?: string };

/** The key policy as GetKeyPolicy returned it (JSON text), or the answer that it cannot be read. */
export type KeyPolicyRead =
  | { kind: 'document'; document: string }
  /** GetKeyPolicy was denied (AccessDenied): the key's policy is unreadable (KMS.5: FAILED). */
  | { kind: 'unreadable'; code: string; message: string };

export interface KmsKey {
  keyId: string;
  arn: string;
  /** `CUSTOMER` or `AWS`; kept as string so an unknown value from AWS is not lost. */
  keyManager: string;
  keyState: string;
  keySpec: string;
  origin: string;
  keyUsage?: string;
  description?: string;
  creationDate?: string;
  deletionDate?: string;
  pendingDeletionWindowInDays?: number;
  customKeyStoreId?: string;
  multiRegion?: boolean;
  enabled?: boolean;
  /** Only collected for keys in KMS.4's scope; absent otherwise. */
  rotation?: RotationStatus;
  /** The `default` key policy; only collected for customer managed keys when KMS.5 runs. */
  keyPolicy?: KeyPolicyRead;
  /**
   * Set when ListKeys listed the key but its key policy refused the audit role DescribeKey (issue 16): the
   * key is a finding, not a gap. Its metadata is then unknown (`keyManager` etc. are 'UNKNOWN').
   */
  describeRefused?: { code: string; message: string; why: string };
}

/** Everything KMS.3 and KMS.4 need about one account and region. */
export interface KmsSnapshot {
  accountId: string;
  region: string;
  partition: string;
  keys: KmsKey[];
}
