import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Kms1Params } from '../../src/controls/index.js';
import { evaluateKms1, isInKms1Scope } from '../../src/controls/index.js';
import type { ManagedPolicy, PolicyDocumentInput } from '../../src/model/snapshot.js';
import {
  ACCOUNT,
  ALLOW_DECRYPT_ALL,
  ALLOW_ONE_ACCOUNT,
  ALLOW_S3_ONLY,
  doc,
  HOME_REGION,
  iamSnapshot,
  managedPolicy,
  params,
} from './helpers.js';

const context = { region: HOME_REGION };
const defaults = params()['KMS.1'];

function evaluate(policies: ManagedPolicy[], kms1: Kms1Params = defaults, partition = 'aws') {
  return evaluateKms1(iamSnapshot({ managedPolicies: policies, partition }), kms1, context);
}

function evaluateDocument(document: PolicyDocumentInput, kms1: Kms1Params = defaults) {
  const results = evaluate([managedPolicy('P', document)], kms1);
  expect(results).toHaveLength(1);
  return results[0]!;
}

describe('KMS.1 verdicts', () => {
  it('fails a policy that allows kms:Decrypt on every key, naming the statement', () => {
    const result = evaluateDocument(ALLOW_DECRYPT_ALL);
    expect(result.status).toBe('FAILED');
    expect(result.reasonCode).toBe('KMS_ACTIONS_ALLOWED_ON_ALL_KEYS');
    expect(result.reason).toBe(
      "Statement 'AllowAll' (#0) allows kms:Decrypt on every KMS key (default version v1).",
    );
    expect(result.evidence).toMatchObject({
      policyVersionId: 'v1',
      blockedActions: ['kms:Decrypt', 'kms:ReEncryptFrom'],
      verdict: 'FAILED',
      actionsAllowedOnAllKeys: ['kms:Decrypt'],
      actions: [
        { action: 'kms:Decrypt', coverage: 'ALL', grantedBy: [{ index: 0, sid: 'AllowAll' }] },
        { action: 'kms:ReEncryptFrom', coverage: 'NONE', grantedBy: [] },
      ],
    });
  });

  it('passes a policy limited to one account, with a witness key that is not granted', () => {
    const result = evaluateDocument(ALLOW_ONE_ACCOUNT);
    expect(result.status).toBe('PASSED');
    expect(result.reasonCode).toBe('NO_BLOCKED_ACTION_ON_ALL_KEYS');
    const actions = result.evidence['actions'] as {
      coverage: string;
      keyNotGranted?: string;
      keyGranted?: string;
    }[];
    expect(actions.map((a) => a.coverage)).toEqual(['PARTIAL', 'PARTIAL']);
    const witness = actions[0]!.keyNotGranted!;
    expect(witness).toMatch(/^arn:aws:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/);
    expect(witness).not.toContain(`:${ACCOUNT}:`);
    expect(actions[0]!.keyGranted).toContain(`:${ACCOUNT}:`);
    expect(result.reason).toBe(
      'In default version v1, kms:Decrypt and kms:ReEncryptFrom are granted only on part of the KMS key space ' +
        `(kms:Decrypt e.g. not on ${witness}).`,
    );
  });

  it('passes a policy that grants no blocked action at all', () => {
    const result = evaluateDocument(ALLOW_S3_ONLY);
    expect(result.status).toBe('PASSED');
    expect(result.reason).toBe(
      'In default version v1, neither kms:Decrypt nor kms:ReEncryptFrom is granted on any KMS key.',
    );
  });

  it.each<[string, Record<string, unknown>, string, string[]]>([
    [
      'a Deny on part of the keys leaves ReEncryptFrom on all keys',
      doc(
        { Sid: 'Admin', Effect: 'Allow', Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:*:key/1*' },
      ),
      "Statement 'Admin' (#0) allows kms:ReEncryptFrom on every KMS key",
      ['kms:ReEncryptFrom'],
    ],
    [
      'a conditional Deny is not counted, and the reason says so',
      doc(
        { Effect: 'Allow', Action: 'kms:*', Resource: '*' },
        {
          Sid: 'OnlyViaS3',
          Effect: 'Deny',
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { Bool: { x: 'y' } },
        },
      ),
      "Statement #0 allows kms:Decrypt and kms:ReEncryptFrom on every KMS key (the Deny in statement 'OnlyViaS3' (#1) has a Condition, so it is not counted)",
      ['kms:Decrypt', 'kms:ReEncryptFrom'],
    ],
    [
      'two statements whose union is every key',
      doc(
        { Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:us-*' },
        { Effect: 'Allow', Action: 'kms:Decrypt', NotResource: 'arn:aws:kms:us-*' },
      ),
      'Statements #0 and #1 together allow kms:Decrypt on every KMS key',
      ['kms:Decrypt'],
    ],
    [
      'different statements for different actions',
      doc(
        { Sid: 'D', Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' },
        { Sid: 'R', Effect: 'Allow', Action: 'kms:ReEncrypt*', Resource: 'arn:aws:kms:*' },
      ),
      "Statement 'D' (#0) allows kms:Decrypt on every KMS key; statement 'R' (#1) allows kms:ReEncryptFrom on every KMS key",
      ['kms:Decrypt', 'kms:ReEncryptFrom'],
    ],
  ])('explains: %s', (_name, document, reason, failing) => {
    const result = evaluateDocument(document);
    expect(result.status).toBe('FAILED');
    expect(result.reason).toBe(`${reason} (default version v1).`);
    expect(result.evidence['actionsAllowedOnAllKeys']).toEqual(failing);
  });

  it('uses the configured blocked actions', () => {
    const encryptOnly = params({ 'KMS.1': { blockedActionsPatterns: 'kms:Encrypt' } })['KMS.1'];
    expect(evaluateDocument(ALLOW_DECRYPT_ALL, encryptOnly).status).toBe('PASSED');
    const reEncrypt = params({ 'KMS.1': { blockedActionsPatterns: ['kms:ReEncrypt*'] } })['KMS.1'];
    const result = evaluateDocument(
      doc({ Effect: 'Allow', Action: 'kms:ReEncryptTo', Resource: '*' }),
      reEncrypt,
    );
    expect(result.status).toBe('FAILED');
    expect(result.evidence['actionsAllowedOnAllKeys']).toEqual(['kms:ReEncryptTo']);
  });

  it('checks the key space of the snapshot partition', () => {
    const china = doc({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws-cn:kms:*' });
    const [inChina] = evaluate([managedPolicy('P', china)], defaults, 'aws-cn');
    const [inAws] = evaluate([managedPolicy('P', china)], defaults, 'aws');
    expect(inChina).toMatchObject({ status: 'FAILED', partition: 'aws-cn' });
    expect(inAws).toMatchObject({ status: 'PASSED', partition: 'aws' });
  });
});

describe('KMS.1 document forms', () => {
  const json = JSON.stringify(ALLOW_DECRYPT_ALL);
  it.each<[string, PolicyDocumentInput, string]>([
    ['parsed object', ALLOW_DECRYPT_ALL, 'FAILED'],
    ['JSON text', json, 'FAILED'],
    ['URL-encoded JSON (as IAM returns it)', encodeURIComponent(json), 'FAILED'],
    ['URL-encoded, passing', encodeURIComponent(JSON.stringify(ALLOW_ONE_ACCOUNT)), 'PASSED'],
    [
      'Statement as a single object',
      { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' } },
      'FAILED',
    ],
  ])('%s -> %s', (_name, document, status) => {
    expect(evaluateDocument(document).status).toBe(status);
  });

  it.each<[string, PolicyDocumentInput]>([
    ['not JSON', '{"Version": "2012-10-17", "Statement": ['],
    ['bad URL encoding', '%7B%22Version%22%3A%E0%A4%A'],
    ['empty text', ''],
    ['a JSON list', '[]'],
    ['no Statement', { Version: '2012-10-17' }],
    ['unknown Version', { Version: '2020-01-01', Statement: [] }],
    ['statement without Effect', doc({ Action: 'kms:Decrypt', Resource: '*' })],
    ['Effect neither Allow nor Deny', doc({ Effect: 'Permit', Action: 'kms:Decrypt', Resource: '*' })],
    [
      'both Resource and NotResource',
      doc({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', NotResource: 'x' }),
    ],
    ['neither Resource nor NotResource', doc({ Effect: 'Allow', Action: 'kms:Decrypt' })],
    ['neither Action nor NotAction', doc({ Effect: 'Allow', Resource: '*' })],
    ['Action is a number', doc({ Effect: 'Allow', Action: 7, Resource: '*' })],
    [
      'a valid statement that grants all, then an invalid one',
      doc({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Allow' }),
    ],
  ])('malformed (%s) -> NOT_AVAILABLE, never PASSED', (_name, document) => {
    const result = evaluateDocument(document);
    expect(result.status).toBe('NOT_AVAILABLE');
    expect(result.reasonCode).toBe('POLICY_INVALID');
    expect(result.reason).toMatch(/^The default version v1 could not be analysed: .+\.$/);
    expect(result.evidence).toMatchObject({ verdict: 'NOT_AVAILABLE', error: { code: expect.any(String) } });
  });

  it('names the offending statement', () => {
    const result = evaluateDocument(
      doc({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }, { Action: 'x', Resource: '*' }),
    );
    expect(result.reason).toContain('(statement #1)');
  });
});

describe('KMS.1 versions', () => {
  const versions = (defaultIsAll: boolean): ManagedPolicy['versions'] => [
    { versionId: 'v1', isDefaultVersion: defaultIsAll, document: ALLOW_DECRYPT_ALL },
    { versionId: 'v2', isDefaultVersion: !defaultIsAll, document: ALLOW_ONE_ACCOUNT },
    { versionId: 'v3', isDefaultVersion: false, document: 'not even JSON' },
  ];

  it.each([
    ['a non-default version that fails is ignored', false, 'PASSED', 'v2'],
    ['the default version fails while a newer one would pass', true, 'FAILED', 'v1'],
  ])('%s', (_name, defaultIsAll, status, versionId) => {
    const policy = managedPolicy('P', undefined, {
      versions: versions(defaultIsAll),
      defaultVersionId: versionId,
    });
    const [result] = evaluate([policy]);
    expect(result).toMatchObject({ status, evidence: { policyVersionId: versionId } });
  });

  it('falls back to DefaultVersionId when no version is flagged default', () => {
    const policy = managedPolicy('P', undefined, {
      defaultVersionId: 'v2',
      versions: versions(true).map((version) => ({ ...version, isDefaultVersion: false })),
    });
    expect(evaluate([policy])[0]).toMatchObject({ status: 'PASSED', evidence: { policyVersionId: 'v2' } });
  });

  it.each([
    ['no versions collected', [], 'v1'],
    [
      'only non-default versions',
      [{ versionId: 'v1', isDefaultVersion: false, document: ALLOW_ONE_ACCOUNT }],
      'v3',
    ],
  ])('%s -> NOT_AVAILABLE', (_name, policyVersions, defaultVersionId) => {
    const [result] = evaluate([
      managedPolicy('P', undefined, { versions: policyVersions, defaultVersionId }),
    ]);
    expect(result).toMatchObject({ status: 'NOT_AVAILABLE', reasonCode: 'DEFAULT_VERSION_MISSING' });
    expect(result!.reason).toContain(`(${defaultVersionId})`);
  });
});

describe('KMS.1 scope', () => {
  const policies = [
    managedPolicy('Attached', ALLOW_DECRYPT_ALL),
    managedPolicy('Unattached', ALLOW_DECRYPT_ALL, { attachmentCount: 0 }),
    managedPolicy('Boundary', ALLOW_DECRYPT_ALL, { permissionsBoundaryUsageCount: 2, attachmentCount: 0 }),
    managedPolicy('BoundaryAndAttached', ALLOW_ONE_ACCOUNT, { permissionsBoundaryUsageCount: 1 }),
    managedPolicy('Invalid', '{'),
    managedPolicy('NoVersions', undefined),
    managedPolicy('AdministratorAccess', ALLOW_DECRYPT_ALL, {
      arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
    }),
  ];

  it.each([
    // Default: only a policy used as a boundary and attached nowhere is exempt (issue 16).
    [true, false, ['Attached', 'Unattached', 'BoundaryAndAttached', 'Invalid', 'NoVersions']],
    // AWS's literal behaviour: any boundary policy is skipped, attached or not.
    [true, true, ['Attached', 'Unattached', 'Invalid', 'NoVersions']],
    [false, false, ['Attached', 'Unattached', 'Boundary', 'BoundaryAndAttached', 'Invalid', 'NoVersions']],
    [false, true, ['Attached', 'Unattached', 'Boundary', 'BoundaryAndAttached', 'Invalid', 'NoVersions']],
  ])(
    'excludePermissionBoundaryPolicy=%s, exemptBoundaryPoliciesEvenIfAttached=%s',
    (exclude, evenIfAttached, expectedNames) => {
      const kms1 = params({
        'KMS.1': {
          excludePermissionBoundaryPolicy: exclude,
          exemptBoundaryPoliciesEvenIfAttached: evenIfAttached,
        },
      })['KMS.1'];
      const results = evaluate(policies, kms1);
      // Exactly one result per in-scope policy, attached or not; AWS managed policies never.
      expect(results.map((result) => result.resource.name)).toEqual(expectedNames);
      expect(policies.filter((policy) => isInKms1Scope(policy, kms1)).map((policy) => policy.name)).toEqual(
        expectedNames,
      );
    },
  );

  it('evaluates a decrypt-everything policy used as a boundary and attached elsewhere, saying AWS skips it', () => {
    const sneaky = managedPolicy('DecryptAllAndBoundary', ALLOW_DECRYPT_ALL, {
      permissionsBoundaryUsageCount: 1,
      attachmentCount: 3,
    });
    const [result] = evaluate([sneaky]);
    expect(result).toMatchObject({ status: 'FAILED', reasonCode: 'KMS_ACTIONS_ALLOWED_ON_ALL_KEYS' });
    expect(result!.reason).toMatch(
      /^The policy is used as a permissions boundary \(1\) and attached as a permissions policy \(3\); AWS's native KMS.1 skips it/,
    );
    expect(result!.reason).toContain('allows kms:Decrypt on every KMS key');
    expect(result!.evidence).toMatchObject({
      skippedByAwsNativeControl: true,
      permissionsBoundaryUsageCount: 1,
      attachmentCount: 3,
    });
  });

  it('says nothing about AWS skipping a policy that is not a boundary', () => {
    const [result] = evaluate([managedPolicy('Plain', ALLOW_DECRYPT_ALL)]);
    expect(result!.reason).not.toContain('native');
    expect(result!.evidence).not.toHaveProperty('skippedByAwsNativeControl');
  });

  it('result count equals the number of in-scope policies', () => {
    const many = Array.from({ length: 40 }, (_, index) =>
      managedPolicy(`P${index}`, index % 2 === 0 ? ALLOW_DECRYPT_ALL : ALLOW_ONE_ACCOUNT, {
        permissionsBoundaryUsageCount: index % 7 === 0 ? 1 : 0,
        attachmentCount: index % 3,
      }),
    );
    // Exempt: boundary and attached nowhere (index divisible by 7 and by 3).
    const inScope = many.filter((_, index) => !(index % 7 === 0 && index % 3 === 0));
    const results = evaluate(many);
    expect(results).toHaveLength(inScope.length);
    expect(new Set(results.map((result) => result.resource.arn)).size).toBe(inScope.length);
  });
});

describe('KMS.1 result shape', () => {
  it('carries the policy resource with its ASFF details, in the home region', () => {
    const [result] = evaluate([managedPolicy('Ops', ALLOW_DECRYPT_ALL, { path: '/team/' })]);
    expect(result).toMatchObject({
      controlId: 'KMS.1',
      accountId: ACCOUNT,
      region: HOME_REGION,
      partition: 'aws',
      resource: {
        arn: `arn:aws:iam::${ACCOUNT}:policy/Ops`,
        type: 'AWS::IAM::Policy',
        asffType: 'AwsIamPolicy',
        name: 'Ops',
        details: {
          AwsIamPolicy: {
            PolicyName: 'Ops',
            PolicyId: 'ANPAOPS',
            DefaultVersionId: 'v1',
            AttachmentCount: 1,
            PermissionsBoundaryUsageCount: 0,
            IsAttachable: true,
            Path: '/team/',
            CreateDate: '2024-01-02T03:04:05Z',
            UpdateDate: '2024-02-02T03:04:05Z',
          },
        },
      },
    });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});

interface Fixture {
  id: string;
  blockedActions: string[];
  document: unknown;
  coverage: Record<string, string>;
  verdict: string;
}

describe('KMS.1 on the policy fixtures', () => {
  const fixtures = readFileSync(new URL('../fixtures/policies.jsonl', import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Fixture);

  it.each(fixtures.map((fixture) => [fixture.id, fixture] as const))('%s', (_id, fixture) => {
    const kms1: Kms1Params = { ...defaults, blockedActions: fixture.blockedActions };
    const result = evaluateDocument(fixture.document as PolicyDocumentInput, kms1);
    expect(result.status).toBe(fixture.verdict);
    const actions = result.evidence['actions'] as { action: string; coverage: string }[];
    expect(Object.fromEntries(actions.map((a) => [a.action, a.coverage]))).toEqual(fixture.coverage);
  });
});
