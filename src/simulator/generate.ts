/**
 * A generated organization, deterministic from a seed: accounts, keys of every kind SEMANTICS.md names,
 * customer managed and inline policies drawn from the exactly-decided policy kinds, and the verdicts a
 * correct scan must reach -- computed from the kinds, never by keywarden's own engine.
 */
import type { ControlId } from '../catalog/control-ids.js';
import { POLICY_KINDS } from './policy-kinds.js';
import { seededRandom } from './random.js';
import type { SimAccount, SimIdentity, SimKey, SimManagedPolicy } from './state.js';
import { SimState } from './state.js';

export type ExpectedStatus = 'PASSED' | 'FAILED' | 'NOT_AVAILABLE';

export interface ExpectedResult {
  controlId: ControlId;
  accountId: string;
  /** The region whose Security Hub receives the finding (the home region for IAM controls). */
  region: string;
  resourceArn: string;
  status: ExpectedStatus;
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
}

export const DEFAULT_MEMBER_ROLE = 'KeywardenMemberRole';
export const DEFAULT_EXTERNAL_ID = 'keywarden-demo-external-id';
export const DEFAULT_REGIONS = ['us-east-1', 'eu-west-1'];
/** The IAM user whose access key the simulator issues to the hub (`DEFAULT_HUB_CREDENTIALS`). */
export const HUB_USER = 'keywarden-hub';
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

export function keyArn(accountId: string, region: string, keyId: string): string {
  return `arn:aws:kms:${region}:${accountId}:key/${keyId}`;
}

export function generateOrganization(options: OrganizationOptions = {}): {
  state: SimState;
  expected: ExpectedResult[];
} {
  const random = seededRandom(options.seed ?? 1);
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
      // Used as a permissions boundary: excluded by KMS.1's default parameters.
      if (!boundary) {
        expect({
          controlId: 'KMS.1',
          region: homeRegion,
          resourceArn: `arn:aws:iam::${id}:policy/${policy.name}`,
          status: kind.verdict,
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
        if (kind.kms3) expect({ controlId: 'KMS.3', region, resourceArn: arn, status: kind.kms3 });
        if (kind.kms4) expect({ controlId: 'KMS.4', region, resourceArn: arn, status: kind.kms4 });
        // Every customer managed key has KMS's default key policy here, which is not public.
        if (key.keyManager === 'CUSTOMER')
          expect({ controlId: 'KMS.5', region, resourceArn: arn, status: 'PASSED' });
      }
    }
  }
  return { state, expected };
}
