/** What the evaluators need besides the snapshot and parameters; passed in so they stay pure. */
import type { PolicyAnalysis } from '../policy/index.js';

/** Analyses computed ahead of the controls (off the event loop); undefined when a document was not. */
export type PolicyAnalysisLookup = (
  document: unknown,
  blockedActions: readonly string[],
  partition: string,
) => PolicyAnalysis | undefined;

export interface IamEvaluationContext {
  /** The home region: IAM is global, its findings are imported there. */
  region: string;
  /** Policy analyses already made; a document missing here is analysed in place. */
  analyses?: PolicyAnalysisLookup;
}

export interface KmsEvaluationContext {
  /** The scan's clock, for "days left before deletion" (KMS.3). */
  now: Date;
}
