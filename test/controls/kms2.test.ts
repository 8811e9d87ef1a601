import { describe, expect, it } from 'vitest';
import type { Kms2Params } from '../../src/controls/index.js';
import { evaluateKms2, isInKms2Scope } from '../../src/controls/index.js';
import type { IamIdentity, IamSnapshot } from '../../src/model/snapshot.js';
import {
  ACCOUNT,
  ALLOW_DECRYPT_ALL,
  ALLOW_ONE_ACCOUNT,
  ALLOW_S3_ONLY,
  doc,
  HOME_REGION,
  iamSnapshot,
  identity,
  MANAGEMENT_ACCOUNT,
  params,
} from './helpers.js';

const context = { region: HOME_REGION };
const defaults = params()['KMS.2'];
const excluding = params({ 'KMS.2': { excludeRoleByManagementAccount: true } })['KMS.2'];
const ALLOW_REENCRYPT_ALL = doc({ Effect: 'Allow', Action: 'kms:ReEncrypt*', Resource: '*' });

function evaluate(
  identities: IamIdentity[],
  kms2: Kms2Params = defaults,
  overrides: Partial<IamSnapshot> = {},
) {
  return evaluateKms2(
    iamSnapshot({ identities, managementAccountId: MANAGEMENT_ACCOUNT, ...overrides }),
    kms2,
    context,
  );
}

function evaluateOne(who: IamIdentity, kms2: Kms2Params = defaults) {
  const results = evaluate([who], kms2);
  expect(results).toHaveLength(1);
  return results[0]!;
}

describe('KMS.2 verdict per identity', () => {
  it.each<
    [string, Record<string, Parameters<typeof identity>[2][string]>, string, string, string[], string[]]
  >([
    [
      'one failing policy',
      { Admin: ALLOW_DECRYPT_ALL },
      'FAILED',
      'KMS_ACTIONS_ALLOWED_ON_ALL_KEYS',
      ['Admin'],
      [],
    ],
    [
      'a passing and a failing policy',
      { Scoped: ALLOW_ONE_ACCOUNT, Admin: ALLOW_DECRYPT_ALL },
      'FAILED',
      'KMS_ACTIONS_ALLOWED_ON_ALL_KEYS',
      ['Admin'],
      [],
    ],
    [
      'two failing policies',
      { A: ALLOW_DECRYPT_ALL, B: ALLOW_REENCRYPT_ALL },
      'FAILED',
      'KMS_ACTIONS_ALLOWED_ON_ALL_KEYS',
      ['A', 'B'],
      [],
    ],
    [
      'a failing and a malformed policy',
      { Bad: '{', Admin: ALLOW_DECRYPT_ALL },
      'FAILED',
      'KMS_ACTIONS_ALLOWED_ON_ALL_KEYS',
      ['Admin'],
      ['Bad'],
    ],
    [
      'a passing and a malformed policy',
      { Scoped: ALLOW_ONE_ACCOUNT, Bad: doc({ Action: '*', Resource: '*' }) },
      'NOT_AVAILABLE',
      'POLICY_INVALID',
      [],
      ['Bad'],
    ],
    ['only a malformed policy', { Bad: 'Statement: nope' }, 'NOT_AVAILABLE', 'POLICY_INVALID', [], ['Bad']],
    [
      'passing policies',
      { Scoped: ALLOW_ONE_ACCOUNT, S3: ALLOW_S3_ONLY },
      'PASSED',
      'NO_BLOCKED_ACTION_ON_ALL_KEYS',
      [],
      [],
    ],
    [
      'a URL-encoded failing policy',
      { Encoded: encodeURIComponent(JSON.stringify(ALLOW_DECRYPT_ALL)) },
      'FAILED',
      'KMS_ACTIONS_ALLOWED_ON_ALL_KEYS',
      ['Encoded'],
      [],
    ],
    [
      'a URL-encoded passing policy',
      { Encoded: encodeURIComponent(JSON.stringify(ALLOW_ONE_ACCOUNT)) },
      'PASSED',
      'NO_BLOCKED_ACTION_ON_ALL_KEYS',
      [],
      [],
    ],
  ])('%s', (_name, inline, status, reasonCode, failedPolicies, unavailablePolicies) => {
    for (const kind of ['user', 'group', 'role'] as const) {
      const result = evaluateOne(identity(kind, 'someone', inline));
      expect(result.status).toBe(status);
      expect(result.reasonCode).toBe(reasonCode);
      expect(result.evidence['failedPolicies']).toEqual(failedPolicies);
      expect(result.evidence['unavailablePolicies']).toEqual(unavailablePolicies);
      const perPolicy = result.evidence['inlinePolicies'] as { policyName: string; verdict: string }[];
      expect(perPolicy.map((policy) => policy.policyName)).toEqual(Object.keys(inline));
    }
  });

  it.each<[string, Record<string, Parameters<typeof identity>[2][string]>, string]>([
    [
      'one failing policy',
      { Admin: ALLOW_DECRYPT_ALL },
      "In inline policy 'Admin', statement 'AllowAll' (#0) allows kms:Decrypt on every KMS key.",
    ],
    [
      'two failing policies',
      { A: ALLOW_REENCRYPT_ALL, B: ALLOW_DECRYPT_ALL },
      "In inline policy 'A', statement #0 allows kms:ReEncryptFrom on every KMS key (and 1 other inline policy).",
    ],
    [
      'a malformed policy',
      { Bad: doc({ Effect: 'Allow', Action: 'kms:Decrypt' }) },
      "Inline policy 'Bad' could not be analysed: statement has neither Resource nor NotResource (statement #0).",
    ],
    [
      'one passing policy',
      { S3: ALLOW_S3_ONLY },
      'The inline policy of the user does not allow kms:Decrypt or kms:ReEncryptFrom on every KMS key.',
    ],
  ])('explains %s', (_name, inline, reason) => {
    expect(evaluateOne(identity('user', 'u', inline)).reason).toBe(reason);
  });

  it('gives a witness key for a passing identity with partial grants', () => {
    const result = evaluateOne(identity('role', 'r', { S3: ALLOW_S3_ONLY, Scoped: ALLOW_ONE_ACCOUNT }));
    expect(result.reason).toMatch(
      /^None of the 2 inline policies of the role allows kms:Decrypt or kms:ReEncryptFrom on every KMS key \(in 'Scoped', kms:Decrypt and kms:ReEncryptFrom are granted only on part of the KMS key space \(kms:Decrypt e\.g\. not on arn:aws:kms:\S+\)\)\.$/,
    );
  });

  it('uses the configured blocked actions', () => {
    const encrypt = params({ 'KMS.2': { blockedActionsPatterns: 'kms:Encrypt' } })['KMS.2'];
    const who = identity('user', 'u', { Admin: ALLOW_DECRYPT_ALL });
    expect(evaluateOne(who, encrypt).status).toBe('PASSED');
    const all = params({ 'KMS.2': { blockedActionsPatterns: 'kms:*' } })['KMS.2'];
    expect(
      evaluateOne(
        identity('user', 'u', { S3: doc({ Effect: 'Allow', Action: 'kms:Sign', Resource: '*' }) }),
        all,
      ).status,
    ).toBe('FAILED');
  });
});

describe('KMS.2 excludeRoleByManagementAccount', () => {
  const managementOnly = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${MANAGEMENT_ACCOUNT}:root` },
        Action: 'sts:AssumeRole',
      },
    ],
  };
  const memberTrust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }],
  };
  const serviceTrust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  };
  const roleWith = (name: string, trustPolicy: IamIdentity['assumeRolePolicyDocument']) =>
    identity('role', name, { Admin: ALLOW_DECRYPT_ALL }, { assumeRolePolicyDocument: trustPolicy });
  const identities = [
    roleWith('OrgOnly', managementOnly),
    roleWith('OrgOnlyEncoded', encodeURIComponent(JSON.stringify(managementOnly))),
    roleWith('Member', memberTrust),
    roleWith('Service', serviceTrust),
    roleWith('BrokenTrust', '{'),
    roleWith('NoTrust', undefined),
    // A user or group is never excluded, whatever the parameter says.
    identity('user', 'alice', { Admin: ALLOW_DECRYPT_ALL }),
    identity('group', 'admins', { Admin: ALLOW_DECRYPT_ALL }),
  ];
  const all = identities.map((who) => who.name);

  it.each<[string, Kms2Params, string | undefined, string[]]>([
    ['false (default): every role is evaluated', defaults, MANAGEMENT_ACCOUNT, all],
    [
      'true: roles only the management account can assume are excluded',
      excluding,
      MANAGEMENT_ACCOUNT,
      all.filter((name) => !name.startsWith('OrgOnly')),
    ],
    ['true, management account unknown: nothing is excluded', excluding, undefined, all],
  ])('%s', (_name, kms2, managementAccountId, expected) => {
    const snapshot = iamSnapshot({ identities, managementAccountId });
    const results = evaluateKms2(snapshot, kms2, context);
    expect(results.map((result) => result.resource.name)).toEqual(expected);
    expect(identities.filter((who) => isInKms2Scope(who, snapshot, kms2)).map((who) => who.name)).toEqual(
      expected,
    );
    expect(results.every((result) => result.status === 'FAILED')).toBe(true);
  });

  it('says why a role was not excluded', () => {
    const results = evaluate(identities, excluding);
    const member = results.find((result) => result.resource.name === 'Member')!;
    expect(member.evidence['roleNotExcludedBecause']).toContain(ACCOUNT);
    const unknown = evaluate(identities, excluding, { managementAccountId: undefined });
    expect(unknown[0]!.evidence['roleNotExcludedBecause']).toBe(
      'the organization management account is not known',
    );
    // Without the parameter the evidence does not mention exclusion.
    expect(evaluate(identities, defaults)[0]!.evidence).not.toHaveProperty('roleNotExcludedBecause');
  });
});

describe('KMS.2 scope', () => {
  it('has no result for identities without inline policies', () => {
    expect(
      evaluate([identity('user', 'u', {}), identity('role', 'r', {}), identity('group', 'g', {})]),
    ).toEqual([]);
  });

  it('result count equals the number of identities with inline policies', () => {
    const kinds = ['user', 'group', 'role'] as const;
    const many = Array.from({ length: 30 }, (_, index) =>
      identity(
        kinds[index % 3]!,
        `id${index}`,
        index % 4 === 0 ? {} : { P: index % 2 ? ALLOW_DECRYPT_ALL : ALLOW_ONE_ACCOUNT, Q: ALLOW_S3_ONLY },
      ),
    );
    const inScope = many.filter((who) => who.inlinePolicies.length > 0);
    const results = evaluate(many);
    expect(results).toHaveLength(inScope.length);
    expect(results.map((result) => result.resource.arn)).toEqual(inScope.map((who) => who.arn));
  });
});

describe('KMS.2 result shape', () => {
  it.each([
    [
      'user',
      'AWS::IAM::User',
      'AwsIamUser',
      {
        UserName: 'n',
        UserId: 'AIDN',
        Path: '/',
        CreateDate: '2024-01-02T03:04:05Z',
        UserPolicyList: [{ PolicyName: 'Admin' }],
      },
    ],
    [
      'group',
      'AWS::IAM::Group',
      'AwsIamGroup',
      {
        GroupName: 'n',
        GroupId: 'AIDN',
        Path: '/',
        CreateDate: '2024-01-02T03:04:05Z',
        GroupPolicyList: [{ PolicyName: 'Admin' }],
      },
    ],
    [
      'role',
      'AWS::IAM::Role',
      'AwsIamRole',
      {
        RoleName: 'n',
        RoleId: 'AIDN',
        Path: '/',
        CreateDate: '2024-01-02T03:04:05Z',
        RolePolicyList: [{ PolicyName: 'Admin' }],
      },
    ],
  ] as const)('%s', (kind, type, asffType, details) => {
    const result = evaluateOne(identity(kind, 'n', { Admin: ALLOW_DECRYPT_ALL }));
    expect(result).toMatchObject({
      controlId: 'KMS.2',
      accountId: ACCOUNT,
      region: HOME_REGION,
      partition: 'aws',
      resource: { arn: `arn:aws:iam::${ACCOUNT}:${kind}/n`, type, asffType, name: 'n' },
    });
    expect(result.resource.details).toEqual({ [asffType]: details });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('leaves unknown fields out of the details', () => {
    const result = evaluateOne(
      identity(
        'user',
        'n',
        { Admin: ALLOW_DECRYPT_ALL },
        { id: undefined, path: undefined, createDate: undefined },
      ),
    );
    expect(result.resource.details).toEqual({
      AwsIamUser: { UserName: 'n', UserPolicyList: [{ PolicyName: 'Admin' }] },
    });
  });
});
