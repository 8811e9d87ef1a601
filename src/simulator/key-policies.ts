/**
 * Key policies besides the KMS.5 kinds (key-policy-kinds.ts): AWS's default policies, and the policies of
 * keys that lock the audit role out (issue 16). Each locked kind declares, by construction, which of
 * keywarden's calls the member role is refused -- never computed by the simulator's own authorization.
 */
import type { KeyPolicyDocument, KeyPolicyStatement } from './key-policy-kinds.js';

/** The KMS calls keywarden makes on a key. */
export const KEY_CALLS = ['DescribeKey', 'GetKeyRotationStatus', 'GetKeyPolicy', 'ListResourceTags'] as const;
export type KeyCall = (typeof KEY_CALLS)[number];

/**
 * The KMS actions the member role's IAM policy allows: docker/iam/member-role-policy.json's, plus
 * kms:GetKeyPolicy (KMS.5, issue 14) and kms:ListResourceTags.
 */
export const MEMBER_ROLE_KMS_ACTIONS: readonly string[] = [
  'kms:ListKeys',
  'kms:ListAliases',
  'kms:DescribeKey',
  'kms:GetKeyRotationStatus',
  'kms:GetKeyPolicy',
  'kms:ListResourceTags',
];

/** The role a locked key still lets in. */
export const KEY_ADMIN_ROLE = 'KeyAdmin';

const rootStatement = (accountId: string): KeyPolicyStatement => ({
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${accountId}:root` },
  Action: 'kms:*',
  Resource: '*',
});

/** The default key policy of a customer managed key: the account decides through IAM. */
export function defaultKeyPolicy(accountId: string): KeyPolicyDocument {
  return { Version: '2012-10-17', Id: 'key-default-1', Statement: [rootStatement(accountId)] };
}

/**
 * The policy AWS gives an AWS managed key (here aws/ebs): use through the service by principals of the
 * account, and metadata reads for the account through IAM.
 */
export function awsManagedKeyPolicy(accountId: string, region: string): KeyPolicyDocument {
  return {
    Version: '2012-10-17',
    Id: 'auto-ebs-2',
    Statement: [
      {
        Sid: 'Allow access through EBS for all principals in the account that are authorized to use EBS',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
          'kms:CreateGrant',
          'kms:DescribeKey',
        ],
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:ViaService': `ec2.${region}.amazonaws.com`, 'kms:CallerAccount': accountId },
        },
      },
      {
        Sid: 'Allow direct access to key metadata to the account',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:RevokeGrant'],
        Resource: '*',
      },
    ],
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** "Deny everyone except role KeyAdmin", in the spellings such policies use. */
function exceptKeyAdmin(random: Random, accountId: string): Record<string, unknown> {
  const admin = `arn:aws:iam::${accountId}:role/${KEY_ADMIN_ROLE}`;
  return pick(random, [
    { StringNotEquals: { 'aws:PrincipalArn': admin } },
    { StringNotLike: { 'aws:PrincipalArn': [admin, `arn:aws:iam::${accountId}:role/Break*Glass`] } },
    { ArnNotEquals: { 'aws:PrincipalArn': admin } },
    { ArnNotLike: { 'aws:principalarn': `arn:aws:iam::${accountId}:role/KeyAdmin*` } },
  ]);
}

const adminStatement = (accountId: string): KeyPolicyStatement => ({
  Sid: 'KeyAdministration',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${accountId}:role/${KEY_ADMIN_ROLE}` },
  Action: 'kms:*',
  Resource: '*',
});

interface LockedKindSpec {
  /** The member role's calls the policy refuses, and how AWS words it. */
  refuses: readonly KeyCall[];
  refusal: 'explicit-deny' | 'no-resource-allow';
  build(random: Random, accountId: string): KeyPolicyStatement[];
}

const LOCKED_SPECS = {
  'deny-all-except-key-admin': {
    refuses: KEY_CALLS,
    refusal: 'explicit-deny',
    build: (r, accountId) => [
      rootStatement(accountId),
      adminStatement(accountId),
      {
        Sid: 'DenyEveryoneButKeyAdmin',
        Effect: 'Deny',
        Principal: pick<unknown>(r, ['*', { AWS: '*' }]),
        Action: pick(r, ['kms:*', '*']),
        Resource: '*',
        Condition: exceptKeyAdmin(r, accountId),
      },
    ],
  },
  'other-account-only': {
    refuses: KEY_CALLS,
    refusal: 'no-resource-allow',
    // An account outside the organization: generated account ids stay below 990000000000.
    build: (r) => [
      {
        Sid: 'OnlyTheVendorAccount',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::99${String(Math.floor(r() * 1e10)).padStart(10, '0')}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  },
  'deny-rotation-status': {
    refuses: ['GetKeyRotationStatus'],
    refusal: 'explicit-deny',
    build: (r, accountId) => [
      rootStatement(accountId),
      {
        Sid: 'HideRotation',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: pick(r, ['kms:GetKeyRotationStatus', 'kms:getkeyrotationstatus', 'kms:GetKeyRotation*']),
        Resource: '*',
        ...(r() < 0.5 && { Condition: exceptKeyAdmin(r, accountId) }),
      },
    ],
  },
  'deny-get-key-policy': {
    refuses: ['GetKeyPolicy'],
    refusal: 'explicit-deny',
    build: (r, accountId) => [
      rootStatement(accountId),
      {
        Sid: 'HidePolicy',
        Effect: 'Deny',
        Principal: '*',
        Action: pick(r, ['kms:GetKeyPolicy', 'KMS:GetKeyPolicy']),
        Resource: '*',
        ...(r() < 0.5 && { Condition: exceptKeyAdmin(r, accountId) }),
      },
    ],
  },
} satisfies Record<string, LockedKindSpec>;

export type LockedKeyKind = keyof typeof LOCKED_SPECS;
export const LOCKED_KEY_KINDS = Object.keys(LOCKED_SPECS) as LockedKeyKind[];

export interface LockedKeyPolicy {
  kind: LockedKeyKind;
  document: KeyPolicyDocument;
  refuses: readonly KeyCall[];
  refusal: 'explicit-deny' | 'no-resource-allow';
  /** KMS.5 on the document itself: none of the locked kinds opens the key to everyone. */
  kms5WhenReadable: 'PASSED';
}

export function lockedKeyPolicy(kind: LockedKeyKind, random: Random, accountId: string): LockedKeyPolicy {
  const spec: LockedKindSpec = LOCKED_SPECS[kind];
  return {
    kind,
    document: { Version: '2012-10-17', Id: `key-${kind}`, Statement: spec.build(random, accountId) },
    refuses: spec.refuses,
    refusal: spec.refusal,
    kms5WhenReadable: 'PASSED',
  };
}
