/** KMS.5 rule 4: does a condition entry (operator, key, values) restrict who can use a public statement? */
import type { PolicyError } from '../types.js';
import type { ConditionGap, ConditionGapCode } from './types.js';

export interface ConditionEntry {
  operator: string;
  key: string;
  /** As written: a string, number or boolean, or a list of them. */
  values: unknown[];
}

export type ConditionEntriesResult =
  { ok: true; entries: ConditionEntry[] } | { ok: false; error: PolicyError };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isScalar = (value: unknown): boolean =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** Flattens a Condition block into its entries; a shape IAM would reject is a parse error, not a guess. */
export function conditionEntries(
  condition: Record<string, unknown> | undefined,
  index: number,
): ConditionEntriesResult {
  if (condition === undefined) return { ok: true, entries: [] };
  const invalid = (message: string): ConditionEntriesResult => ({
    ok: false,
    error: { code: 'INVALID_STATEMENT', message, statement: index },
  });
  const entries: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries(condition)) {
    if (!isPlainObject(block)) return invalid(`Condition.${operator} must be an object of condition keys`);
    for (const [key, raw] of Object.entries(block)) {
      const values = Array.isArray(raw) ? raw : [raw];
      if (!values.every(isScalar)) {
        return invalid(`Condition.${operator}.${key} must be a string, number or boolean, or a list of them`);
      }
      entries.push({ operator, key, values });
    }
  }
  return { ok: true, entries };
}

const POSITIVE = new Set([
  'stringequals',
  'stringequalsignorecase',
  'stringlike',
  'arnequals',
  'arnlike',
  'ipaddress',
]);
const NEGATED = new Set([
  'stringnotequals',
  'stringnotequalsignorecase',
  'stringnotlike',
  'arnnotequals',
  'arnnotlike',
  'notipaddress',
]);

type OperatorGapCode = Extract<
  ConditionGapCode,
  | 'FOR_ALL_VALUES'
  | 'IF_EXISTS_OPERATOR'
  | 'NEGATED_OPERATOR'
  | 'NULL_OPERATOR'
  | 'BOOL_OPERATOR'
  | 'NUMERIC_OPERATOR'
  | 'DATE_OPERATOR'
  | 'OTHER_OPERATOR'
>;
type OperatorClass = 'positive' | OperatorGapCode;

/**
 * Operator names are compared case-insensitively. AWS documents condition keys as case-insensitive and
 * says nothing about operator names; IAM and KMS reject unknown operators, so a stored key policy spells
 * them canonically and both readings agree. Case-insensitivity only keeps a negated or IfExists operator
 * from being mistaken for an unknown one in hand-written input to check-policy.
 */
function classifyOperator(operator: string): OperatorClass {
  let base = operator.toLowerCase();
  // ForAllValues is true when the key is absent from the request, so it never pins the caller.
  if (base.startsWith('forallvalues:')) return 'FOR_ALL_VALUES';
  if (base.startsWith('foranyvalue:')) base = base.slice('foranyvalue:'.length);
  if (base.endsWith('ifexists')) return 'IF_EXISTS_OPERATOR';
  if (POSITIVE.has(base)) return 'positive';
  if (NEGATED.has(base)) return 'NEGATED_OPERATOR';
  if (base === 'null') return 'NULL_OPERATOR';
  if (base === 'bool') return 'BOOL_OPERATOR';
  if (base.startsWith('numeric')) return 'NUMERIC_OPERATOR';
  if (base.startsWith('date')) return 'DATE_OPERATOR';
  return 'OTHER_OPERATOR';
}

const OPERATOR_WHY: Record<OperatorGapCode, string> = {
  FOR_ALL_VALUES: 'ForAllValues: is true when the key is absent from the request',
  IF_EXISTS_OPERATOR: 'an ...IfExists operator is true when the key is absent from the request',
  NEGATED_OPERATOR: 'a negated operator matches every caller except the ones listed',
  NULL_OPERATOR: 'Null only tests whether the key is present',
  BOOL_OPERATOR: 'Bool is not a string, ARN or IP match on the caller',
  NUMERIC_OPERATOR: 'a numeric operator is not a string, ARN or IP match on the caller',
  DATE_OPERATOR: 'a date operator is not a string, ARN or IP match on the caller',
  OTHER_OPERATOR:
    'only StringEquals, StringEqualsIgnoreCase, StringLike, ArnEquals, ArnLike and IpAddress restrict',
};

/** Why a value is not fixed, or undefined when it is. */
function valueGap(
  value: unknown,
  isSourceIp: boolean,
  variables: boolean,
): { code: ConditionGapCode; why: string } | undefined {
  if (typeof value !== 'string')
    return { code: 'VALUE_NOT_STRING', why: `value ${JSON.stringify(value)} is not a string` };
  const shown = JSON.stringify(value);
  if (value === '') return { code: 'EMPTY_VALUE', why: 'value "" is empty' };
  if (variables && /\$\{[^}]*\}/.test(value)) {
    return {
      code: 'VARIABLE_VALUE',
      why: `value ${shown} holds a policy variable, which differs per request`,
    };
  }
  if (/[*?]/.test(value)) return { code: 'WILDCARD_VALUE', why: `value ${shown} holds a wildcard` };
  const prefix = /\/(\d+)\s*$/.exec(value);
  if (isSourceIp && prefix !== null && Number(prefix[1]) === 0) {
    return { code: 'OPEN_CIDR', why: `value ${shown} is a /0 CIDR, which matches every address` };
  }
  return undefined;
}

export interface RestrictionContext {
  /** Lower-cased restricting condition keys. */
  restrictingKeys: ReadonlySet<string>;
  /** Policy variables exist only in documents whose Version is 2012-10-17; before, `${` is literal text. */
  policyVariables: boolean;
}

/** Undefined when the entry restricts the statement; otherwise why it does not. */
export function conditionGap(entry: ConditionEntry, context: RestrictionContext): ConditionGap | undefined {
  const { operator, key } = entry;
  const lowerKey = key.toLowerCase();
  const gap = (code: ConditionGapCode, why: string): ConditionGap => ({ operator, key, code, why });
  if (lowerKey === 'kms:viaservice') {
    return gap('VIA_SERVICE', 'kms:ViaService names the AWS service making the call, not who the caller is');
  }
  if (!context.restrictingKeys.has(lowerKey)) {
    return gap(
      'KEY_NOT_RESTRICTING',
      "the key does not identify the caller's account, organization, identity or network",
    );
  }
  const operatorClass = classifyOperator(operator);
  if (operatorClass !== 'positive') return gap(operatorClass, OPERATOR_WHY[operatorClass]);
  if (entry.values.length === 0) return gap('NO_VALUE', 'the entry lists no value');
  const isSourceIp = lowerKey === 'aws:sourceip';
  for (const value of entry.values) {
    const found = valueGap(value, isSourceIp, context.policyVariables);
    if (found !== undefined) return gap(found.code, found.why);
  }
  return undefined;
}
