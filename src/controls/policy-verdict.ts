/**
 * Turns the policy engine's analysis of one document into what KMS.1 and KMS.2 report: a reason code, a
 * sentence that names the statements and witness keys, and JSON evidence.
 */
import type {
  ActionCoverage,
  PolicyAmbiguity,
  PolicyAnalysis,
  PolicyError,
  StatementRef,
} from '../policy/index.js';
import { describeDuplicates, statementLabel } from '../policy/index.js';

export const REASON_ALLOWED_ON_ALL_KEYS = 'KMS_ACTIONS_ALLOWED_ON_ALL_KEYS';
export const REASON_NOT_ON_ALL_KEYS = 'NO_BLOCKED_ACTION_ON_ALL_KEYS';
export const REASON_POLICY_INVALID = 'POLICY_INVALID';
export const REASON_POLICY_TOO_COMPLEX = 'POLICY_TOO_COMPLEX';
export const REASON_POLICY_AMBIGUOUS = 'POLICY_AMBIGUOUS';

/** JSON evidence of one analysed document. */
export type PolicyEvidence =
  | {
      verdict: 'PASSED' | 'FAILED';
      documentVersion: string;
      statementCount: number;
      /** Blocked actions granted on every key (empty when PASSED). */
      actionsAllowedOnAllKeys: string[];
      /** Per blocked action: coverage, granting/denying statements, witness keys. */
      actions: ActionCoverage[];
      /** Present when the document has duplicated members: the verdict is the worst of its readings. */
      ambiguity?: PolicyAmbiguity;
    }
  | { verdict: 'NOT_AVAILABLE'; error: PolicyError };

export function policyEvidence(analysis: PolicyAnalysis): PolicyEvidence {
  if (!analysis.ok) return { verdict: 'NOT_AVAILABLE', error: analysis.error };
  return {
    verdict: analysis.verdict,
    documentVersion: analysis.version,
    statementCount: analysis.statementCount,
    actionsAllowedOnAllKeys: analysis.actions.filter((a) => a.coverage === 'ALL').map((a) => a.action),
    actions: analysis.actions,
    ...(analysis.ambiguity ? { ambiguity: analysis.ambiguity } : {}),
  };
}

/**
 * A sentence for a verdict taken over the readings of duplicated members (empty without any), e.g.
 * " The document names Statement[0].Resource twice or more; of its 2 readings, the worst is reported."
 */
export function ambiguitySentence(analysis: PolicyAnalysis, subject = 'The document'): string {
  if (!analysis.ok || analysis.ambiguity === undefined) return '';
  const { duplicatedMembers, readings, evaluated } = analysis.ambiguity;
  const members = describeDuplicates(duplicatedMembers);
  return analysis.verdict === 'FAILED'
    ? ` ${subject} has duplicate keys (${members}): at least one of its readings fails, which is reported (${evaluated} of ${Number.isFinite(readings) ? readings : 'too many'} readings evaluated).`
    : ` ${subject} has duplicate keys (${members}): all ${readings} readings pass.`;
}

/**
 * An invalid document is NOT_AVAILABLE. One the engine could not decide within its budget (possible
 * only beyond IAM's size limits) is WARNING, reported with the control's severity: a grant hidden in a
 * document too complex to analyse must never pass as INFORMATIONAL.
 */
export function errorStatus(error: PolicyError): 'WARNING' | 'NOT_AVAILABLE' {
  return error.code === 'TOO_COMPLEX' ? 'WARNING' : 'NOT_AVAILABLE';
}

export function errorReasonCode(error: PolicyError): string {
  if (error.code === 'TOO_COMPLEX') return REASON_POLICY_TOO_COMPLEX;
  return error.code === 'AMBIGUOUS' ? REASON_POLICY_AMBIGUOUS : REASON_POLICY_INVALID;
}

/** `'AllowAll' (#0)` or `#3` (statements are numbered from 0, as in the engine). */
export { statementLabel };

function joinWords(items: readonly string[], conjunction: string): string {
  // Stryker disable next-line StringLiteral: the separator of a join over at most one item never appears.
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}

/** e.g. "statement 'AllowAll' (#0) allows kms:Decrypt and kms:ReEncryptFrom on every KMS key". */
function grantClause(refs: readonly StatementRef[], actions: readonly string[]): string {
  const labels = refs.map(statementLabel);
  const subject =
    labels.length === 1
      ? `statement ${labels[0]} allows`
      : `statements ${joinWords(labels, 'and')} together allow`;
  return `${subject} ${joinWords(actions, 'and')} on every KMS key`;
}

/** Lower-case clause explaining a FAILED analysis, e.g. for "In inline policy 'x', <clause>". */
export function failedClause(actions: readonly ActionCoverage[]): string {
  const failing = actions.filter((a) => a.coverage === 'ALL');
  // Group actions granted by the same statements so the sentence stays short.
  const groups = new Map<string, { refs: StatementRef[]; actions: string[] }>();
  for (const coverage of failing) {
    const key = coverage.grantedBy.map((ref) => ref.index).join(',');
    const group = groups.get(key) ?? { refs: coverage.grantedBy, actions: [] };
    group.actions.push(coverage.action);
    groups.set(key, group);
  }
  const clauses = [...groups.values()].map((group) => grantClause(group.refs, group.actions));
  const conditional = new Map<number, StatementRef>();
  for (const coverage of failing)
    for (const ref of coverage.conditionalDenies) conditional.set(ref.index, ref);
  let text = clauses.join('; ');
  if (conditional.size > 0) {
    const labels = [...conditional.values()].map(statementLabel);
    text +=
      ` (the Deny in statement${labels.length === 1 ? '' : 's'} ${joinWords(labels, 'and')} has a Condition, ` +
      'so it is not counted)';
  }
  return text;
}

/** Lower-case clause explaining a PASSED analysis with its witness key. */
export function passedClause(actions: readonly ActionCoverage[]): string {
  const partial = actions.filter((a) => a.coverage === 'PARTIAL');
  const none = actions.filter((a) => a.coverage === 'NONE').map((a) => a.action);
  if (partial.length === 0) {
    if (none.length === 1) return `${none[0]} is not granted on any KMS key`;
    if (none.length === 2) return `neither ${none[0]} nor ${none[1]} is granted on any KMS key`;
    return `none of ${joinWords(none, 'and')} is granted on any KMS key`;
  }
  const names = partial.map((a) => a.action);
  // Each action has its own witness: with several, say whose witness is shown.
  const withWitness = partial.find((a) => a.keyNotGranted !== undefined);
  const example =
    withWitness === undefined
      ? ''
      : names.length === 1
        ? `, e.g. not on ${withWitness.keyNotGranted}`
        : ` (${withWitness.action} e.g. not on ${withWitness.keyNotGranted})`;
  let text =
    `${joinWords(names, 'and')} ${names.length === 1 ? 'is' : 'are'} granted only on part of the KMS key space` +
    example;
  if (none.length > 0)
    text += `, and ${joinWords(none, 'and')} ${none.length === 1 ? 'is' : 'are'} not granted at all`;
  return text;
}

export function errorClause(error: PolicyError): string {
  const where = error.statement === undefined ? '' : ` (statement #${error.statement})`;
  return `${error.message}${where}`;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
