/** Human explanations of a policy analysis: the verdict, then each blocked action with its evidence. */
import type { ActionCoverage, PolicyAnalysis, StatementRef } from './types.js';

/** `'Sid' (#0)` or `#0`: how reports name a statement. */
export function statementLabel(ref: StatementRef): string {
  return ref.sid === undefined ? `#${ref.index}` : `'${ref.sid}' (#${ref.index})`;
}

export function describeStatement(ref: StatementRef): string {
  return `statement ${statementLabel(ref)}`;
}

function describeStatements(refs: StatementRef[]): string {
  return refs.map(describeStatement).join(', ');
}

/** One sentence about one action, e.g. why kms:Decrypt is allowed on every key. */
export function explainAction(result: ActionCoverage): string {
  const granted = describeStatements(result.grantedBy);
  switch (result.coverage) {
    case 'ALL': {
      const ignored =
        result.conditionalDenies.length > 0
          ? ` (conditional Deny in ${describeStatements(result.conditionalDenies)} may not apply, so it is not counted)`
          : '';
      return `${result.action} is allowed on every KMS key by ${granted}${ignored}.`;
    }
    case 'PARTIAL': {
      const denied =
        result.deniedBy.length > 0 ? `, less what ${describeStatements(result.deniedBy)} denies` : '';
      return (
        `${result.action} is allowed on part of the KMS key space only (by ${granted}${denied}): ` +
        `e.g. on ${result.keyGranted} but not on ${result.keyNotGranted}.`
      );
    }
    case 'NONE':
      return result.grantedBy.length === 0
        ? `${result.action} is not allowed on any KMS key.`
        : `${result.action} is allowed by ${granted} but denied on every key by ${describeStatements(result.deniedBy)}.`;
  }
}

/** A multi-line report for people: the verdict first, then one line per blocked action. */
export function explainAnalysis(analysis: PolicyAnalysis): string {
  if (!analysis.ok) {
    const where = analysis.error.statement !== undefined ? ` (statement #${analysis.error.statement})` : '';
    return `NOT_AVAILABLE: the policy could not be evaluated: ${analysis.error.message}${where} [${analysis.error.code}]`;
  }
  const failing = analysis.actions.filter((a) => a.coverage === 'ALL').map((a) => a.action);
  const headline =
    analysis.verdict === 'FAILED'
      ? `FAILED: the policy allows ${failing.join(' and ')} on all KMS keys.`
      : 'PASSED: no blocked action is allowed on all KMS keys.';
  const lines = [headline, ...analysis.actions.map((a) => `  - ${a.coverage.padEnd(7)} ${explainAction(a)}`)];
  if (analysis.ambiguity !== undefined) {
    const { duplicatedMembers, readings, evaluated } = analysis.ambiguity;
    lines.push(
      `  duplicate keys (${duplicatedMembers.join(', ')}): ${evaluated} of ${readings} readings evaluated, the worst verdict reported.`,
    );
  }
  return lines.join('\n');
}
