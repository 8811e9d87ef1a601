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
