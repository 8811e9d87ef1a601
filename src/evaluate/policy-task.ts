/** What the policy pool sends to a worker thread (structured-cloneable). */
export interface PolicyTask {
  /** The policy document as IAM returned it (URL-encoded text) or as an object. */
  document: unknown;
  blockedActions: string[];
  partition: string;
}
