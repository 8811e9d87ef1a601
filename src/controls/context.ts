/** What the evaluators need besides the snapshot and parameters; passed in so they stay pure. */

export interface IamEvaluationContext {
  /** The home region: IAM is global, its findings are imported there. */
  region: string;
}

export interface KmsEvaluationContext {
  /** The scan's clock, for "days left before deletion" (KMS.3). */
  now: Date;
}
