/**
 * KMS.2 "IAM principals should not have IAM inline policies that allow decryption actions on all KMS
 * keys": every inline policy of every user, group and role; one result per identity that has at least
 * one inline policy, FAILED when any of them fails.
 */
import type { ControlResult } from '../model/result.js';
import type { IamIdentity, IamSnapshot } from '../model/snapshot.js';
import type { PolicyAnalysis } from '../policy/index.js';
import { analyzePolicy } from '../policy/index.js';
import type { IamEvaluationContext } from './context.js';
import type { Kms2Params } from './kms2.module.js';
import type { PolicyEvidence } from './policy-verdict.js';
import {
  ambiguitySentence,
  errorClause,
  errorReasonCode,
  errorStatus,
  failedClause,
  passedClause,
  policyEvidence,
  REASON_ALLOWED_ON_ALL_KEYS,
  REASON_NOT_ON_ALL_KEYS,
} from './policy-verdict.js';
import { identityResource } from './resources.js';
import type { TrustDecision } from './trust.js';
import { isAssumableOnlyByManagementAccount } from './trust.js';

/** Evidence for one inline policy of the identity. */
export type InlinePolicyEvidence = { policyName: string } & PolicyEvidence;

const KIND_WORD = { user: 'user', group: 'group', role: 'role' } as const;

/** For roles when `excludeRoleByManagementAccount` is on: whether the trust policy excludes the role. */
function roleExclusion(
  identity: IamIdentity,
  snapshot: IamSnapshot,
  params: Kms2Params,
): TrustDecision | undefined {
  if (identity.kind !== 'role' || !params.excludeRoleByManagementAccount) return undefined;
  if (snapshot.managementAccountId === undefined) {
    return { onlyManagementAccount: false, why: 'the organization management account is not known' };
  }
  return isAssumableOnlyByManagementAccount(
    identity.assumeRolePolicyDocument,
    snapshot.managementAccountId,
    snapshot.partition,
  );
}

/** Whether KMS.2 evaluates the identity (it has an inline policy and is not an excluded role). */
export function isInKms2Scope(identity: IamIdentity, snapshot: IamSnapshot, params: Kms2Params): boolean {
  if (identity.inlinePolicies.length === 0) return false;
  return roleExclusion(identity, snapshot, params)?.onlyManagementAccount !== true;
}

function others(count: number): string {
  return count === 0 ? '' : ` (and ${count} other inline polic${count === 1 ? 'y' : 'ies'})`;
}

function evaluateIdentity(
  identity: IamIdentity,
  params: Kms2Params,
  snapshot: IamSnapshot,
  context: IamEvaluationContext,
  exclusion: TrustDecision | undefined,
): ControlResult {
  const analysed = identity.inlinePolicies.map((policy) => ({
    name: policy.name,
    analysis:
      context.analyses?.(policy.document, params.blockedActions, snapshot.partition) ??
      analyzePolicy(policy.document, params.blockedActions, { partition: snapshot.partition }),
  }));
  const failed = analysed.filter(
    (item): item is { name: string; analysis: Extract<PolicyAnalysis, { ok: true }> } =>
      item.analysis.ok && item.analysis.verdict === 'FAILED',
  );
  const invalid = analysed.filter(
    (item): item is { name: string; analysis: Extract<PolicyAnalysis, { ok: false }> } => !item.analysis.ok,
  );
  const evidence: Record<string, unknown> = {
    blockedActions: params.blockedActions,
    failedPolicies: failed.map((item) => item.name),
    unavailablePolicies: invalid.map((item) => item.name),
    inlinePolicies: analysed.map((item): InlinePolicyEvidence => ({
      policyName: item.name,
      ...policyEvidence(item.analysis),
    })),
  };
  if (exclusion !== undefined) evidence['roleNotExcludedBecause'] = exclusion.why;
  const base = {
    controlId: 'KMS.2' as const,
    resource: identityResource(identity),
    accountId: snapshot.accountId,
    region: context.region,
    partition: snapshot.partition,
    evidence,
  };
  const first = failed[0];
  if (first !== undefined) {
    return {
      ...base,
      status: 'FAILED',
      reasonCode: REASON_ALLOWED_ON_ALL_KEYS,
      reason:
        `In inline policy '${first.name}', ${failedClause(first.analysis.actions)}${others(failed.length - 1)}.` +
        ambiguitySentence(first.analysis),
      evidence,
    };
  }
  // An undecidable policy outranks an invalid one: it may hide a grant (WARNING, not NOT_AVAILABLE).
  const firstInvalid = invalid.find((item) => errorStatus(item.analysis.error) === 'WARNING') ?? invalid[0];
  if (firstInvalid !== undefined) {
    return {
      ...base,
      status: errorStatus(firstInvalid.analysis.error),
      reasonCode: errorReasonCode(firstInvalid.analysis.error),
      reason:
        `Inline policy '${firstInvalid.name}' could not be analysed: ${errorClause(firstInvalid.analysis.error)}` +
        `${others(invalid.length - 1)}.`,
      evidence,
    };
  }
  const count = analysed.length;
  const ambiguous = analysed.find((item) => item.analysis.ok && item.analysis.ambiguity !== undefined);
  const example = analysed.find(
    (item) => item.analysis.ok && item.analysis.actions.some((a) => a.coverage === 'PARTIAL'),
  );
  const detail =
    example !== undefined && example.analysis.ok
      ? ` (in '${example.name}', ${passedClause(example.analysis.actions)})`
      : '';
  return {
    ...base,
    status: 'PASSED',
    reasonCode: REASON_NOT_ON_ALL_KEYS,
    reason:
      `${count === 1 ? 'The' : `None of the ${count}`} inline polic${count === 1 ? 'y of the' : 'ies of the'} ` +
      `${KIND_WORD[identity.kind]} ${count === 1 ? 'does not allow' : 'allows'} ` +
      `${params.blockedActions.join(' or ')} on every KMS key${detail}.` +
      (ambiguous ? ambiguitySentence(ambiguous.analysis, `Inline policy '${ambiguous.name}'`) : ''),
    evidence,
  };
}

export function evaluateKms2(
  snapshot: IamSnapshot,
  params: Kms2Params,
  context: IamEvaluationContext,
): ControlResult[] {
  const results: ControlResult[] = [];
  for (const identity of snapshot.identities) {
    if (identity.inlinePolicies.length === 0) continue;
    const exclusion = roleExclusion(identity, snapshot, params);
    if (exclusion?.onlyManagementAccount === true) continue;
    results.push(evaluateIdentity(identity, params, snapshot, context, exclusion));
  }
  return results;
}
