/**
 * Key policies the simulator can attach to customer managed keys, one generator per kind SEMANTICS.md's
 * KMS.5 section tells apart. Each carries the verdict its kind implies -- written here by construction,
 * never computed by keywarden's engine -- so a scan of the simulator checks the engine, not itself.
 * Seeded: the same seed gives the same documents; the details (accounts, ids, spellings, statement
 * order, Sids) vary with it so a test over many seeds meets many shapes of each kind.
 */
import { seededRandom } from './random.js';

export type KeyPolicyStatement = Record<string, unknown>;

export interface KeyPolicyDocument {
  Version: '2012-10-17';
  Id: string;
  Statement: KeyPolicyStatement[];
}

export interface GeneratedKeyPolicy {
  kind: KeyPolicyKind;
  document: KeyPolicyDocument;
  expected: 'PASSED' | 'FAILED';
  /** How the evaluator must name the public statements (Sid, or `#index`), in document order. */
  publicLabels: string[];
}

export interface KeyPolicyContext {
  /** The account that owns the key (its root is the default key policy's principal). */
  accountId: string;
}

type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function digits(random: Random, n: number): string {
  return Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
}

const ALNUM = [...'abcdefghijklmnopqrstuvwxyz0123456789'];

function alnum(random: Random, n: number): string {
  return Array.from({ length: n }, () => pick(random, ALNUM)).join('');
}

/** Condition keys are case-insensitive at AWS: spell them either way. */
function spell(random: Random, key: string): string {
  return pick(random, [key, key, key.toLowerCase(), key.toUpperCase()]);
}

/** Principal elements that mean everyone. */
function everyone(random: Random): Pick<KeyPolicyStatement, 'Principal'> {
  return { Principal: pick<unknown>(random, ['*', { AWS: '*' }, { AWS: ['*'] }]) };
}

/** Action elements that include at least one KMS action, and always kms:Encrypt (see partly-denied). */
function kmsActions(random: Random): KeyPolicyStatement {
  return pick<KeyPolicyStatement>(random, [
    { Action: 'kms:*' },
    { Action: '*' },
    { Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*'] },
    { Action: ['KMS:encrypt', 'kms:ReEncrypt*'] },
    { NotAction: 's3:*' },
    { NotAction: ['kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy'] },
  ]);
}

function fixedIds(random: Random, context: KeyPolicyContext) {
  return {
    account: context.accountId,
    otherAccount: `${1 + Math.floor(random() * 9)}${digits(random, 11)}`,
    org: `o-${alnum(random, 10)}`,
    orgPath: `o-${alnum(random, 10)}/r-${alnum(random, 4)}/ou-${alnum(random, 4)}-${alnum(random, 8)}/`,
    vpce: `vpce-${alnum(random, 17)}`,
    vpc: `vpc-${alnum(random, 17)}`,
    cidr: pick(random, [
      `203.0.113.${Math.floor(random() * 256)}/32`,
      `198.51.100.0/${24 + Math.floor(random() * 8)}`,
      `2001:db8:${alnum(random, 4).replace(/[g-z]/g, 'a')}::/48`,
    ]),
  };
}

/** A condition entry that pins the caller with a fixed value. */
function restrictingCondition(
  random: Random,
  context: KeyPolicyContext,
  what: 'account' | 'org' | 'vpce' | 'ip',
) {
  const ids = fixedIds(random, context);
  const stringOperator = pick(random, [
    'StringEquals',
    'StringEqualsIgnoreCase',
    'StringLike',
    'ForAnyValue:StringEquals',
  ]);
  switch (what) {
    case 'account':
      return pick(random, [
        { [stringOperator]: { [spell(random, 'kms:CallerAccount')]: ids.account } },
        { [stringOperator]: { [spell(random, 'aws:PrincipalAccount')]: [ids.account, ids.otherAccount] } },
        {
          [pick(random, ['ArnEquals', 'ArnLike'])]: {
            'aws:PrincipalArn': `arn:aws:iam::${ids.account}:role/App`,
          },
        },
      ]);
    case 'org':
      return pick(random, [
        { [stringOperator]: { [spell(random, 'aws:PrincipalOrgID')]: ids.org } },
        { 'ForAnyValue:StringEquals': { 'aws:PrincipalOrgPaths': ids.orgPath } },
      ]);
    case 'vpce':
      return pick(random, [
        { [stringOperator]: { [spell(random, 'aws:SourceVpce')]: ids.vpce } },
        { [stringOperator]: { 'aws:SourceVpc': ids.vpc } },
      ]);
    case 'ip':
      return {
        [pick(random, ['IpAddress', 'ForAnyValue:IpAddress'])]: { [spell(random, 'aws:SourceIp')]: ids.cidr },
      };
  }
}

/** A condition entry that looks like a restriction but is not one (SEMANTICS.md KMS.5 rule 4). */
function looseCondition(
  random: Random,
  context: KeyPolicyContext,
  why: 'wildcard' | 'variable' | 'if-exists' | 'for-all-values' | 'negated' | 'via-service' | 'any-cidr',
) {
  const ids = fixedIds(random, context);
  switch (why) {
    case 'wildcard':
      return pick(random, [
        { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/App' } },
        { StringLike: { 'aws:PrincipalOrgID': 'o-*' } },
        { StringEquals: { 'kms:CallerAccount': [ids.account, `${ids.otherAccount.slice(0, 11)}?`] } },
      ]);
    case 'variable':
      return { StringEquals: { [spell(random, 'aws:PrincipalAccount')]: '${aws:ResourceAccount}' } };
    case 'if-exists':
      return {
        [pick(random, ['StringEqualsIfExists', 'ArnLikeIfExists'])]: {
          'aws:PrincipalArn': `arn:aws:iam::${ids.account}:role/App`,
        },
      };
    case 'for-all-values':
      return { 'ForAllValues:StringEquals': { [spell(random, 'aws:PrincipalOrgID')]: ids.org } };
    case 'negated':
      return pick(random, [
        { StringNotEquals: { 'aws:PrincipalAccount': ids.otherAccount } },
        { ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ids.otherAccount}:*` } },
        { NotIpAddress: { 'aws:SourceIp': ids.cidr } },
      ]);
    case 'via-service':
      return {
        StringEquals: { 'kms:ViaService': `${pick(random, ['s3', 'ec2', 'rds'])}.us-east-1.amazonaws.com` },
      };
    case 'any-cidr':
      return { IpAddress: { 'aws:SourceIp': pick(random, ['0.0.0.0/0', '::/0']) } };
  }
}

interface KindSpec {
  expected: 'PASSED' | 'FAILED';
  /** The statement under test (public exactly when expected is FAILED) and any statements it needs. */
  build(
    random: Random,
    context: KeyPolicyContext,
  ): { subject?: KeyPolicyStatement; companions?: KeyPolicyStatement[] };
}

const openTo = (random: Random, principal: KeyPolicyStatement, condition?: object): KeyPolicyStatement => ({
  Effect: 'Allow',
  ...principal,
  ...kmsActions(random),
  Resource: '*',
  ...(condition !== undefined && { Condition: condition }),
});

const SPECS = {
  'default-root': { expected: 'PASSED', build: () => ({}) },
  'public-principal-star': { expected: 'FAILED', build: (r) => ({ subject: openTo(r, { Principal: '*' }) }) },
  'public-aws-star': {
    expected: 'FAILED',
    build: (r) => ({
      subject: openTo(r, {
        Principal: pick<unknown>(r, [{ AWS: '*' }, { AWS: ['arn:aws:iam::111122223333:role/App', '*'] }]),
      }),
    }),
  },
  'public-aws-wildcard-arn': {
    expected: 'FAILED',
    build: (r) => ({
      subject: openTo(r, {
        Principal: { AWS: pick(r, ['arn:aws:iam::*:root', 'arn:aws:iam::????????????:role/App']) },
      }),
    }),
  },
  'public-not-principal': {
    expected: 'FAILED',
    build: (r, c) => ({
      subject: openTo(r, { NotPrincipal: { AWS: `arn:aws:iam::${c.accountId}:role/Admin` } }),
    }),
  },
  'restricted-account': {
    expected: 'PASSED',
    build: (r, c) => ({ subject: openTo(r, everyone(r), restrictingCondition(r, c, 'account')) }),
  },
  'restricted-org': {
    expected: 'PASSED',
    build: (r, c) => ({ subject: openTo(r, everyone(r), restrictingCondition(r, c, 'org')) }),
  },
  'restricted-vpc-endpoint': {
    expected: 'PASSED',
    build: (r, c) => ({ subject: openTo(r, everyone(r), restrictingCondition(r, c, 'vpce')) }),
  },
  'restricted-source-ip': {
    expected: 'PASSED',
    build: (r, c) => ({ subject: openTo(r, everyone(r), restrictingCondition(r, c, 'ip')) }),
  },
  'restricted-among-loose-conditions': {
    expected: 'PASSED',
    // One restricting entry is enough: condition entries are ANDed.
    build: (r, c) => ({
      subject: openTo(r, everyone(r), {
        ...looseCondition(r, c, 'via-service'),
        ...restrictingCondition(r, c, 'ip'),
      }),
    }),
  },
  'open-wildcard-value': {
    expected: 'FAILED',
    build: (r, c) => ({ subject: openTo(r, everyone(r), looseCondition(r, c, 'wildcard')) }),
  },
  'open-policy-variable': {
    expected: 'FAILED',
    build: (r, c) => ({ subject: openTo(r, everyone(r), looseCondition(r, c, 'variable')) }),
  },
  'open-if-exists': {
    expected: 'FAILED',
    build: (r, c) => ({ subject: openTo(r, everyone(r), looseCondition(r, c, 'if-exists')) }),
  },
  'open-for-all-values': {
    expected: 'FAILED',
    build: (r, c) => ({ subject: openTo(r, everyone(r), looseCondition(r, c, 'for-all-values')) }),
  },
  'open-negated-operator': {
    expected: 'FAILED',
    build: (r, c) => ({ subject: openTo(r, everyone(r), looseCondition(r, c, 'negated')) }),
  },
  'open-via-service-only': {
    expected: 'FAILED',
    build: (r, c) => ({ subject: openTo(r, everyone(r), looseCondition(r, c, 'via-service')) }),
  },
  'open-any-source-ip': {
    expected: 'FAILED',
    build: (r, c) => ({ subject: openTo(r, everyone(r), looseCondition(r, c, 'any-cidr')) }),
  },
  'neutralised-by-deny': {
    expected: 'PASSED',
    build: (r) => ({
      subject: openTo(r, everyone(r)),
      companions: [
        {
          Sid: 'DenyEveryone',
          Effect: 'Deny',
          ...everyone(r),
          Action: pick(r, ['kms:*', '*', 'KMS:*']),
          Resource: '*',
        },
      ],
    }),
  },
  'partly-denied': {
    expected: 'FAILED',
    // kmsActions always opens kms:Encrypt, which this Deny leaves in place.
    build: (r) => ({
      subject: openTo(r, everyone(r)),
      companions: [
        {
          Sid: 'DenyDecrypt',
          Effect: 'Deny',
          ...everyone(r),
          Action: ['kms:Decrypt', 'kms:ScheduleKeyDeletion'],
          Resource: '*',
        },
      ],
    }),
  },
  'conditional-deny': {
    expected: 'FAILED',
    // A Deny with a Condition may not apply, so it removes nothing.
    build: (r) => ({
      subject: openTo(r, everyone(r)),
      companions: [
        {
          Sid: 'DenyInsecure',
          Effect: 'Deny',
          ...everyone(r),
          Action: 'kms:*',
          Resource: '*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    }),
  },
  'service-principal': {
    expected: 'PASSED',
    build: (r) => ({
      subject: openTo(r, {
        Principal: { Service: pick(r, ['logs.amazonaws.com', 's3.amazonaws.com', '*']) },
      }),
    }),
  },
  'public-non-kms-action': {
    expected: 'PASSED',
    build: (r) => ({
      subject: {
        Effect: 'Allow',
        ...everyone(r),
        ...pick<KeyPolicyStatement>(r, [{ Action: 's3:GetObject' }, { NotAction: 'kms:*' }]),
        Resource: '*',
      },
    }),
  },
} satisfies Record<string, KindSpec>;

export type KeyPolicyKind = keyof typeof SPECS;

export const KEY_POLICY_KINDS = Object.keys(SPECS) as KeyPolicyKind[];

/** AWS's default key policy: the account root may use and manage the key through IAM. */
function rootStatement(accountId: string): KeyPolicyStatement {
  return {
    Sid: 'Enable IAM User Permissions',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${accountId}:root` },
    Action: 'kms:*',
    Resource: '*',
  };
}

/** A benign statement a real key policy often holds: a key administrator role. */
function adminStatement(accountId: string): KeyPolicyStatement {
  return {
    Sid: 'Allow access for Key Administrators',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${accountId}:role/KeyAdmin` },
    Action: [
      'kms:Create*',
      'kms:Describe*',
      'kms:Enable*',
      'kms:List*',
      'kms:Put*',
      'kms:Update*',
      'kms:Revoke*',
      'kms:Disable*',
      'kms:Get*',
      'kms:Delete*',
      'kms:ScheduleKeyDeletion',
      'kms:CancelKeyDeletion',
    ],
    Resource: '*',
  };
}

function shuffle<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** One key policy of the given kind, drawn with `random`. */
export function keyPolicyOfKind(
  kind: KeyPolicyKind,
  random: Random,
  context: KeyPolicyContext,
): GeneratedKeyPolicy {
  const spec: KindSpec = SPECS[kind];
  const { subject, companions = [] } = spec.build(random, context);
  const sid = pick(random, ['AllowUseOfTheKey', 'Public', 'CrossAccountAccess', undefined]);
  const labelled = subject === undefined ? undefined : { ...(sid !== undefined && { Sid: sid }), ...subject };
  const statements = shuffle(random, [
    rootStatement(context.accountId),
    ...(random() < 0.5 ? [adminStatement(context.accountId)] : []),
    ...(labelled === undefined ? [] : [labelled]),
    ...companions,
  ]);
  const index = labelled === undefined ? -1 : statements.indexOf(labelled);
  return {
    kind,
    document: {
      Version: '2012-10-17',
      Id: pick(random, ['key-default-1', 'key-consolepolicy-3', 'key-policy']),
      Statement: statements,
    },
    expected: spec.expected,
    publicLabels: spec.expected === 'FAILED' ? [sid ?? `#${index}`] : [],
  };
}

/** One key policy of every kind, deterministic from the seed. */
export function generateKeyPolicies(seed: number, context: KeyPolicyContext): GeneratedKeyPolicy[] {
  const random = seededRandom(seed);
  return KEY_POLICY_KINDS.map((kind) => keyPolicyOfKind(kind, random, context));
}
