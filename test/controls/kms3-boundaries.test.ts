/** KMS.3 at its edges: a deletion date that is exactly now, and facts that AWS did not report. */
import { describe, expect, it } from 'vitest';
import { evaluateKms3 } from '../../src/controls/index.js';
import type { KmsKey } from '../../src/model/snapshot.js';
import { kmsKey, kmsSnapshot } from './helpers.js';

const now = new Date('2025-03-01T12:00:00Z');

function only(key: KmsKey) {
  const results = evaluateKms3(kmsSnapshot([key]), { kmsKeyIds: [] }, { now });
  expect(results).toHaveLength(1);
  return results[0]!;
}

describe('KMS.3 edges', () => {
  it('a deletion date that is exactly now has passed (no time is left)', () => {
    const result = only(kmsKey({ keyState: 'PendingDeletion', deletionDate: '2025-03-01T12:00:00.000Z' }));
    expect(result.status).toBe('FAILED');
    expect(result.evidence['daysLeft']).toBe(0);
    expect(result.reason).toContain('a date that has already passed');
    expect(result.reason).not.toContain('less than a day');
  });

  it('one millisecond before the deletion date is less than a day from now', () => {
    const result = only(kmsKey({ keyState: 'PendingDeletion', deletionDate: '2025-03-01T12:00:00.001Z' }));
    expect(result.reason).toContain('less than a day from now');
  });

  it('evidence holds only the facts AWS reported: no waiting period and no date means neither key', () => {
    const result = only(kmsKey({ keyState: 'PendingDeletion' }));
    expect(result.status).toBe('FAILED');
    expect(result.evidence).toStrictEqual({ keyState: 'PendingDeletion' });
    expect(result.reason).toBe(
      'Key is in state PendingDeletion and scheduled for deletion (the deletion date was not reported).',
    );
  });

  it('a PendingReplicaDeletion key without a waiting period: the sentence ends after the replicas', () => {
    const result = only(kmsKey({ keyState: 'PendingReplicaDeletion' }));
    expect(result.evidence).toStrictEqual({ keyState: 'PendingReplicaDeletion' });
    expect(result.reason).toBe(
      'Key is in state PendingReplicaDeletion: it is scheduled for deletion once its replica keys are deleted.',
    );
  });
});
