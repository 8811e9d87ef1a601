/**
 * KMS.4 in detail: the PASSED reason names the period and next rotation only when AWS reported them, the
 * evidence holds no field for what was not reported, and keys that cannot be described are labelled KMS.4.
 */
import { describe, expect, it } from 'vitest';
import { evaluateKms4 } from '../../src/controls/index.js';
import type { KmsKey, RotationStatus } from '../../src/model/snapshot.js';
import { kmsKey, kmsSnapshot } from './helpers.js';

const one = (key: KmsKey) => {
  const results = evaluateKms4(kmsSnapshot([key]), {});
  expect(results).toHaveLength(1);
  return results[0]!;
};

describe('KMS.4 PASSED reason and evidence', () => {
  it.each<[string, RotationStatus, string, string[]]>([
    ['nothing reported', { kind: 'enabled' }, 'Automatic key rotation is enabled.', ['rotationEnabled']],
    [
      'the period only',
      { kind: 'enabled', rotationPeriodInDays: 365 },
      'Automatic key rotation is enabled every 365 days.',
      ['rotationEnabled', 'rotationPeriodInDays'],
    ],
    [
      'the next rotation only',
      { kind: 'enabled', nextRotationDate: '2025-06-01T00:00:00Z' },
      'Automatic key rotation is enabled (next rotation 2025-06-01T00:00:00Z).',
      ['rotationEnabled', 'nextRotationDate'],
    ],
    [
      'both',
      { kind: 'enabled', rotationPeriodInDays: 90, nextRotationDate: '2025-06-01T00:00:00Z' },
      'Automatic key rotation is enabled every 90 days (next rotation 2025-06-01T00:00:00Z).',
      ['rotationEnabled', 'rotationPeriodInDays', 'nextRotationDate'],
    ],
  ])('%s', (_name, rotation, reason, evidenceFields) => {
    const result = one(kmsKey({ rotation }));
    expect(result.status).toBe('PASSED');
    expect(result.reason).toBe(reason);
    expect(Object.keys(result.evidence)).toEqual(evidenceFields);
  });
});

describe('KMS.4 on keys it cannot judge normally', () => {
  it('an unknown rotation kind is NOT_AVAILABLE with that kind as evidence', () => {
    const result = one(kmsKey({ rotation: { kind: 'paused' } as unknown as RotationStatus }));
    expect(result).toMatchObject({ status: 'NOT_AVAILABLE', reasonCode: 'ROTATION_STATUS_UNAVAILABLE' });
    expect(result.evidence).toEqual({ rotationKind: 'paused' });
  });

  it('a key whose DescribeKey was refused is a KMS.4 result', () => {
    const refused = { code: 'AccessDeniedException', message: 'no', why: 'the key policy refuses it' };
    const result = one(kmsKey({ keyManager: 'UNKNOWN', describeRefused: refused }));
    expect(result).toMatchObject({ controlId: 'KMS.4', status: 'WARNING' });
  });
});
