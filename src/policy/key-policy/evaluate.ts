/**
 * KMS.5 "KMS keys should not be publicly accessible": decides from a key policy document alone
 * (SEMANTICS.md, KMS.5) whether some statement opens a KMS action to everyone.
 */
import { actionMatches, expandActionPatterns } from '../actions.js';
import { describeStatement } from '../explain.js';
import { parsePolicyDocument } from '../parse.js';
import type { ParsedStatement } from '../parse.js';
import type { PolicyError } from '../types.js';
import type { ConditionEntry, RestrictionContext } from './condition.js';
import { conditionEntries, conditionGap } from './condition.js';
import { statementGrantee } from './principal.js';
import type { ConditionGap, KeyPolicyOptions, KeyPolicyResult, PublicStatement } from './types.js';
import { DEFAULT_RESTRICTING_KEYS } from './types.js';

interface Statement {
  parsed: ParsedStatement;
  /** How it names everyone; undefined when it names specific principals. */
  everyone: string | undefined;
  conditions: ConditionEntry[];
}

function kmsActionsOf(statement: ParsedStatement, kmsActions: readonly string[]): string[] {
  if (statement.actions !== undefined) return expandActionPatterns(statement.actions, kmsActions).actions;
  // Stryker disable next-line ArrayDeclaration: parsePolicyDocument sets exactly one of actions/notActions, so the fallback is never used
  const excluded = statement.notActions ?? [];
  return kmsActions.filter((action) => !excluded.some((pattern) => actionMatches(pattern, action))).sort();
}

function label(statement: ParsedStatement): string {
  return statement.sid !== undefined && statement.sid !== '' ? statement.sid : `#${statement.index}`;
}

function readStatements(
  document: unknown,
): { ok: true; statements: Statement[]; version: string } | { ok: false; error: PolicyError } {
  const parsed = parsePolicyDocument(document);
  if (!parsed.ok) return parsed;
  const statements: Statement[] = [];
  for (const statement of parsed.policy.statements) {
    const grantee = statementGrantee(statement.principal, statement.notPrincipal, statement.index);
    if (!grantee.ok) return grantee;
    const conditions = conditionEntries(statement.condition, statement.index);
    if (!conditions.ok) return conditions;
    statements.push({
      parsed: statement,
      everyone: grantee.everyone,
      conditions: conditions.entries,
    });
  }
  return { ok: true, statements, version: parsed.policy.version };
}

function notAvailable(error: PolicyError): KeyPolicyResult {
  const where = error.statement !== undefined ? ` (statement #${error.statement})` : '';
  return {
    verdict: 'NOT_AVAILABLE',
    publicStatements: [],
    reason: `NOT_AVAILABLE: the key policy could not be parsed: ${error.message}${where} [${error.code}]`,
    error,
  };
}

function describeActions(actions: readonly string[], all: number): string {
  return actions.length === all && all > 1 ? `every KMS action (${all})` : actions.join(', ');
}

function describeConditions(conditions: ConditionGap[] | 'no condition'): string {
  if (conditions === 'no condition') return 'with no condition';
  const parts = conditions.map((gap) => `${gap.operator} ${gap.key}: ${gap.why}`);
  return `and no condition restricts it (${parts.join('; ')})`;
}

export function evaluateKeyPolicyPublicAccess(document: unknown, options: KeyPolicyOptions): KeyPolicyResult {
  const read = readStatements(document);
  if (!read.ok) return notAvailable(read.error);
  const context: RestrictionContext = {
    restrictingKeys: new Set(
      (options.restrictingKeys ?? DEFAULT_RESTRICTING_KEYS).map((key) => key.toLowerCase()),
    ),
    policyVariables: read.version === '2012-10-17',
  };

  // Rule 5: only an unconditional Deny on everyone is sure to apply; a conditional one may not.
  const denied = new Set<string>();
  for (const statement of read.statements) {
    if (statement.parsed.effect !== 'Deny' || statement.parsed.hasCondition) continue;
    if (statement.everyone === undefined) continue;
    for (const action of kmsActionsOf(statement.parsed, options.kmsActions)) denied.add(action);
  }

  const publicStatements: PublicStatement[] = [];
  const refs: ParsedStatement[] = [];
  for (const statement of read.statements) {
    if (statement.parsed.effect !== 'Allow' || statement.everyone === undefined) continue;
    // Expanded only for statements open to everyone: most key policy statements name their principals.
    const actions = kmsActionsOf(statement.parsed, options.kmsActions).filter(
      (action) => !denied.has(action),
    );
    if (actions.length === 0) continue;
    const gaps: ConditionGap[] = [];
    let restricted = false;
    for (const entry of statement.conditions) {
      const gap = conditionGap(entry, context);
      if (gap === undefined) {
        restricted = true;
        break;
      }
      gaps.push(gap);
    }
    if (restricted) continue;
    refs.push(statement.parsed);
    publicStatements.push({
      label: label(statement.parsed),
      index: statement.parsed.index,
      grantee: statement.everyone,
      actions,
      conditions: gaps.length === 0 ? 'no condition' : gaps,
    });
  }

  if (publicStatements.length === 0) {
    return {
      verdict: 'PASSED',
      publicStatements,
      reason: 'PASSED: no statement opens a KMS action to everyone.',
    };
  }
  const lines = publicStatements.map((found, i) => {
    return (
      `${describeStatement(refs[i]!)} opens ${describeActions(found.actions, options.kmsActions.length)} ` +
      `to everyone (${found.grantee}) ${describeConditions(found.conditions)}.`
    );
  });
  const count =
    publicStatements.length === 1 ? '1 statement opens' : `${publicStatements.length} statements open`;
  return {
    verdict: 'FAILED',
    publicStatements,
    reason: [`FAILED: ${count} KMS actions to everyone.`, ...lines.map((line) => `  - ${line}`)].join('\n'),
  };
}
