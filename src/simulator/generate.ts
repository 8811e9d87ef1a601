/**
 * A generated organization, deterministic from a seed: accounts, keys of every kind SEMANTICS.md names,
 * customer managed and inline policies drawn from the exactly-decided policy kinds, and the verdicts a
 * correct scan must reach -- computed from the kinds, never by keywarden's own engine.
 */
import type { ControlId } from '../catalog/control-ids.js';
import {
  awsManagedKeyPolicy,
  defaultKeyPolicy,
  KEY_CALLS,
  type KeyCall,
  LOCKED_KEY_KINDS,
  lockedKeyPolicy,
  MEMBER_ROLE_KMS_ACTIONS,
} from './key-policies.js';
import { KEY_POLICY_KINDS, type KeyPolicyKind, keyPolicyOfKind } from './key-policy-kinds.js';
import { POLICY_KINDS } from './policy-kinds.js';
import { seededRandom } from './random.js';
import type { SimAccount, SimIdentity, SimKey, SimManagedPolicy } from './state.js';
import { SimState } from './state.js';

export type ExpectedStatus = 'PASSED' | 'FAILED' | 'NOT_AVAILABLE' | 'WARNING';

export interface ExpectedResult {
  controlId: ControlId;
  accountId: string;
  /** The region whose Security Hub receives the finding (the home region for IAM controls). */
  region: string;
  resourceArn: string;
  status: ExpectedStatus;
  /**
   * Where the case is about the reason (issue 16): `KEY_UNREADABLE_BY_AUDIT_ROLE` (KMS.3/KMS.4 WARNING
   * for a key whose policy refuses the member role) or `KEY_POLICY_UNREADABLE` (KMS.5 FAILED).
   */
  reasonCode?: 'KEY_UNREADABLE_BY_AUDIT_ROLE' | 'KEY_POLICY_UNREADABLE';
  /** The call the key policy refused the member role, e.g. `kms:DescribeKey`. */
  refusedCall?: string;
  /** KMS.1: a policy used as a permissions boundary and attached too, which AWS's own control skips. */
  skippedByAwsNativeControl?: true;
}

/** A unit the scan must report as failed, with nothing archived and no per-key findings (issue 16). */
export interface ExpectedUnitError {
  accountId: string;
  region: string;
  controls: ExpectedResult['controlId'][];
  /** The action the member role's IAM policy lacks. */
  missingAction: string;
}

export interface OrganizationOptions {
  seed?: number;
  accounts?: number;
  regions?: string[];
  /** Keys per account and region; kinds cycle, so 11 or more gives one of each. */
  keysPerRegion?: number;
  policiesPerAccount?: number;
  identitiesPerAccount?: number;
  homeRegion?: string;
  memberRoleName?: string;
  externalId?: string;
  /**
   * Give customer managed keys key policies of every KMS.5 kind (key-policy-kinds.ts), cycling; off: AWS's
   * default key policy. One kind (an unconditional Deny of kms:* to everyone) locks the member role out.
   */
  keyPolicyKinds?: boolean;
  /** Expect KMS.5 verdicts for every customer managed key (default on: KMS.5 is in the catalog). */
  kms5?: boolean;
  /**
   * Add, in every account and region, keys whose policy locks the audit role out, one of each locked kind
   * (key-policies.ts) in each of two states: pending deletion, and enabled with rotation off (issue 16).
   */
  lockedKeys?: boolean;
  /** The member role of the second account (the first when there is one) lacks kms:DescribeKey. */
  memberRoleWithoutDescribeKey?: boolean;
}

export const DEFAULT_MEMBER_ROLE = 'KeywardenMemberRole';
export const DEFAULT_EXTERNAL_ID = 'keywarden-demo-external-id';
export const DEFAULT_REGIONS = ['us-east-1', 'eu-west-1'];
/** The IAM user whose access key the simulator issues to the hub (`DEFAULT_HUB_CREDENTIALS`). */
export const HUB_USER = 'keywarden-hub';
/**
 * The role AWS Organizations creates in each account it creates, trusting the management account: full
 * access, so tests and demos make changes (the write calls) in a member account through it.
 */
export const ADMIN_ROLE = 'OrganizationAccountAccessRole';
/** A role in the management account that the hub user may assume first (keywarden's `hub.roleArn`). */
export const HUB_ROLE = 'KeywardenHubRole';

/** The member role's trust policy, as docker/member-role-stackset.yaml deploys it: the hub, with the ExternalId. */
export function memberTrustPolicy(managementAccountId: string, externalId: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'KeywardenHubOnlyWithExternalId',
        Effect: 'Allow',
        Principal: {
          AWS: [
            `arn:aws:iam::${managementAccountId}:user/${HUB_USER}`,
            `arn:aws:iam::${managementAccountId}:role/${HUB_ROLE}`,
          ],
        },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': externalId } },
      },
    ],
  };
}

/** Every kind of key the controls must tell apart, with what KMS.3 and KMS.4 decide for it. */
const KEY_KINDS: {
  name: string;
  key: Partial<SimKey>;
  kms3?: ExpectedStatus;
  kms4?: ExpectedStatus;
}[] = [
  {
    name: 'symmetric, rotation on',
    key: { rotationEnabled: true, rotationPeriodInDays: 365 },
    kms3: 'PASSED',
    kms4: 'PASSED',
  },
  { name: 'symmetric, rotation off', key: { rotationEnabled: false }, kms3: 'PASSED', kms4: 'FAILED' },
  {
    name: 'symmetric, rotation every 180 days',
    key: { rotationEnabled: true, rotationPeriodInDays: 180 },
    kms3: 'PASSED',
    kms4: 'PASSED',
  },
  { name: 'asymmetric', key: { keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' }, kms3: 'PASSED' },
  { name: 'HMAC', key: { keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' }, kms3: 'PASSED' },
  { name: 'imported key material', key: { origin: 'EXTERNAL' }, kms3: 'PASSED' },
  {
    name: 'custom key store',
    key: { origin: 'AWS_CLOUDHSM', customKeyStoreId: 'cks-1234567890abcdef0' },
    kms3: 'PASSED',
  },
  { name: 'pending deletion', key: { keyState: 'PendingDeletion', pendingWindowDays: 7 }, kms3: 'FAILED' },
  {
    name: 'pending replica deletion',
    key: { keyState: 'PendingReplicaDeletion', multiRegion: true, pendingWindowDays: 30 },
    kms3: 'FAILED',
  },
  { name: 'disabled', key: { keyState: 'Disabled' }, kms3: 'PASSED' },
  { name: 'AWS managed', key: { keyManager: 'AWS', rotationEnabled: true } },
];

/**
 * The member role's calls that a KMS.5 kind refuses, by construction: 'neutralised-by-deny' denies kms:*
 * (or *) to everyone without a condition; every other kind keeps the account's root statement and
 * denies no read call ('conditional-deny' only over plain HTTP, which AWS's endpoints are not).
 */
const KIND_REFUSES: Partial<Record<KeyPolicyKind, readonly KeyCall[]>> = {
  'neutralised-by-deny': KEY_CALLS,
};

/** Key states of the locked keys: what KMS.3 and KMS.4 would decide if the key could be read. */
const LOCKED_STATES: { name: string; key: Partial<SimKey>; kms3: ExpectedStatus; kms4?: ExpectedStatus }[] = [
  { name: 'pending deletion', key: { keyState: 'PendingDeletion', pendingWindowDays: 7 }, kms3: 'FAILED' },
  { name: 'rotation off', key: { rotationEnabled: false }, kms3: 'PASSED', kms4: 'FAILED' },
];

/** Whether KMS.4 judges the key (SEMANTICS.md): symmetric, AWS_KMS, no custom key store, Enabled. */
function inKms4Scope(key: SimKey): boolean {
  return (
    key.keyManager === 'CUSTOMER' &&
    key.keySpec === 'SYMMETRIC_DEFAULT' &&
    key.origin === 'AWS_KMS' &&
    key.customKeyStoreId === undefined &&
    key.keyState === 'Enabled'
  );
}

/**
 * What a scan must find for one customer managed key: KMS.3/KMS.4 as the key's kind says, KMS.5 as its
 * policy's kind says, except where the key policy refuses the member role a call (issue 16): without
 * DescribeKey the key is a KMS.3 and KMS.4 WARNING (its KMS.4 scope is unknown too), without
 * GetKeyRotationStatus a KMS.4 WARNING where KMS.4 judges it, without GetKeyPolicy a KMS.5 FAILED.
 */
function keyExpectations(
  key: SimKey,
  verdicts: { kms3?: ExpectedStatus; kms4?: ExpectedStatus; kms5: ExpectedStatus },
  refuses: readonly KeyCall[],
  withKms5: boolean,
): Omit<ExpectedResult, 'accountId' | 'region' | 'resourceArn'>[] {
  const unreadable = (call: KeyCall) =>
    ({ status: 'WARNING', reasonCode: 'KEY_UNREADABLE_BY_AUDIT_ROLE', refusedCall: `kms:${call}` }) as const;
  const results: Omit<ExpectedResult, 'accountId' | 'region' | 'resourceArn'>[] = [];
  if (refuses.includes('DescribeKey')) {
    results.push({ controlId: 'KMS.3', ...unreadable('DescribeKey') });
    results.push({ controlId: 'KMS.4', ...unreadable('DescribeKey') });
  } else {
    if (verdicts.kms3) results.push({ controlId: 'KMS.3', status: verdicts.kms3 });
    if (refuses.includes('GetKeyRotationStatus') && inKms4Scope(key))
      results.push({ controlId: 'KMS.4', ...unreadable('GetKeyRotationStatus') });
    else if (verdicts.kms4) results.push({ controlId: 'KMS.4', status: verdicts.kms4 });
  }
  if (withKms5) {
    results.push(
      refuses.includes('GetKeyPolicy')
        ? {
            controlId: 'KMS.5',
            status: 'FAILED',
            reasonCode: 'KEY_POLICY_UNREADABLE',
            refusedCall: 'kms:GetKeyPolicy',
          }
        : { controlId: 'KMS.5', status: verdicts.kms5 },
    );
  }
  return results;
}

export function keyArn(accountId: string, region: string, keyId: string): string {
  return `arn:aws:kms:${region}:${accountId}:key/${keyId}`;
}

export function generateOrganization(options: OrganizationOptions = {}): {
  state: SimState;
  expected: ExpectedResult[];
  expectedUnitErrors: ExpectedUnitError[];
} {
  const random = seededRandom(options.seed ?? 1);
  // Streams of their own, so the opt-in features leave every other generated id as it was.
  const policyRandom = seededRandom((options.seed ?? 1) * 7919 + 1);
  const lockedRandom = seededRandom((options.seed ?? 1) * 7919 + 2);
  const lockedHex = (n: number): string =>
    Array.from({ length: n }, () => Math.floor(lockedRandom() * 16).toString(16)).join('');
  let customerKeys = 0;
  const hex = (n: number): string =>
    Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
  const accountsCount = options.accounts ?? 4;
  const regions = options.regions ?? DEFAULT_REGIONS;
  const homeRegion = options.homeRegion ?? 'us-east-1';
  const roleName = options.memberRoleName ?? DEFAULT_MEMBER_ROLE;
  const externalId = options.externalId ?? DEFAULT_EXTERNAL_ID;
  const keysPerRegion = options.keysPerRegion ?? KEY_KINDS.length;
  const policiesPerAccount = options.policiesPerAccount ?? 10;
  const identitiesPerAccount = options.identitiesPerAccount ?? 8;
  const created = new Date('2025-01-15T10:00:00.000Z');
  const now = Date.now();

  const state = new SimState();
  state.regions = [...regions];
  const expected: ExpectedResult[] = [];
  const expectedUnitErrors: ExpectedUnitError[] = [];
  const withoutDescribeKey = options.memberRoleWithoutDescribeKey ? Math.min(1, accountsCount - 1) : -1;
  const base = 100_000_000_000 + Math.floor(random() * 800_000_000_000);

  for (let a = 0; a < accountsCount; a++) {
    const id = String(base + a * 1_000_003);
    const suspended = accountsCount >= 5 && a === accountsCount - 1;
    const account: SimAccount = {
      id,
      name: a === 0 ? 'management' : `member-${a}`,
      status: suspended ? 'SUSPENDED' : 'ACTIVE',
      policies: [],
      identities: [],
      keys: new Map(),
      hubs: new Map(),
      roles: new Map(),
    };
    if (a === 0) state.managementAccountId = id;
    account.roles.set(roleName, {
      trustPolicy: memberTrustPolicy(state.managementAccountId, externalId),
      maxSessionDuration: 3600,
      ...(a === withoutDescribeKey && {
        kmsActions: MEMBER_ROLE_KMS_ACTIONS.filter((action) => action !== 'kms:DescribeKey'),
      }),
    });
    account.roles.set(ADMIN_ROLE, {
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${state.managementAccountId}:root` },
            Action: 'sts:AssumeRole',
          },
        ],
      },
      maxSessionDuration: 3600,
      kmsActions: ['kms:*'],
      iamActions: ['iam:*'],
    });
    if (a === 0) {
      account.roles.set(HUB_ROLE, {
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${id}:user/${HUB_USER}` },
              Action: 'sts:AssumeRole',
            },
          ],
        },
        maxSessionDuration: 3600,
      });
    }
    state.accounts.set(id, account);
    const expect = (result: Omit<ExpectedResult, 'accountId'>) => {
      if (!suspended) expected.push({ ...result, accountId: id });
    };
    // A role without kms:DescribeKey: one unit error per region, no per-key findings (issue 16).
    const expectKey = (result: Omit<ExpectedResult, 'accountId'>) => {
      if (a !== withoutDescribeKey) expect(result);
    };
    if (a === withoutDescribeKey && !suspended) {
      for (const region of regions)
        expectedUnitErrors.push({
          accountId: id,
          region,
          controls: ['KMS.3', 'KMS.4', ...((options.kms5 ?? true) ? (['KMS.5'] as const) : [])],
          missingAction: 'kms:DescribeKey',
        });
    }

    // Customer managed policies: the default version decides; an older version says the opposite.
    for (let p = 0; p < policiesPerAccount; p++) {
      const kind = POLICY_KINDS[(p * 7 + a * 3) % POLICY_KINDS.length]!;
      const other = POLICY_KINDS.find((k) => k.verdict !== kind.verdict)!;
      const boundary = p % 5 === 4;
      const policy: SimManagedPolicy = {
        name: `${kind.id}-${p}`,
        policyId: `ANPA${hex(17).toUpperCase()}`,
        path: '/',
        attachmentCount: p % 3,
        permissionsBoundaryUsageCount: boundary ? 1 : 0,
        versions: [
          { versionId: 'v1', isDefault: false, document: other.document, createDate: created.toISOString() },
          { versionId: 'v2', isDefault: true, document: kind.document, createDate: created.toISOString() },
        ],
        createDate: created.toISOString(),
      };
      account.policies.push(policy);
      // Used only as a permissions boundary: excluded by KMS.1's default parameters. A boundary that is
      // also attached (p % 3 > 0) grants, so it is evaluated (issue 16).
      if (!boundary || policy.attachmentCount > 0) {
        expect({
          controlId: 'KMS.1',
          region: homeRegion,
          resourceArn: `arn:aws:iam::${id}:policy/${policy.name}`,
          status: kind.verdict,
          ...(boundary && { skippedByAwsNativeControl: true as const }),
        });
      }
    }

    // Users, groups and roles with 0-2 inline policies each.
    for (let i = 0; i < identitiesPerAccount; i++) {
      const kind = (['user', 'group', 'role'] as const)[i % 3]!;
      const inlineCount = i % 4 === 3 ? 0 : 1 + (i % 2);
      const inline = Array.from(
        { length: inlineCount },
        (_, j) => POLICY_KINDS[(i * 5 + j * 11 + a) % POLICY_KINDS.length]!,
      );
      const identity: SimIdentity = {
        kind,
        name: `${kind}-${i}`,
        id: `AID${hex(17).toUpperCase()}`,
        path: '/',
        createDate: created.toISOString(),
        inlinePolicies: inline.map((k, j) => ({ name: `inline-${j}-${k.id}`, document: k.document })),
      };
      if (kind === 'role') {
        // Every other role trusts only the organization's management account.
        const principal =
          i % 2 === 0
            ? `arn:aws:iam::${state.managementAccountId}:root`
            : { Service: 'lambda.amazonaws.com' };
        identity.trustPolicy = {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: typeof principal === 'string' ? { AWS: principal } : principal,
              Action: 'sts:AssumeRole',
            },
          ],
        };
      }
      account.identities.push(identity);
      if (inlineCount > 0) {
        const iamType = kind === 'user' ? 'user' : kind === 'group' ? 'group' : 'role';
        expect({
          controlId: 'KMS.2',
          region: homeRegion,
          resourceArn: `arn:aws:iam::${id}:${iamType}/${identity.name}`,
          status: inline.some((k) => k.verdict === 'FAILED') ? 'FAILED' : 'PASSED',
        });
      }
    }

    // Keys of every kind in every region.
    for (const region of regions) {
      const keys = state.keys(id, region);
      for (let k = 0; k < keysPerRegion; k++) {
        const kind = KEY_KINDS[k % KEY_KINDS.length]!;
        const keyId = kind.key.multiRegion
          ? `mrk-${hex(32)}`
          : `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
        const key: SimKey = {
          keyId,
          keyManager: 'CUSTOMER',
          keyState: 'Enabled',
          keySpec: 'SYMMETRIC_DEFAULT',
          keyUsage: 'ENCRYPT_DECRYPT',
          origin: 'AWS_KMS',
          description: kind.name,
          creationDate: created,
          multiRegion: false,
          rotationEnabled: false,
          ...kind.key,
        };
        if (key.pendingWindowDays !== undefined && key.keyState === 'PendingDeletion') {
          key.deletionDate = new Date(now + key.pendingWindowDays * 86_400_000);
        }
        keys.push(key);
        const arn = keyArn(id, region, keyId);
        if (key.keyManager === 'AWS') {
          key.policy = { ...awsManagedKeyPolicy(id, region) };
          continue;
        }
        let kms5: ExpectedStatus = 'PASSED';
        let refuses: readonly KeyCall[] = [];
        if (options.keyPolicyKinds) {
          const policyKind = KEY_POLICY_KINDS[customerKeys++ % KEY_POLICY_KINDS.length]!;
          const generated = keyPolicyOfKind(policyKind, policyRandom, { accountId: id });
          key.policy = { ...generated.document };
          kms5 = generated.expected;
          refuses = KIND_REFUSES[policyKind] ?? [];
        } else {
          key.policy = { ...defaultKeyPolicy(id) };
        }
        const verdicts = {
          ...(kind.kms3 && { kms3: kind.kms3 }),
          ...(kind.kms4 && { kms4: kind.kms4 }),
          kms5,
        };
        for (const result of keyExpectations(key, verdicts, refuses, options.kms5 ?? true))
          expectKey({ ...result, region, resourceArn: arn });
      }
      if (!options.lockedKeys) continue;
      // Keys that lock the audit role out, each kind in each state (issue 16).
      for (const lockedKind of LOCKED_KEY_KINDS) {
        for (const lockedState of LOCKED_STATES) {
          const locked = lockedKeyPolicy(lockedKind, lockedRandom, id);
          const keyId = `${lockedHex(8)}-${lockedHex(4)}-${lockedHex(4)}-${lockedHex(4)}-${lockedHex(12)}`;
          const key: SimKey = {
            keyId,
            keyManager: 'CUSTOMER',
            keyState: 'Enabled',
            keySpec: 'SYMMETRIC_DEFAULT',
            keyUsage: 'ENCRYPT_DECRYPT',
            origin: 'AWS_KMS',
            description: `locked ${lockedKind}, ${lockedState.name}`,
            creationDate: created,
            multiRegion: false,
            rotationEnabled: false,
            ...lockedState.key,
            policy: { ...locked.document },
          };
          if (key.keyState === 'PendingDeletion')
            key.deletionDate = new Date(now + key.pendingWindowDays! * 86_400_000);
          keys.push(key);
          const verdicts = {
            kms3: lockedState.kms3,
            ...(lockedState.kms4 && { kms4: lockedState.kms4 }),
            kms5: locked.kms5WhenReadable,
          };
          for (const result of keyExpectations(key, verdicts, locked.refuses, options.kms5 ?? true))
            expectKey({ ...result, region, resourceArn: keyArn(id, region, keyId) });
        }
      }
    }
  }
  return { state, expected, expectedUnitErrors };
}
