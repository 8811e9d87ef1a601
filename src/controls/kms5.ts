/**
 * KMS.5 "KMS keys should not be publicly accessible": the key policy of every customer managed key, in
 * any state, decided by the key-policy analysis (SEMANTICS.md, KMS.5). A policy that cannot be read is
 * FAILED, never PASSED; a key whose policy was not collected gets no result (its collection is reported
 * incomplete, so its finding stays as it was).
 */
import type { ControlResult } from '../model/result.js';
import type { KeyPolicyRead, KmsKey, KmsSnapshot } from '../model/snapshot.js';
import { evaluateKeyPolicyPublicAccess } from '../policy/key-policy/index.js';
import type { KeyPolicyResult } from '../policy/key-policy/index.js';
import type { Verdict } from './kms-result.js';
import { keyResult } from './kms-result.js';
import type { Kms5Params } from './kms5.module.js';

export const REASON_KEY_POLICY_PUBLIC = 'KEY_POLICY_PUBLIC';
export const REASON_KEY_POLICY_NOT_PUBLIC = 'KEY_POLICY_NOT_PUBLIC';
export const REASON_KEY_POLICY_UNREADABLE = 'KEY_POLICY_UNREADABLE';
export const REASON_KEY_POLICY_INVALID = 'KEY_POLICY_INVALID';

/**
 * The keys KMS.5 evaluates: customer managed, in any state, and keys whose DescribeKey the key policy
 * refused (an AWS managed key answers any role that holds the permission).
 */
export function isInKms5Scope(key: KmsKey): boolean {
  return key.keyManager === 'CUSTOMER' || key.describeRefused !== undefined;
}

/** The analysis' reason without its leading verdict word, on one line per statement. */
function sentence(result: KeyPolicyResult): string {
  // Stryker disable next-line Regex: the analysis' reason always starts with its verdict word, a colon and one space.
  return result.reason.replace(/^(FAILED|PASSED|NOT_AVAILABLE):\s*/, '');
}

/** The verdict for one key policy as read (pure: exported for unit tests and `check-policy`). */
export function keyPolicyVerdict(read: KeyPolicyRead, params: Kms5Params): Verdict {
  if (read.kind === 'unreadable') {
    // AWS: the control fails when the key policy cannot be read.
    return {
      status: 'FAILED',
      reasonCode: REASON_KEY_POLICY_UNREADABLE,
      reason: `The key policy could not be read (kms:GetKeyPolicy: ${read.code}), so it cannot be shown not to be public.`,
      evidence: { errorCode: read.code, errorMessage: read.message },
    };
  }
  const result = evaluateKeyPolicyPublicAccess(read.document, {
    kmsActions: params.kmsActions,
    restrictingKeys: params.restrictingConditionKeys,
  });
  const evidence: Record<string, unknown> = { publicStatements: result.publicStatements };
  switch (result.verdict) {
    case 'FAILED':
      return { status: 'FAILED', reasonCode: REASON_KEY_POLICY_PUBLIC, reason: sentence(result), evidence };
    case 'PASSED':
      return {
        status: 'PASSED',
        reasonCode: REASON_KEY_POLICY_NOT_PUBLIC,
        reason: sentence(result),
        evidence,
      };
    default:
      return {
        status: 'NOT_AVAILABLE',
        reasonCode: REASON_KEY_POLICY_INVALID,
        reason: sentence(result),
        evidence: { ...evidence, ...(result.error ? { error: result.error } : {}) },
      };
  }
}

export function evaluateKms5(snapshot: KmsSnapshot, params: Kms5Params): ControlResult[] {
  const results: ControlResult[] = [];
  for (const key of snapshot.keys) {
    if (!isInKms5Scope(key) || key.keyPolicy === undefined) continue;
    results.push(keyResult('KMS.5', snapshot, key, keyPolicyVerdict(key.keyPolicy, params)));
  }
  return results;
}
