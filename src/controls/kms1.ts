/**
 * KMS.1 "IAM customer managed policies should not allow decryption actions on all KMS keys": the default
 * version of every customer managed policy, attached or not, one result per policy.
 */
import type { ControlResult } from '../model/result.js';
import type { IamSnapshot, ManagedPolicy, ManagedPolicyVersion } from '../model/snapshot.js';
import { analyzePolicy } from '../policy/index.js';
import type { IamEvaluationContext } from './context.js';
import type { Kms1Params } from './kms1.module.js';
import {
  ambiguitySentence,
  capitalize,
  errorClause,
  errorReasonCode,
  errorStatus,
  failedClause,
  passedClause,
  policyEvidence,
  REASON_ALLOWED_ON_ALL_KEYS,
  REASON_NOT_ON_ALL_KEYS,
} from './policy-verdict.js';
import { policyResource } from './resources.js';

/** AWS managed policies live in the pseudo-account `aws` (arn:aws:iam::aws:policy/...). */
function isCustomerManaged(policy: ManagedPolicy): boolean {
  return policy.arn.split(':')[4] !== 'aws';
}

/**
 * Used as a permissions boundary and also attached as a permissions policy: it really grants, yet AWS's
 * native control skips it under excludePermissionBoundaryPolicy (issue 16).
 */
function isBoundaryAndAttached(policy: ManagedPolicy): boolean {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: only called for policies in scope, which are attached.
  return policy.permissionsBoundaryUsageCount > 0 && policy.attachmentCount > 0;
}

/**
 * Whether KMS.1 evaluates the policy at all (before looking at its document). A boundary alone grants
 * nothing, so only a policy used as a boundary and attached nowhere is exempt, unless the parameters ask
 * for AWS's literal behaviour.
 */
export function isInKms1Scope(policy: ManagedPolicy, params: Kms1Params): boolean {
  if (!isCustomerManaged(policy)) return false;
  if (!params.excludePermissionBoundaryPolicy || policy.permissionsBoundaryUsageCount === 0) return true;
  return policy.attachmentCount > 0 && !params.exemptBoundaryPoliciesEvenIfAttached;
}

/** What the finding adds when AWS's own control would have skipped the policy. */
function awsSkipNote(policy: ManagedPolicy, params: Kms1Params): { sentence: string; evidence: object } {
  if (!params.excludePermissionBoundaryPolicy || !isBoundaryAndAttached(policy))
    return { sentence: '', evidence: {} };
  return {
    sentence:
      `The policy is used as a permissions boundary (${policy.permissionsBoundaryUsageCount}) and attached as a` +
      ` permissions policy (${policy.attachmentCount}); AWS's native KMS.1 skips it under` +
      ' excludePermissionBoundaryPolicy, keywarden evaluates it because the attachments grant. ',
    evidence: {
      skippedByAwsNativeControl: true,
      permissionsBoundaryUsageCount: policy.permissionsBoundaryUsageCount,
      attachmentCount: policy.attachmentCount,
    },
  };
}

/** The default version: the one flagged default, else the one named by DefaultVersionId. */
export function defaultVersionOf(policy: ManagedPolicy): ManagedPolicyVersion | undefined {
  return (
    policy.versions.find((version) => version.isDefaultVersion) ??
    // Without a DefaultVersionId this finds none: versionId is a required string.
    policy.versions.find((version) => version.versionId === policy.defaultVersionId)
  );
}

function evaluatePolicy(
  policy: ManagedPolicy,
  params: Kms1Params,
  snapshot: IamSnapshot,
  context: IamEvaluationContext,
): ControlResult {
  const base = {
    controlId: 'KMS.1' as const,
    resource: policyResource(policy),
    accountId: snapshot.accountId,
    region: context.region,
    partition: snapshot.partition,
  };
  const note = awsSkipNote(policy, params);
  const version = defaultVersionOf(policy);
  if (version === undefined) {
    return {
      ...base,
      status: 'NOT_AVAILABLE',
      reasonCode: 'DEFAULT_VERSION_MISSING',
      reason: `${note.sentence}The document of the policy's default version${policy.defaultVersionId === undefined ? '' : ` (${policy.defaultVersionId})`} was not collected, so it cannot be evaluated.`,
      evidence: {
        ...note.evidence,
        defaultVersionId: policy.defaultVersionId ?? null,
        blockedActions: params.blockedActions,
      },
    };
  }
  const analysis =
    context.analyses?.(version.document, params.blockedActions, snapshot.partition) ??
    analyzePolicy(version.document, params.blockedActions, { partition: snapshot.partition });
  // The note first: long evidence and reasons are truncated at their end in the finding.
  const evidence = {
    ...note.evidence,
    policyVersionId: version.versionId,
    blockedActions: params.blockedActions,
    ...policyEvidence(analysis),
  };
  if (!analysis.ok) {
    return {
      ...base,
      status: errorStatus(analysis.error),
      reasonCode: errorReasonCode(analysis.error),
      reason: `${note.sentence}The default version ${version.versionId} could not be analysed: ${errorClause(analysis.error)}.`,
      evidence,
    };
  }
  if (analysis.verdict === 'FAILED') {
    return {
      ...base,
      status: 'FAILED',
      reasonCode: REASON_ALLOWED_ON_ALL_KEYS,
      reason: `${note.sentence}${capitalize(failedClause(analysis.actions))} (default version ${version.versionId}).${ambiguitySentence(analysis)}`,
      evidence,
    };
  }
  return {
    ...base,
    status: 'PASSED',
    reasonCode: REASON_NOT_ON_ALL_KEYS,
    reason: `${note.sentence}In default version ${version.versionId}, ${passedClause(analysis.actions)}.${ambiguitySentence(analysis)}`,
    evidence,
  };
}

export function evaluateKms1(
  snapshot: IamSnapshot,
  params: Kms1Params,
  context: IamEvaluationContext,
): ControlResult[] {
  return snapshot.managedPolicies
    .filter((policy) => isInKms1Scope(policy, params))
    .map((policy) => evaluatePolicy(policy, params, snapshot, context));
}
