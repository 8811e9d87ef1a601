/**
 * The generator's key policies, locked keys, role without kms:DescribeKey and boundary policies (issues
 * 14 and 16): what each case must yield is written here from the issues, not read back from the
 * generator's own tables.
 */
import { describe, expect, it } from 'vitest';
import { loadKmsActions } from '../../src/catalog/load.js';
import { evaluateKeyPolicyPublicAccess } from '../../src/policy/key-policy/index.js';
import type { ExpectedResult } from '../../src/simulator/index.js';
import { generateOrganization } from '../../src/simulator/index.js';
import { readFileSync } from 'node:fs';
import { keyArn } from '../../src/simulator/generate.js';
import { MEMBER_ROLE_KMS_ACTIONS } from '../../src/simulator/key-policies.js';

const kmsActions = loadKmsActions();
const REGIONS = ['us-east-1', 'eu-west-1'];
const ALL_ON = {
  seed: 4,
  accounts: 3,
  regions: REGIONS,
  keyPolicyKinds: true,
  kms5: true,
  lockedKeys: true,
  memberRoleWithoutDescribeKey: true,
};

type Row = Pick<ExpectedResult, 'controlId' | 'status' | 'reasonCode' | 'refusedCall'>;
const row = (e: ExpectedResult): Row => ({
  controlId: e.controlId,
  status: e.status,
  ...(e.reasonCode && { reasonCode: e.reasonCode }),
  ...(e.refusedCall && { refusedCall: e.refusedCall }),
});
const unreadable = (controlId: 'KMS.3' | 'KMS.4', call: string): Row => ({
  controlId,
  status: 'WARNING',
  reasonCode: 'KEY_UNREADABLE_BY_AUDIT_ROLE',
  refusedCall: call,
});
const policyUnreadable: Row = {
  controlId: 'KMS.5',
  status: 'FAILED',
  reasonCode: 'KEY_POLICY_UNREADABLE',
  refusedCall: 'kms:GetKeyPolicy',
};

/** Issue 16, per locked kind and key state: the findings a scan must give the key. */
const LOCKED_EXPECTATIONS: Record<string, Row[]> = {
  'deny-all-except-key-admin, pending deletion': [
    unreadable('KMS.3', 'kms:DescribeKey'),
    unreadable('KMS.4', 'kms:DescribeKey'),
    policyUnreadable,
  ],
  'deny-all-except-key-admin, rotation off': [
    unreadable('KMS.3', 'kms:DescribeKey'),
    unreadable('KMS.4', 'kms:DescribeKey'),
    policyUnreadable,
  ],
  'other-account-only, pending deletion': [
    unreadable('KMS.3', 'kms:DescribeKey'),
    unreadable('KMS.4', 'kms:DescribeKey'),
    policyUnreadable,
  ],
  'other-account-only, rotation off': [
    unreadable('KMS.3', 'kms:DescribeKey'),
    unreadable('KMS.4', 'kms:DescribeKey'),
    policyUnreadable,
  ],
  // Pending deletion: out of KMS.4's scope, so its rotation status is never asked.
  'deny-rotation-status, pending deletion': [
    { controlId: 'KMS.3', status: 'FAILED' },
    { controlId: 'KMS.5', status: 'PASSED' },
  ],
  'deny-rotation-status, rotation off': [
    { controlId: 'KMS.3', status: 'PASSED' },
    unreadable('KMS.4', 'kms:GetKeyRotationStatus'),
    { controlId: 'KMS.5', status: 'PASSED' },
  ],
  'deny-get-key-policy, pending deletion': [{ controlId: 'KMS.3', status: 'FAILED' }, policyUnreadable],
  'deny-get-key-policy, rotation off': [
    { controlId: 'KMS.3', status: 'PASSED' },
    { controlId: 'KMS.4', status: 'FAILED' },
    policyUnreadable,
  ],
};

const statementsOf = (policy: Record<string, unknown> | undefined) =>
  (policy?.['Statement'] ?? []) as Record<string, unknown>[];

describe('by default (every opt-in option off) the generated organization is what it was', () => {
  const { state, expected, expectedUnitErrors } = generateOrganization({
    seed: 4,
    accounts: 3,
    regions: REGIONS,
  });

  it('expects KMS.5 PASSED for each customer key (AWS’s default key policy), no WARNING, no unit error; the same keys as with key-policy kinds on', () => {
    expect(expected.filter((e) => e.status === 'WARNING')).toEqual([]);
    const kms5 = expected.filter((e) => e.controlId === 'KMS.5');
    const customerKeys = [...state.accounts.values()].flatMap((a) =>
      [...a.keys.values()].flat().filter((k) => k.keyManager === 'CUSTOMER'),
    );
    expect(kms5.map((e) => e.status)).toEqual(customerKeys.map(() => 'PASSED'));
    expect(expectedUnitErrors).toEqual([]);
    // kms5: false leaves KMS.5 out, for a scan limited to the other controls.
    const without = generateOrganization({ seed: 4, accounts: 3, regions: REGIONS, kms5: false });
    expect(without.expected.filter((e) => e.controlId === 'KMS.5')).toEqual([]);
    expect(without.expected).toEqual(expected.filter((e) => e.controlId !== 'KMS.5'));
    const withKinds = generateOrganization({ seed: 4, accounts: 3, regions: REGIONS, keyPolicyKinds: true });
    const ids = (s: typeof state) =>
      [...s.accounts.values()].flatMap((a) => [...a.keys.values()].flat().map((k) => k.keyId));
    expect(ids(withKinds.state)).toEqual(ids(state));
  });

  it('gives customer keys AWS’s default key policy and AWS managed keys the AWS managed one', () => {
    for (const [accountId, account] of state.accounts) {
      for (const keys of account.keys.values()) {
        for (const key of keys) {
          const principals = statementsOf(key.policy).map((s) => JSON.stringify(s['Principal']));
          expect(principals).toContain(JSON.stringify({ AWS: `arn:aws:iam::${accountId}:root` }));
          if (key.keyManager === 'CUSTOMER') expect(statementsOf(key.policy)).toHaveLength(1);
          else expect(key.policy?.['Id']).toBe('auto-ebs-2');
        }
      }
    }
  });
});

describe('with every option on', () => {
  const { state, expected, expectedUnitErrors } = generateOrganization(ALL_ON);
  const accounts = [...state.accounts.keys()];
  const lockedOut = accounts[1]!;
  const byResource = new Map<string, Row[]>();
  for (const e of expected) byResource.set(e.resourceArn, [...(byResource.get(e.resourceArn) ?? []), row(e)]);

  it('every customer key of a readable account has one KMS.5 expectation; AWS managed keys none', () => {
    for (const accountId of accounts.filter((a) => a !== lockedOut)) {
      for (const region of REGIONS) {
        for (const key of state.keys(accountId, region)) {
          const kms5 = (byResource.get(keyArn(accountId, region, key.keyId)) ?? []).filter(
            (r) => r.controlId === 'KMS.5',
          );
          expect(kms5).toHaveLength(key.keyManager === 'CUSTOMER' ? 1 : 0);
        }
      }
    }
  });

  it('keywarden’s KMS.5 evaluator agrees with each readable key’s expected verdict, over both verdicts', () => {
    const verdicts = new Set<string>();
    let checked = 0;
    for (const e of expected.filter((x) => x.controlId === 'KMS.5' && x.reasonCode === undefined)) {
      const key = state.keys(e.accountId, e.region).find((k) => e.resourceArn.endsWith(k.keyId))!;
      const result = evaluateKeyPolicyPublicAccess(key.policy!, { kmsActions });
      expect(result.verdict, `${e.resourceArn} ${JSON.stringify(key.policy)}`).toBe(e.status);
      verdicts.add(e.status);
      checked++;
    }
    expect(verdicts).toEqual(new Set(['PASSED', 'FAILED']));
    // 2 readable accounts x 2 regions x (10 customer keys + 8 locked keys), minus the unreadable ones.
    expect(checked).toBeGreaterThan(40);
    const documents = new Set(
      [...state.accounts.values()].flatMap((a) =>
        [...a.keys.values()].flat().map((k) => JSON.stringify(k.policy)),
      ),
    );
    // 22 kinds, each drawn with its own details: many distinct documents, not one repeated.
    expect(documents.size).toBeGreaterThan(40);
  });

  it('the key with the unconditional Deny-everyone policy is unreadable: WARNING and KEY_POLICY_UNREADABLE', () => {
    const neutralised = [...state.accounts.entries()]
      .filter(([id]) => id !== lockedOut)
      .flatMap(([id, account]) =>
        [...account.keys.entries()].flatMap(([region, keys]) =>
          keys
            .filter((k) => !k.description.startsWith('locked'))
            .filter((k) =>
              statementsOf(k.policy).some(
                (s) => s['Effect'] === 'Deny' && s['Condition'] === undefined && s['Sid'] === 'DenyEveryone',
              ),
            )
            .map((k) => keyArn(id, region, k.keyId)),
        ),
      );
    expect(neutralised.length).toBeGreaterThan(0);
    for (const arn of neutralised)
      expect(byResource.get(arn)).toEqual([
        unreadable('KMS.3', 'kms:DescribeKey'),
        unreadable('KMS.4', 'kms:DescribeKey'),
        policyUnreadable,
      ]);
  });

  it('locked keys of each kind, in each state, in every readable account and region, with issue 16’s findings', () => {
    for (const accountId of accounts.filter((a) => a !== lockedOut)) {
      for (const region of REGIONS) {
        const locked = state.keys(accountId, region).filter((k) => k.description.startsWith('locked '));
        expect(locked.map((k) => k.description.slice('locked '.length)).sort()).toEqual(
          Object.keys(LOCKED_EXPECTATIONS).sort(),
        );
        for (const key of locked) {
          const rows = byResource.get(keyArn(accountId, region, key.keyId));
          expect(rows, key.description).toEqual(LOCKED_EXPECTATIONS[key.description.slice('locked '.length)]);
        }
      }
    }
  });

  it('the account whose member role lacks kms:DescribeKey: one unit error per region, no key expectation', () => {
    expect(expectedUnitErrors).toEqual(
      REGIONS.map((region) => ({
        accountId: lockedOut,
        region,
        controls: ['KMS.3', 'KMS.4', 'KMS.5'],
        missingAction: 'kms:DescribeKey',
      })),
    );
    const ofAccount = expected.filter((e) => e.accountId === lockedOut);
    expect(ofAccount.filter((e) => ['KMS.3', 'KMS.4', 'KMS.5'].includes(e.controlId))).toEqual([]);
    expect(ofAccount.some((e) => e.controlId === 'KMS.1')).toBe(true);
    expect(state.account(lockedOut)!.roles.get('KeywardenMemberRole')!.kmsActions).not.toContain(
      'kms:DescribeKey',
    );
  });
});

describe('KMS.1 and permissions boundaries (issue 16 item 3)', () => {
  it('expects a verdict for a boundary that is also attached, and none for a boundary alone', () => {
    const { state, expected } = generateOrganization({ seed: 4, accounts: 3, regions: REGIONS });
    let both = 0;
    let boundaryOnly = 0;
    for (const [accountId, account] of state.accounts) {
      if (account.status !== 'ACTIVE') continue;
      for (const policy of account.policies) {
        const arn = `arn:aws:iam::${accountId}:policy/${policy.name}`;
        const found = expected.filter((e) => e.controlId === 'KMS.1' && e.resourceArn === arn);
        if (policy.permissionsBoundaryUsageCount > 0 && policy.attachmentCount === 0) {
          boundaryOnly++;
          expect(found).toEqual([]);
        } else {
          expect(found).toHaveLength(1);
          if (policy.permissionsBoundaryUsageCount > 0) {
            both++;
            expect(found[0]!.skippedByAwsNativeControl).toBe(true);
          }
        }
      }
    }
    expect(both).toBeGreaterThan(0);
    expect(boundaryOnly).toBeGreaterThan(0);
  });
});

describe('the simulated member role’s IAM side', () => {
  it('allows at least every KMS action the shipped member-role policy allows', () => {
    const shipped = JSON.parse(
      readFileSync(new URL('../../docker/iam/member-role-policy.json', import.meta.url), 'utf8'),
    ) as { Statement: { Effect: string; Action: string | string[] }[] };
    const actions = shipped.Statement.filter((s) => s.Effect === 'Allow')
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
      .filter((a) => a.startsWith('kms:'));
    expect(actions).toContain('kms:DescribeKey');
    for (const action of actions) expect(MEMBER_ROLE_KMS_ACTIONS).toContain(action);
  });
});
