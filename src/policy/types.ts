/** Public types of the IAM policy engine. Pure data: no AWS or I/O import anywhere in src/policy. */

/** How much of the KMS key space a policy grants an action on. */
export type Coverage = 'ALL' | 'PARTIAL' | 'NONE';

export type PolicyVerdict = 'PASSED' | 'FAILED' | 'NOT_AVAILABLE';

/** Points at one statement of the document: its Sid when it has one, always its 0-based index. */
export interface StatementRef {
  index: number;
  sid?: string;
}

export interface ActionCoverage {
  /** The blocked action, as configured (e.g. `kms:Decrypt`). */
  action: string;
  coverage: Coverage;
  /** Allow statements that apply to the action and grant at least one key. */
  grantedBy: StatementRef[];
  /** Unconditional Deny statements that apply to the action and take at least one key away. */
  deniedBy: StatementRef[];
  /** Deny statements with a Condition: they may not apply, so they subtract nothing. */
  conditionalDenies: StatementRef[];
  /** A key ARN the policy does not grant the action on (present unless coverage is ALL). */
  keyNotGranted?: string;
  /** A key ARN the policy grants the action on (present unless coverage is NONE). */
  keyGranted?: string;
}

export type PolicyErrorCode =
  | 'INVALID_ENCODING'
  | 'INVALID_JSON'
  | 'INVALID_DOCUMENT'
  | 'INVALID_STATEMENT'
  | 'TOO_LARGE'
  | 'TOO_COMPLEX'
  /** Duplicated members give more readings than are evaluated, and none of those evaluated fails. */
  | 'AMBIGUOUS';

/** Why a document could not be decided. Returned, never thrown. */
export interface PolicyError {
  code: PolicyErrorCode;
  message: string;
  /** 0-based index of the offending statement, when there is one. */
  statement?: number;
}

export type PolicyAnalysis =
  | {
      ok: true;
      verdict: 'PASSED' | 'FAILED';
      version: string;
      statementCount: number;
      /** One entry per blocked action, in the order given. */
      actions: ActionCoverage[];
      /** The document has duplicated members: the verdict is the worst of its readings. */
      ambiguity?: PolicyAmbiguity;
    }
  | { ok: false; verdict: 'NOT_AVAILABLE'; error: PolicyError };

/** Members a document names twice or more in one object, which JSON readers resolve differently. */
export interface PolicyAmbiguity {
  /** e.g. `Statement[0].Resource`. */
  duplicatedMembers: string[];
  /** How many readings the duplicates give (each duplicated member taking each of its values). */
  readings: number;
  /** How many were evaluated (all of them, up to a bound). */
  evaluated: number;
}

export interface AnalyzeOptions {
  /** Partition whose key space is checked (`aws`, `aws-cn`, `aws-us-gov`, ...). Default `aws`. */
  partition?: string;
}
