/**
 * KMS.3 "AWS KMS keys should not be deleted unintentionally": a customer managed key that is pending
 * deletion (or pending the deletion of its replicas) is FAILED; any other state is PASSED.
 */
import type { ControlResult } from '../model/result.js';
import type { KmsKey, KmsSnapshot } from '../model/snapshot.js';
import type { KmsEvaluationContext } from './context.js';
import type { Verdict } from './kms-result.js';
import { keyResult, unreadableVerdict } from './kms-result.js';
import { dateMillis } from './resources.js';
import type { Kms3Params } from './kms3.module.js';

const PENDING_DELETION_STATES: ReadonlySet<string> = new Set(['PendingDeletion', 'PendingReplicaDeletion']);
const DAY_MS = 24 * 60 * 60 * 1000;

/** The keys KMS.3 evaluates: customer managed, optionally only those named by id or ARN. */
export function isInKms3Scope(key: KmsKey, params: Kms3Params): boolean {
  // A key that refused DescribeKey is presumed customer managed (AWS managed keys answer any role
  // holding the permission), so it is judged rather than dropped.
  if (key.keyManager !== 'CUSTOMER' && key.describeRefused === undefined) return false;
  if (params.kmsKeyIds.length === 0) return true;
  // Key ids are lower-case UUIDs (or mrk-...); accept any case for an id, an ARN must match exactly.
  const keyId = key.keyId.toLowerCase();
  return params.kmsKeyIds.some((wanted) => wanted === key.arn || wanted.toLowerCase() === keyId);
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

function pendingDeletionVerdict(key: KmsKey, now: Date): Verdict {
  const evidence: Record<string, unknown> = { keyState: key.keyState };
  if (key.pendingDeletionWindowInDays !== undefined) {
    evidence['pendingDeletionWindowInDays'] = key.pendingDeletionWindowInDays;
  }
  const deletionMillis = dateMillis(key.deletionDate);
  let reason: string;
  if (Number.isNaN(deletionMillis)) {
    // A multi-Region primary key waits for its replicas before it gets a deletion date.
    reason =
      key.keyState === 'PendingReplicaDeletion'
        ? `Key is in state PendingReplicaDeletion: it is scheduled for deletion once its replica keys are deleted` +
          (key.pendingDeletionWindowInDays === undefined
            ? ''
            : `, after a waiting period of ${plural(key.pendingDeletionWindowInDays, 'day')}`)
        : `Key is in state ${key.keyState} and scheduled for deletion (the deletion date was not reported)`;
  } else {
    const deletionDate = new Date(deletionMillis).toISOString();
    const remaining = deletionMillis - now.getTime();
    const daysLeft = Math.max(0, Math.floor(remaining / DAY_MS));
    evidence['deletionDate'] = deletionDate;
    evidence['daysLeft'] = daysLeft;
    const when =
      remaining <= 0
        ? 'a date that has already passed'
        : daysLeft === 0
          ? 'less than a day from now'
          : `${plural(daysLeft, 'day')} from now`;
    reason = `Key is in state ${key.keyState} and will be deleted on ${deletionDate}, ${when}`;
  }
  return { status: 'FAILED', reasonCode: 'KEY_PENDING_DELETION', reason: `${reason}.`, evidence };
}

export function evaluateKms3(
  snapshot: KmsSnapshot,
  params: Kms3Params,
  context: KmsEvaluationContext,
): ControlResult[] {
  const results: ControlResult[] = [];
  for (const key of snapshot.keys) {
    if (!isInKms3Scope(key, params)) continue;
    const verdict: Verdict = key.describeRefused
      ? unreadableVerdict(
          { call: 'kms:DescribeKey', ...key.describeRefused },
          'Whether the key is scheduled for deletion cannot be read.',
        )
      : PENDING_DELETION_STATES.has(key.keyState)
        ? pendingDeletionVerdict(key, context.now)
        : {
            status: 'PASSED',
            reasonCode: 'KEY_NOT_PENDING_DELETION',
            reason: `Key is in state ${key.keyState} and is not scheduled for deletion.`,
            evidence: { keyState: key.keyState },
          };
    results.push(keyResult('KMS.3', snapshot, key, verdict));
  }
  return results;
}
