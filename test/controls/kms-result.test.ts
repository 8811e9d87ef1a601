/** The verdict for a key whose policy refuses the audit role a call (src/controls/kms-result.ts). */
import { describe, expect, it } from 'vitest';
import { unreadableVerdict } from '../../src/controls/kms-result.js';

describe('unreadableVerdict', () => {
  const refusal = { call: 'kms:GetKeyRotationStatus', code: 'AccessDeniedException', message: 'denied' };

  it('adds the reason for the refusal when one is known', () => {
    expect(unreadableVerdict({ ...refusal, why: 'an explicit Deny' }, 'Rotation is unknown.').reason).toBe(
      'The audit role was refused kms:GetKeyRotationStatus (AccessDeniedException): an explicit Deny. Rotation is unknown.',
    );
  });

  it('says nothing more when none is', () => {
    expect(unreadableVerdict(refusal, 'Rotation is unknown.')).toEqual({
      status: 'WARNING',
      reasonCode: 'KEY_UNREADABLE_BY_AUDIT_ROLE',
      reason:
        'The audit role was refused kms:GetKeyRotationStatus (AccessDeniedException). Rotation is unknown.',
      evidence: {
        refusedCall: 'kms:GetKeyRotationStatus',
        errorCode: 'AccessDeniedException',
        errorMessage: 'denied',
        cause: 'key-policy',
      },
    });
  });
});
