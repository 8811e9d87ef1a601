/**
 * Decides, for each blocked action, how much of the KMS key space a policy grants it on (ALL / PARTIAL /
 * NONE), with evidence. Semantics: see docs/semantics.md ("KMS.1 and KMS.2").
 */
import { actionMatches } from './actions.js';
import type { CoverageAnswer, CoverageQuery, ResourceSpec } from './coverage.js';
import { decideCoverage, TooComplexError } from './coverage.js';
import type { CompiledPattern } from './glob.js';
import { compiledPattern } from './glob.js';
import type { KeySpace } from './keyspace.js';
import { isValidPartition, keySpaceOf } from './keyspace.js';
import type { ParsedStatement } from './parse.js';
import { parsePolicyDocument } from './parse.js';
import type { ActionCoverage, AnalyzeOptions, PolicyAnalysis, StatementRef } from './types.js';

function appliesTo(statement: ParsedStatement, action: string): boolean {
  if (statement.actions) return statement.actions.some((pattern) => actionMatches(pattern, action));
  return !statement.notActions!.some((pattern) => actionMatches(pattern, action));
}

function refOf(statement: ParsedStatement): StatementRef {
  return statement.sid !== undefined && statement.sid !== ''
    ? { index: statement.index, sid: statement.sid }
    : { index: statement.index };
}

// Memo tables: pure functions of their keys, bounded so a long-running service does not grow.
const MEMO_LIMIT = 20_000;
const meetsKeySpaceMemo = new Map<string, boolean>();
const coverageMemo = new Map<string, CoverageAnswer>();

function remember<V>(memo: Map<string, V>, key: string, value: V): V {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
  return value;
}

function coverageOf(space: KeySpace, query: CoverageQuery, memoKey: string): CoverageAnswer {
  const known = coverageMemo.get(memoKey);
  if (known !== undefined) return known;
  return remember(coverageMemo, memoKey, decideCoverage(space, query));
}

function specKey(spec: ResourceSpec): string {
  return (spec.negated ? '!' : '+') + spec.patterns.map((p) => p.source).join('\u0001');
}

/** Does the pattern match at least one key of the key space? (Exact; memoised per pattern.) */
function patternMeetsKeySpace(space: KeySpace, pattern: CompiledPattern, variables: boolean): boolean {
  const key = `${space.partition}\u0000${variables ? 'v' : 'l'}\u0000${pattern.source}`;
  const known = meetsKeySpaceMemo.get(key);
  if (known !== undefined) return known;
  const answer = decideCoverage(space, { allow: [{ negated: false, patterns: [pattern] }], deny: [] });
  return remember(meetsKeySpaceMemo, key, answer.coverage !== 'NONE');
}

interface PreparedStatement {
  statement: ParsedStatement;
  /** The statement's resource set, with patterns that meet no key dropped (they cannot change it). */
  spec: ResourceSpec;
  /** Whether the set holds at least one key. */
  meetsKeySpace: boolean;
}

function prepareStatement(
  space: KeySpace,
  statement: ParsedStatement,
  variables: boolean,
  mode: string,
): PreparedStatement {
  const negated = statement.notResources !== undefined;
  const sources = [...new Set(statement.resources ?? statement.notResources ?? [])];
  const patterns = sources
    .map((source) => compiledPattern(source, variables))
    .filter((pattern) => patternMeetsKeySpace(space, pattern, variables));
  const spec: ResourceSpec = { negated, patterns };
  let meetsKeySpace: boolean;
  if (!negated) meetsKeySpace = patterns.length > 0;
  else if (patterns.length === 0) meetsKeySpace = true;
  else {
    const query: CoverageQuery = { allow: [spec], deny: [] };
    meetsKeySpace = coverageOf(space, query, `${mode}A${specKey(spec)}`).coverage !== 'NONE';
  }
  return { statement, spec, meetsKeySpace };
}

function analyzeAction(
  space: KeySpace,
  prepared: PreparedStatement[],
  action: string,
  mode: string,
): ActionCoverage {
  const grantedBy: StatementRef[] = [];
  const deniedBy: StatementRef[] = [];
  const conditionalDenies: StatementRef[] = [];
  const allow = new Map<string, ResourceSpec>();
  const deny = new Map<string, ResourceSpec>();
  for (const item of prepared) {
    const { statement } = item;
    if (!item.meetsKeySpace || !appliesTo(statement, action)) continue;
    if (statement.effect === 'Allow') {
      // Conditions are ignored for Allow, as the control does: the statement may grant.
      grantedBy.push(refOf(statement));
      allow.set(specKey(item.spec), item.spec);
    } else if (statement.hasCondition) {
      // A conditional Deny may not apply, so it subtracts nothing (the conservative reading).
      conditionalDenies.push(refOf(statement));
    } else {
      deniedBy.push(refOf(statement));
      deny.set(specKey(item.spec), item.spec);
    }
  }
  const result: ActionCoverage = { action, coverage: 'NONE', grantedBy, deniedBy, conditionalDenies };
  if (allow.size === 0) {
    result.keyNotGranted = space.sampleKey;
    return result;
  }
  const allowKeys = [...allow.keys()].sort();
  const denyKeys = [...deny.keys()].sort();
  const query: CoverageQuery = {
    allow: allowKeys.map((key) => allow.get(key)!),
    deny: denyKeys.map((key) => deny.get(key)!),
  };
  const answer = coverageOf(space, query, `${mode}A${allowKeys.join('\u0002')}D${denyKeys.join('\u0002')}`);
  result.coverage = answer.coverage;
  if (answer.keyGranted !== undefined) result.keyGranted = answer.keyGranted;
  if (answer.keyNotGranted !== undefined) result.keyNotGranted = answer.keyNotGranted;
  return result;
}

/**
 * Analyses a policy document (object, JSON text or URL-encoded JSON text) for the given blocked actions.
 * Never throws: an invalid or undecidable document is NOT_AVAILABLE with a typed reason.
 */
export function analyzePolicy(
  document: unknown,
  blockedActions: readonly string[],
  options: AnalyzeOptions = {},
): PolicyAnalysis {
  const partition = options.partition ?? 'aws';
  if (!isValidPartition(partition)) {
    return {
      ok: false,
      verdict: 'NOT_AVAILABLE',
      error: { code: 'INVALID_DOCUMENT', message: `invalid partition ${JSON.stringify(partition)}` },
    };
  }
  const parsed = parsePolicyDocument(document);
  if (!parsed.ok) return { ok: false, verdict: 'NOT_AVAILABLE', error: parsed.error };
  const { policy } = parsed;
  // Policy variables exist only in Version 2012-10-17; in older documents `${...}` is literal text.
  const variables = policy.version === '2012-10-17';
  const mode = `${partition}\u0000${variables ? 'v' : 'l'}\u0000`;
  try {
    const space = keySpaceOf(partition);
    const prepared = policy.statements.map((statement) =>
      prepareStatement(space, statement, variables, mode),
    );
    const actions = blockedActions.map((action) => analyzeAction(space, prepared, action, mode));
    return {
      ok: true,
      verdict: actions.some((a) => a.coverage === 'ALL') ? 'FAILED' : 'PASSED',
      version: policy.version,
      statementCount: policy.statements.length,
      actions,
    };
  } catch (error) {
    if (error instanceof TooComplexError) {
      return { ok: false, verdict: 'NOT_AVAILABLE', error: { code: 'TOO_COMPLEX', message: error.message } };
    }
    throw error;
  }
}
