/** Builds a ControlResult for a KMS key (KMS.3, KMS.4): the region and partition come from the snapshot. */
import type { ComplianceStatus, ControlId, ControlResult } from '../model/result.js';
import type { KmsKey, KmsSnapshot } from '../model/snapshot.js';
import { keyResource } from './resources.js';

export interface Verdict {
  status: ComplianceStatus;
  reasonCode: string;
  reason: string;
  evidence: Record<string, unknown>;
}

export function keyResult(
  controlId: ControlId,
  snapshot: KmsSnapshot,
  key: KmsKey,
  verdict: Verdict,
): ControlResult {
  return {
    controlId,
    resource: keyResource(key, snapshot.accountId),
    accountId: snapshot.accountId,
    region: snapshot.region,
    partition: snapshot.partition,
    ...verdict,
  };
}

export const REASON_KEY_UNREADABLE = 'KEY_UNREADABLE_BY_AUDIT_ROLE';

/**
 * A key whose policy refuses the audit role a call the control needs (issue 16): WARNING at the control's
 * own severity, naming the refused call, so locking the auditor out never hides a key.
 */
export function unreadableVerdict(
  refusal: { call: string; code: string; message: string; why?: string | undefined },
  unknown: string,
): Verdict {
  const why = refusal.why === undefined ? '' : `: ${refusal.why}`;
  return {
    status: 'WARNING',
    reasonCode: REASON_KEY_UNREADABLE,
    reason: `The audit role was refused ${refusal.call} (${refusal.code})${why}. ${unknown}`,
    evidence: {
      refusedCall: refusal.call,
      errorCode: refusal.code,
      errorMessage: refusal.message,
      cause: 'key-policy',
    },
  };
}
