/**
 * KMS.4 "AWS KMS key rotation should be enabled": automatic rotation of customer managed, symmetric,
 * AWS-generated, enabled keys. Other keys cannot rotate automatically, so they get no finding.
 */
import type { ControlResult } from '../model/result.js';
import type { KmsKey, KmsSnapshot, RotationStatus } from '../model/snapshot.js';
import type { KmsEvaluationContext } from './context.js';
import type { Verdict } from './kms-result.js';
import { keyResult, unreadableVerdict } from './kms-result.js';
import type { Kms4Params } from './kms4.module.js';

/**
 * Whether KMS.4 evaluates the key. The KMS collector calls GetKeyRotationStatus only for these keys.
 * Unknown values (a KeySpec or KeyState AWS adds later) are out of scope, never a crash.
 */
export function isInKms4Scope(key: KmsKey): boolean {
  return (
    key.keyManager === 'CUSTOMER' &&
    key.keySpec === 'SYMMETRIC_DEFAULT' &&
    key.origin === 'AWS_KMS' &&
    key.keyState === 'Enabled' &&
    (key.customKeyStoreId === undefined || key.customKeyStoreId === '')
  );
}

function unavailable(reasonCode: string, reason: string, evidence: Record<string, unknown>): Verdict {
  return { status: 'NOT_AVAILABLE', reasonCode, reason, evidence };
}

function enabledVerdict(rotation: Extract<RotationStatus, { kind: 'enabled' }>, params: Kms4Params): Verdict {
  const period = rotation.rotationPeriodInDays;
  const evidence: Record<string, unknown> = { rotationEnabled: true };
  if (period !== undefined) evidence['rotationPeriodInDays'] = period;
  if (rotation.nextRotationDate !== undefined) evidence['nextRotationDate'] = rotation.nextRotationDate;
  const max = params.maxRotationPeriodDays;
  if (max !== undefined) {
    evidence['maxRotationPeriodDays'] = max;
    if (period === undefined) {
      return unavailable(
        'ROTATION_PERIOD_UNKNOWN',
        `Automatic rotation is enabled but its period was not reported, so it cannot be compared with the maximum of ${max} days.`,
        evidence,
      );
    }
    if (period > max) {
      return {
        status: 'FAILED',
        reasonCode: 'ROTATION_PERIOD_TOO_LONG',
        reason: `Automatic rotation is enabled every ${period} days, longer than the maximum of ${max} days.`,
        evidence,
      };
    }
  }
  const every = period === undefined ? '' : ` every ${period} days`;
  const next = rotation.nextRotationDate === undefined ? '' : ` (next rotation ${rotation.nextRotationDate})`;
  return {
    status: 'PASSED',
    reasonCode: 'ROTATION_ENABLED',
    reason: `Automatic key rotation is enabled${every}${next}.`,
    evidence,
  };
}

/** The verdict for an in-scope key, or undefined when the rotation status takes it out of scope. */
function rotationVerdict(rotation: RotationStatus | undefined, params: Kms4Params): Verdict | undefined {
  if (rotation === undefined) {
    return unavailable(
      'ROTATION_STATUS_UNAVAILABLE',
      'The key rotation status was not collected for this key.',
      {},
    );
  }
  switch (rotation.kind) {
    case 'enabled':
      return enabledVerdict(rotation, params);
    case 'disabled':
      return {
        status: 'FAILED',
        reasonCode: 'ROTATION_DISABLED',
        reason: 'Automatic key rotation is disabled.',
        evidence: { rotationEnabled: false },
      };
    case 'unsupported':
      // KMS says this key cannot rotate automatically: out of scope, as SEMANTICS.md fixes.
      return undefined;
    case 'error':
      // Only the key's policy refusing the call is kept on the key; other failures leave the unit incomplete.
      return unreadableVerdict(
        { call: 'kms:GetKeyRotationStatus', ...rotation },
        'Whether automatic rotation is enabled cannot be read.',
      );
    default: {
      // A snapshot read from JSON may hold a kind this code does not know: never guess a verdict.
      const kind = String((rotation as { kind?: unknown }).kind);
      return unavailable('ROTATION_STATUS_UNAVAILABLE', `Unknown rotation status '${kind}'.`, {
        rotationKind: kind,
      });
    }
  }
}

export function evaluateKms4(
  snapshot: KmsSnapshot,
  params: Kms4Params,
  _context?: KmsEvaluationContext,
): ControlResult[] {
  const results: ControlResult[] = [];
  for (const key of snapshot.keys) {
    if (key.describeRefused) {
      // Not even its scope (spec, origin, state) can be read: judged, never dropped.
      const verdict = unreadableVerdict(
        { call: 'kms:DescribeKey', ...key.describeRefused },
        'Whether the key can rotate and whether rotation is enabled cannot be read.',
      );
      results.push(keyResult('KMS.4', snapshot, key, verdict));
      continue;
    }
    if (!isInKms4Scope(key)) continue;
    const verdict = rotationVerdict(key.rotation, params);
    if (verdict !== undefined) results.push(keyResult('KMS.4', snapshot, key, verdict));
  }
  return results;
}
