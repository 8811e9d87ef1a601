/** The four KMS controls as pure evaluators: (snapshot, parameters, context) -> ControlResult[]. */
export type { IamEvaluationContext, KmsEvaluationContext } from './context.js';
export * from './params.js';
export { evaluateKms1, isInKms1Scope, defaultVersionOf } from './kms1.js';
export { evaluateKms2, isInKms2Scope } from './kms2.js';
export type { InlinePolicyEvidence } from './kms2.js';
export { evaluateKms3, isInKms3Scope } from './kms3.js';
export { evaluateKms4, isInKms4Scope } from './kms4.js';
export { isAssumableOnlyByManagementAccount } from './trust.js';
export type { TrustDecision } from './trust.js';
export type { PolicyEvidence } from './policy-verdict.js';
export {
  REASON_ALLOWED_ON_ALL_KEYS,
  REASON_NOT_ON_ALL_KEYS,
  REASON_POLICY_INVALID,
  REASON_POLICY_TOO_COMPLEX,
} from './policy-verdict.js';
export * from './registry.js';
