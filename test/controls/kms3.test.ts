import { describe, expect, it } from 'vitest';
import { evaluateKms3, isInKms3Scope } from '../../src/controls/index.js';
import type { KmsKey } from '../../src/model/snapshot.js';
import { ACCOUNT, kmsKey, kmsSnapshot, params } from './helpers.js';

const now = new Date('2025-03-01T12:00:00Z');
const context = { now };
const defaults = params()['KMS.3'];

function only(key: KmsKey, kmsKeyIds: string[] = []) {
  const results = evaluateKms3(kmsSnapshot([key]), { kmsKeyIds }, context);
  expect(results).toHaveLength(1);
  return results[0]!;
}

describe('KMS.3 verdicts by key state', () => {
  it.each([
    ['Enabled', 'PASSED', 'KEY_NOT_PENDING_DELETION'],
    ['Disabled', 'PASSED', 'KEY_NOT_PENDING_DELETION'],
    ['PendingImport', 'PASSED', 'KEY_NOT_PENDING_DELETION'],
    ['Unavailable', 'PASSED', 'KEY_NOT_PENDING_DELETION'],
    ['Creating', 'PASSED', 'KEY_NOT_PENDING_DELETION'],
    ['SomeFutureState', 'PASSED', 'KEY_NOT_PENDING_DELETION'],
    ['PendingDeletion', 'FAILED', 'KEY_PENDING_DELETION'],
    ['PendingReplicaDeletion', 'FAILED', 'KEY_PENDING_DELETION'],
  ])('%s -> %s', (keyState, status, reasonCode) => {
    const result = only(kmsKey({ keyState, deletionDate: '2025-03-08T12:00:00Z' }));
    expect(result.status).toBe(status);
    expect(result.reasonCode).toBe(reasonCode);
    expect(result.reason).toContain(keyState);
    expect(result.evidence['keyState']).toBe(keyState);
  });

  it.each([
    ['seven days ahead', '2025-03-08T12:00:00Z', 7, '7 days from now'],
    ['one day and a half ahead', '2025-03-03T00:00:00Z', 1, '1 day from now'],
    ['a few hours ahead', '2025-03-01T18:00:00Z', 0, 'less than a day from now'],
    ['already passed', '2025-02-27T00:00:00Z', 0, 'already passed'],
  ])('reports the deletion date and the days left: %s', (_name, deletionDate, daysLeft, phrase) => {
    const result = only(
      kmsKey({ keyState: 'PendingDeletion', deletionDate, pendingDeletionWindowInDays: 7 }),
    );
    const iso = new Date(deletionDate).toISOString();
    expect(result.evidence).toEqual({
      keyState: 'PendingDeletion',
      deletionDate: iso,
      daysLeft,
      pendingDeletionWindowInDays: 7,
    });
    expect(result.reason).toContain(iso);
    expect(result.reason).toContain(phrase);
  });

  it('explains a PendingReplicaDeletion primary key that has no deletion date yet', () => {
    const result = only(kmsKey({ keyState: 'PendingReplicaDeletion', pendingDeletionWindowInDays: 30 }));
    expect(result.status).toBe('FAILED');
    expect(result.reason).toContain('once its replica keys are deleted');
    expect(result.reason).toContain('30 days');
    expect(result.evidence).not.toHaveProperty('daysLeft');
  });

  it('still fails a PendingDeletion key whose deletion date was not reported', () => {
    const result = only(kmsKey({ keyState: 'PendingDeletion', deletionDate: 'not a date' }));
    expect(result.status).toBe('FAILED');
    expect(result.reason).toContain('deletion date was not reported');
  });
});

describe('KMS.3 scope', () => {
  const keys = [
    kmsKey({ keyId: 'aaaa1111-0000-0000-0000-000000000001' }),
    kmsKey({ keyId: 'bbbb2222-0000-0000-0000-000000000002', keyState: 'PendingDeletion' }),
    kmsKey({ keyId: 'cccc3333-0000-0000-0000-000000000003', keyManager: 'AWS' }),
    kmsKey({ keyId: 'dddd4444-0000-0000-0000-000000000004', keyManager: 'AWS', keyState: 'PendingDeletion' }),
    kmsKey({ keyId: 'mrk-eeee5555', keyManager: 'SOMETHING_NEW' }),
    kmsKey({ keyId: 'ffff6666-0000-0000-0000-000000000006', keySpec: 'RSA_2048', origin: 'EXTERNAL' }),
  ];
  const snapshot = kmsSnapshot(keys);
  const arnOf = (index: number) => keys[index]!.arn;

  it.each([
    ['no filter: every customer managed key', [], [0, 1, 5]],
    ['by key id', ['bbbb2222-0000-0000-0000-000000000002'], [1]],
    ['by key id in upper case', ['BBBB2222-0000-0000-0000-000000000002'], [1]],
    ['by key ARN', [arnOf(0)], [0]],
    ['by id and ARN', ['ffff6666-0000-0000-0000-000000000006', arnOf(1)], [1, 5]],
    ['an AWS managed key named explicitly stays out', ['cccc3333-0000-0000-0000-000000000003'], []],
    ['an ARN of another region does not match', [arnOf(0).replace('eu-west-1', 'us-east-1')], []],
    ['an unknown id matches nothing', ['99999999-0000-0000-0000-000000000000'], []],
  ])('%s', (_name, kmsKeyIds, expectedIndexes) => {
    const results = evaluateKms3(snapshot, { kmsKeyIds }, context);
    const expectedArns = expectedIndexes.map(arnOf);
    expect(results.map((result) => result.resource.arn)).toEqual(expectedArns);
    // One result per in-scope resource, and the scope predicate agrees with the evaluator.
    expect(keys.filter((key) => isInKms3Scope(key, { kmsKeyIds })).map((key) => key.arn)).toEqual(
      expectedArns,
    );
  });

  it('gives exactly one result per in-scope key', () => {
    const many = Array.from({ length: 25 }, (_, index) =>
      kmsKey({
        keyManager: index % 5 === 0 ? 'AWS' : 'CUSTOMER',
        keyState: index % 3 === 0 ? 'PendingDeletion' : 'Enabled',
      }),
    );
    const results = evaluateKms3(kmsSnapshot(many), defaults, context);
    const inScope = many.filter((key) => key.keyManager === 'CUSTOMER');
    expect(results).toHaveLength(inScope.length);
    expect(new Set(results.map((result) => result.resource.arn)).size).toBe(inScope.length);
  });
});

describe('KMS.3 result shape', () => {
  it('carries the resource, account, region, partition and ASFF details', () => {
    const key = kmsKey({
      keyId: 'aaaa1111-0000-0000-0000-000000000009',
      arn: `arn:aws-cn:kms:cn-north-1:${ACCOUNT}:key/aaaa1111-0000-0000-0000-000000000009`,
      creationDate: '2024-01-01T00:00:01.500Z',
      rotation: { kind: 'disabled' },
    });
    const [result] = evaluateKms3(
      kmsSnapshot([key], { region: 'cn-north-1', partition: 'aws-cn' }),
      defaults,
      context,
    );
    expect(result).toMatchObject({
      controlId: 'KMS.3',
      accountId: ACCOUNT,
      region: 'cn-north-1',
      partition: 'aws-cn',
      status: 'PASSED',
      resource: {
        arn: key.arn,
        type: 'AWS::KMS::Key',
        asffType: 'AwsKmsKey',
        name: key.keyId,
        details: {
          AwsKmsKey: {
            AWSAccountId: ACCOUNT,
            KeyId: key.keyId,
            KeyManager: 'CUSTOMER',
            KeyState: 'Enabled',
            Origin: 'AWS_KMS',
            Description: 'test key',
            CreationDate: 1704067201.5,
            KeyRotationStatus: false,
          },
        },
      },
    });
  });

  it('leaves unknown ASFF fields out instead of inventing them', () => {
    const key = kmsKey({ description: '', creationDate: undefined, rotation: undefined });
    const [result] = evaluateKms3(kmsSnapshot([key]), defaults, context);
    expect(Object.keys(result!.resource.details!['AwsKmsKey'] as object).sort()).toEqual(
      ['AWSAccountId', 'KeyId', 'KeyManager', 'KeyState', 'Origin'].sort(),
    );
  });

  it('is pure: leaves its (frozen) input alone, depends on nothing but it, and gives the same answer again', () => {
    const key = kmsKey({
      keyId: 'aaaa0000-12ab-34cd-56ef-000000000001',
      keyState: 'PendingDeletion',
      deletionDate: '2025-03-05T00:00:00Z',
      pendingDeletionWindowInDays: 7,
    });
    const snapshot = kmsSnapshot([key]);
    const copy = structuredClone(snapshot);
    const frozen = deepFreeze(snapshot);
    const expected = {
      controlId: 'KMS.3',
      status: 'FAILED',
      reasonCode: 'KEY_PENDING_DELETION',
      accountId: ACCOUNT,
      region: 'eu-west-1',
      evidence: {
        keyState: 'PendingDeletion',
        deletionDate: '2025-03-05T00:00:00.000Z',
        daysLeft: 3,
        pendingDeletionWindowInDays: 7,
      },
    };
    const first = evaluateKms3(frozen, { kmsKeyIds: [] }, context);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject(expected);
    expect(first[0]!.resource.arn).toBe(
      `arn:aws:kms:eu-west-1:${ACCOUNT}:key/aaaa0000-12ab-34cd-56ef-000000000001`,
    );
    expect(snapshot).toEqual(copy);
    // The same answer later: nothing read from the clock or from state left by the first call.
    const second = evaluateKms3(frozen, { kmsKeyIds: [] }, { now: new Date(now) });
    expect(second).toEqual(first);
  });
});

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe('KMS.3 for a key whose policy refuses the audit role DescribeKey (issue 16)', () => {
  const refused = kmsKey({
    keyId: 'abcd0000-0000-0000-0000-00000000000a',
    keyManager: 'UNKNOWN',
    keyState: 'UNKNOWN',
    keySpec: 'UNKNOWN',
    origin: 'UNKNOWN',
    describeRefused: {
      code: 'AccessDeniedException',
      message:
        'User: x is not authorized to perform: kms:DescribeKey with an explicit deny in a resource-based policy',
      why: "the key's policy refuses the audit role kms:DescribeKey",
    },
  });

  it('is a WARNING naming the refused call, not a dropped key', () => {
    const result = only(refused);
    expect(result).toMatchObject({
      status: 'WARNING',
      reasonCode: 'KEY_UNREADABLE_BY_AUDIT_ROLE',
      evidence: { refusedCall: 'kms:DescribeKey', errorCode: 'AccessDeniedException', cause: 'key-policy' },
    });
    expect(result.reason).toBe(
      "The audit role was refused kms:DescribeKey (AccessDeniedException): the key's policy refuses the audit " +
        'role kms:DescribeKey. Whether the key is scheduled for deletion cannot be read.',
    );
    expect(result.resource.arn).toBe(refused.arn);
  });

  it('follows kmsKeyIds by id and ARN like any key', () => {
    expect(isInKms3Scope(refused, { kmsKeyIds: [refused.arn] })).toBe(true);
    expect(isInKms3Scope(refused, { kmsKeyIds: ['99999999-0000-0000-0000-000000000000'] })).toBe(false);
    expect(isInKms3Scope(refused, defaults)).toBe(true);
  });
});
