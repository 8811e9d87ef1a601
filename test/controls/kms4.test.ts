import { describe, expect, it } from 'vitest';
import type { Kms4Params } from '../../src/controls/index.js';
import { evaluateKms4, isInKms4Scope } from '../../src/controls/index.js';
import type { KmsKey, RotationStatus } from '../../src/model/snapshot.js';
import { kmsKey, kmsSnapshot } from './helpers.js';

const context = { now: new Date('2025-03-01T00:00:00Z') };

function evaluateOne(key: KmsKey, params: Kms4Params = {}) {
  return evaluateKms4(kmsSnapshot([key]), params, context);
}

describe('KMS.4 scope', () => {
  it.each<[string, Partial<KmsKey>, boolean]>([
    ['customer managed symmetric AWS_KMS enabled key', {}, true],
    ['AWS managed key', { keyManager: 'AWS' }, false],
    ['asymmetric key', { keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' }, false],
    ['HMAC key', { keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' }, false],
    ['imported key material', { origin: 'EXTERNAL' }, false],
    ['CloudHSM key store', { origin: 'AWS_CLOUDHSM', customKeyStoreId: 'cks-1234' }, false],
    ['external key store', { origin: 'EXTERNAL_KEY_STORE', customKeyStoreId: 'cks-5678' }, false],
    ['custom key store id with AWS_KMS origin', { customKeyStoreId: 'cks-9999' }, false],
    ['empty custom key store id', { customKeyStoreId: '' }, true],
    ['disabled key', { keyState: 'Disabled', enabled: false }, false],
    ['pending deletion', { keyState: 'PendingDeletion' }, false],
    ['pending import', { keyState: 'PendingImport' }, false],
    ['unknown key state', { keyState: 'Hibernating' }, false],
    ['unknown key spec', { keySpec: 'SYMMETRIC_QUANTUM_1' }, false],
    ['unknown key manager', { keyManager: 'PARTNER' }, false],
    ['unknown origin', { origin: 'SOMEWHERE_ELSE' }, false],
  ])('%s -> in scope: %s', (_name, overrides, inScope) => {
    const key = kmsKey(overrides);
    expect(isInKms4Scope(key)).toBe(inScope);
    expect(evaluateOne(key)).toHaveLength(inScope ? 1 : 0);
  });

  it('gives exactly one result per in-scope key', () => {
    const keys: KmsKey[] = [
      kmsKey(),
      kmsKey({ rotation: { kind: 'disabled' } }),
      kmsKey({ rotation: { kind: 'error', code: 'AccessDeniedException', message: 'no' } }),
      kmsKey({ rotation: undefined }),
      kmsKey({ rotation: { kind: 'unsupported' } }),
      kmsKey({ keyManager: 'AWS' }),
      kmsKey({ keySpec: 'ECC_NIST_P256' }),
      kmsKey({ keyState: 'Disabled' }),
      kmsKey({ origin: 'EXTERNAL' }),
    ];
    const results = evaluateKms4(kmsSnapshot(keys), {}, context);
    // In scope and not 'unsupported': the first four keys.
    expect(results.map((result) => result.resource.arn)).toEqual(keys.slice(0, 4).map((key) => key.arn));
    expect(results.every((result) => result.controlId === 'KMS.4')).toBe(true);
  });
});

describe('KMS.4 verdicts', () => {
  it.each<[string, RotationStatus | undefined, Kms4Params, string, string, Record<string, unknown>]>([
    [
      'rotation enabled',
      { kind: 'enabled', rotationPeriodInDays: 365, nextRotationDate: '2025-06-01T00:00:00Z' },
      {},
      'PASSED',
      'ROTATION_ENABLED',
      { rotationEnabled: true, rotationPeriodInDays: 365, nextRotationDate: '2025-06-01T00:00:00Z' },
    ],
    [
      'rotation enabled, period unknown',
      { kind: 'enabled' },
      {},
      'PASSED',
      'ROTATION_ENABLED',
      { rotationEnabled: true },
    ],
    [
      'rotation disabled',
      { kind: 'disabled' },
      {},
      'FAILED',
      'ROTATION_DISABLED',
      { rotationEnabled: false },
    ],
    [
      'period within the maximum',
      { kind: 'enabled', rotationPeriodInDays: 180 },
      { maxRotationPeriodDays: 180 },
      'PASSED',
      'ROTATION_ENABLED',
      { rotationEnabled: true, rotationPeriodInDays: 180, maxRotationPeriodDays: 180 },
    ],
    [
      'period longer than the maximum',
      { kind: 'enabled', rotationPeriodInDays: 365 },
      { maxRotationPeriodDays: 180 },
      'FAILED',
      'ROTATION_PERIOD_TOO_LONG',
      { rotationEnabled: true, rotationPeriodInDays: 365, maxRotationPeriodDays: 180 },
    ],
    [
      'period unknown with a maximum set',
      { kind: 'enabled' },
      { maxRotationPeriodDays: 180 },
      'NOT_AVAILABLE',
      'ROTATION_PERIOD_UNKNOWN',
      { rotationEnabled: true, maxRotationPeriodDays: 180 },
    ],
    [
      'disabled with a maximum set',
      { kind: 'disabled' },
      { maxRotationPeriodDays: 180 },
      'FAILED',
      'ROTATION_DISABLED',
      { rotationEnabled: false },
    ],
    [
      'AccessDenied',
      {
        kind: 'error',
        code: 'AccessDeniedException',
        message: 'User is not authorized to perform kms:GetKeyRotationStatus',
      },
      {},
      'WARNING',
      'KEY_UNREADABLE_BY_AUDIT_ROLE',
      {
        refusedCall: 'kms:GetKeyRotationStatus',
        errorCode: 'AccessDeniedException',
        errorMessage: 'User is not authorized to perform kms:GetKeyRotationStatus',
        cause: 'key-policy',
      },
    ],
    ['rotation not collected', undefined, {}, 'NOT_AVAILABLE', 'ROTATION_STATUS_UNAVAILABLE', {}],
  ])('%s', (_name, rotation, params, status, reasonCode, evidence) => {
    const results = evaluateOne(kmsKey({ rotation }), params);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status, reasonCode, evidence });
    expect(results[0]!.evidence).toEqual(evidence);
  });

  it('names the refused call and why in the reason of a key whose policy refuses the rotation status', () => {
    const [result] = evaluateOne(
      kmsKey({
        rotation: {
          kind: 'error',
          code: 'AccessDeniedException',
          message: 'not authorized',
          why: 'the key policy says no',
        },
      }),
    );
    expect(result!.reason).toBe(
      'The audit role was refused kms:GetKeyRotationStatus (AccessDeniedException): the key policy says no. ' +
        'Whether automatic rotation is enabled cannot be read.',
    );
  });

  it('a key that refused DescribeKey is a WARNING, whatever its unknown metadata', () => {
    const refused = kmsKey({
      keyManager: 'UNKNOWN',
      keyState: 'UNKNOWN',
      keySpec: 'UNKNOWN',
      origin: 'UNKNOWN',
      describeRefused: { code: 'AccessDeniedException', message: 'explicit deny', why: 'locked' },
    });
    const [result] = evaluateOne(refused);
    expect(result).toMatchObject({
      status: 'WARNING',
      reasonCode: 'KEY_UNREADABLE_BY_AUDIT_ROLE',
      evidence: { refusedCall: 'kms:DescribeKey', errorCode: 'AccessDeniedException' },
    });
    expect(result!.reason).toContain('kms:DescribeKey');
    // ASFF details keep only what ListKeys said: no 'UNKNOWN' placeholders.
    const details = result!.resource.details!['AwsKmsKey'] as Record<string, unknown>;
    expect(details['KeyManager']).toBeUndefined();
    expect(details['KeyState']).toBeUndefined();
    expect(result!.resource.arn).toBe(refused.arn);
  });

  it('explains the period in the reason', () => {
    const [tooLong] = evaluateOne(kmsKey({ rotation: { kind: 'enabled', rotationPeriodInDays: 730 } }), {
      maxRotationPeriodDays: 365,
    });
    expect(tooLong!.reason).toBe(
      'Automatic rotation is enabled every 730 days, longer than the maximum of 365 days.',
    );
    const [ok] = evaluateOne(kmsKey({ rotation: { kind: 'enabled', rotationPeriodInDays: 90 } }));
    expect(ok!.reason).toBe('Automatic key rotation is enabled every 90 days.');
  });

  it('treats an unsupported rotation status as out of scope', () => {
    expect(evaluateOne(kmsKey({ rotation: { kind: 'unsupported', message: 'not supported' } }))).toEqual([]);
  });

  it('does not crash on an unknown rotation kind from a JSON snapshot', () => {
    const rotation = { kind: 'paused' } as unknown as RotationStatus;
    const [result] = evaluateOne(kmsKey({ rotation }));
    expect(result).toMatchObject({ status: 'NOT_AVAILABLE', reasonCode: 'ROTATION_STATUS_UNAVAILABLE' });
  });

  it('reports the rotation status in the ASFF details', () => {
    const [enabled] = evaluateOne(kmsKey());
    const [disabled] = evaluateOne(kmsKey({ rotation: { kind: 'disabled' } }));
    const [denied] = evaluateOne(
      kmsKey({ rotation: { kind: 'error', code: 'AccessDeniedException', message: 'x' } }),
    );
    const rotationStatusOf = (result: typeof enabled) =>
      (result!.resource.details!['AwsKmsKey'] as Record<string, unknown>)['KeyRotationStatus'];
    expect(rotationStatusOf(enabled)).toBe(true);
    expect(rotationStatusOf(disabled)).toBe(false);
    expect(rotationStatusOf(denied)).toBeUndefined();
    expect(enabled).toMatchObject({
      region: 'eu-west-1',
      partition: 'aws',
      resource: { type: 'AWS::KMS::Key' },
    });
  });
});
