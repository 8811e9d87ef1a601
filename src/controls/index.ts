/** The KMS controls: one module each (declarations + pure evaluator), and the registry that lists them. */
export type { IamEvaluationContext, KmsEvaluationContext } from './context.js';
export * from './params.js';
export type { ControlContext, ControlModule, PolicyDocumentKind, RunsIn } from './module.js';
export { evaluateKms1, isInKms1Scope, defaultVersionOf } from './kms1.js';
export { evaluateKms2, isInKms2Scope } from './kms2.js';
export type { InlinePolicyEvidence } from './kms2.js';
export { evaluateKms3, isInKms3Scope } from './kms3.js';
export { evaluateKms4, isInKms4Scope } from './kms4.js';
export type { Kms1Params } from './kms1.module.js';
export { kms1Module, resolveKms1Params } from './kms1.module.js';
export type { Kms2Params } from './kms2.module.js';
export { kms2Module, resolveKms2Params } from './kms2.module.js';
export type { Kms3Params } from './kms3.module.js';
export { kms3Module, resolveKms3Params } from './kms3.module.js';
export type { Kms4Params } from './kms4.module.js';
export {
  kms4Module,
  MAX_ROTATION_PERIOD_DAYS,
  MIN_ROTATION_PERIOD_DAYS,
  resolveKms4Params,
} from './kms4.module.js';
export {
  evaluateKms5,
  isInKms5Scope,
  keyPolicyVerdict,
  REASON_KEY_POLICY_INVALID,
  REASON_KEY_POLICY_NOT_PUBLIC,
  REASON_KEY_POLICY_PUBLIC,
  REASON_KEY_POLICY_UNREADABLE,
} from './kms5.js';
export type { Kms5Params } from './kms5.module.js';
export { kms5Module, resolveKms5Params } from './kms5.module.js';
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
