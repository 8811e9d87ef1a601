/** Public types of the KMS.5 key-policy analysis. Pure data: no AWS or I/O import in src/policy. */
import type { PolicyError } from '../types.js';

/** Why one condition entry (operator, key) of a public statement does not restrict who can call. */
export type ConditionGapCode =
  | 'KEY_NOT_RESTRICTING'
  | 'VIA_SERVICE'
  | 'NEGATED_OPERATOR'
  | 'IF_EXISTS_OPERATOR'
  | 'FOR_ALL_VALUES'
  | 'NULL_OPERATOR'
  | 'BOOL_OPERATOR'
  | 'NUMERIC_OPERATOR'
  | 'DATE_OPERATOR'
  | 'OTHER_OPERATOR'
  | 'NO_VALUE'
  | 'VALUE_NOT_STRING'
  | 'EMPTY_VALUE'
  | 'WILDCARD_VALUE'
  | 'VARIABLE_VALUE'
  | 'OPEN_CIDR';

export interface ConditionGap {
  /** As written in the document (e.g. `ForAnyValue:StringLike`). */
  operator: string;
  /** As written in the document (e.g. `aws:PrincipalOrgID`). */
  key: string;
  code: ConditionGapCode;
  /** One human sentence, e.g. `value "111122*" holds a wildcard`. */
  why: string;
}

export interface PublicStatement {
  /** The Sid, or `#index` when the statement has none. */
  label: string;
  /** 0-based position in the document. */
  index: number;
  /** How it grants everyone, e.g. `Principal "*"` or `NotPrincipal`. */
  grantee: string;
  /** KMS actions it opens to everyone (after unconditional everyone-Denys), canonical spelling, sorted. */
  actions: string[];
  /** Why each condition entry present does not restrict, or `'no condition'`. */
  conditions: ConditionGap[] | 'no condition';
}

export type KeyPolicyVerdict = 'PASSED' | 'FAILED' | 'NOT_AVAILABLE';

export interface KeyPolicyResult {
  verdict: KeyPolicyVerdict;
  /** Empty unless FAILED; in document order. */
  publicStatements: PublicStatement[];
  /** Human text naming each public statement, its actions and why its conditions do not restrict. */
  reason: string;
  /** Present exactly when the verdict is NOT_AVAILABLE. */
  error?: PolicyError;
}

export interface KeyPolicyOptions {
  /** Every KMS action as `kms:Name` (config/kms-actions.yaml, loaded by the caller). */
  kmsActions: readonly string[];
  /** Condition keys that can restrict a public statement; default {@link DEFAULT_RESTRICTING_KEYS}. */
  restrictingKeys?: readonly string[];
}

/**
 * SEMANTICS.md KMS.5 rule 4: condition keys that pin the caller (account, organization, identity,
 * source, network). `kms:ViaService` is deliberately absent: it names a service, not a caller.
 */
export const DEFAULT_RESTRICTING_KEYS: readonly string[] = [
  'aws:PrincipalAccount',
  'aws:PrincipalArn',
  'aws:PrincipalOrgID',
  'aws:PrincipalOrgPaths',
  'aws:userid',
  'aws:username',
  'aws:SourceAccount',
  'aws:SourceArn',
  'aws:SourceOwner',
  'aws:SourceOrgID',
  'aws:SourceOrgPaths',
  'aws:SourceVpc',
  'aws:SourceVpce',
  'aws:SourceIp',
  'kms:CallerAccount',
];
