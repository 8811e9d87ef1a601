/**
 * Decides, for each blocked action, how much of the KMS key space a policy grants it on (ALL / PARTIAL /
 * NONE), with evidence. Semantics: see docs/semantics.md ("KMS.1 and KMS.2").
 */
import { actionMatches } from './actions.js';
import type { CoverageAnswer, CoverageQuery, ResourceSpec } from './coverage.js';
import { decideCoverage, keyMatching, TooComplexError } from './coverage.js';
import type { CompiledPattern } from './glob.js';
import { compiledPattern, LIT } from './glob.js';
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
const MEMO_LIMIT = 5_000;
const coverageMemo = new Map<string, CoverageAnswer>();

function remember<V>(memo: Map<string, V>, key: string, value: V): V {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: when the memo is emptied changes only time and memory (its entries are recomputed alike).
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
  return value;
}

function coverageOf(space: KeySpace, query: CoverageQuery, memoKey: string): CoverageAnswer {
  return coverageMemo.get(memoKey) ?? remember(coverageMemo, memoKey, decideCoverage(space, query));
}

function specKey(spec: ResourceSpec): string {
  const sources = spec.patterns.map((p) => p.source).join('\u0001');
  return spec.negated ? `!${sources}` : `+${sources}`;
}

/** A key the pattern matches, or null when it matches none. (Exact; remembered on the pattern.) */
function keyMatchingPattern(space: KeySpace, pattern: CompiledPattern): string | null {
  const known = pattern.keyMatching.get(space.partition);
  if (known !== undefined) return known;
  const answer = missesKeySpaceQuickly(space, pattern) ? null : (keyMatching(space, pattern) ?? null);
  pattern.keyMatching.set(space.partition, answer);
  return answer;
}

/**
 * An exact answer that needs no search: a pattern whose leading literal characters leave the key space
 * (`arn:aws:s3:::...`), or that is all literal and not a whole key, meets no key. False means "search".
 */
// The mutants marked in this function only make it answer "search" where it could have answered "no
// key": the exact search then finds no key either (time only).
// Stryker disable next-line BlockStatement: see above.
function missesKeySpaceQuickly(space: KeySpace, pattern: CompiledPattern): boolean {
  let state = 0;
  // Stryker disable next-line UpdateOperator: see above (i-- reads kinds[-1], not LIT).
  for (let i = 0; i < pattern.kinds.length; i++) {
    if (pattern.kinds[i] !== LIT) return false;
    const code = pattern.chars[i]!;
    // Stryker disable next-line UnaryOperator: a non-ASCII character matches no key either way (see above).
    state = code < 128 ? space.transitions[state * 128 + code]! : -1;
    // Stryker disable next-line BooleanLiteral: see above.
    if (state < 0) return true;
  }
  return space.accepting[state] !== 1;
}

interface PreparedStatement {
  statement: ParsedStatement;
  /** The statement's resource set, with patterns that meet no key dropped (they cannot change it). */
  spec: ResourceSpec;
  /** Whether the set holds at least one key. */
  meetsKeySpace: boolean;
  /** The set's identity for memo keys (its patterns' text). */
  specKey: string;
  /** Keys in the set, one per pattern, when it is a union of patterns (found while checking that the
   * patterns meet the key space). */
  examples: string[];
}

function prepareStatement(
  space: KeySpace,
  statement: ParsedStatement,
  variables: boolean,
  mode: string,
): PreparedStatement {
  const negated = statement.notResources !== undefined;
  // Parsed with Resource required: exactly one of the two is set.
  const sources = [...new Set(statement.resources ?? statement.notResources!)];
  const patterns = sources
    .map((source) => compiledPattern(source, variables))
    .filter((pattern) => keyMatchingPattern(space, pattern) !== null);
  const spec: ResourceSpec = { negated, patterns };
  let meetsKeySpace: boolean;
  if (!negated) meetsKeySpace = patterns.length > 0;
  else {
    const query: CoverageQuery = { allow: [spec], deny: [] };
    // 'N', not 'A': a key of its own, which no action's query key (`A<allow>D<deny>`) can equal.
    meetsKeySpace = coverageOf(space, query, `${mode}N${specKey(spec)}`).coverage !== 'NONE';
  }
  const examples = negated ? [] : patterns.map((p) => keyMatchingPattern(space, p)!);
  return { statement, spec, meetsKeySpace, specKey: specKey(spec), examples };
}

function analyzeAction(
  space: KeySpace,
  statements: ParsedStatement[],
  prepare: (statement: ParsedStatement) => PreparedStatement,
  action: string,
  mode: string,
): ActionCoverage {
  const grantedBy: StatementRef[] = [];
  const deniedBy: StatementRef[] = [];
  const conditionalDenies: StatementRef[] = [];
  const allow = new Map<string, PreparedStatement>();
  const deny = new Map<string, ResourceSpec>();
  for (const statement of statements) {
    if (!appliesTo(statement, action)) continue;
    const item = prepare(statement);
    if (!item.meetsKeySpace) continue;
    if (statement.effect === 'Allow') {
      // Conditions are ignored for Allow, as the control does: the statement may grant.
      grantedBy.push(refOf(statement));
      allow.set(item.specKey, item);
    } else if (statement.hasCondition) {
      // A conditional Deny may not apply, so it subtracts nothing (the conservative reading).
      conditionalDenies.push(refOf(statement));
    } else {
      deniedBy.push(refOf(statement));
      deny.set(item.specKey, item.spec);
    }
  }
  const result: ActionCoverage = { action, coverage: 'NONE', grantedBy, deniedBy, conditionalDenies };
  // Stryker disable next-line BlockStatement: without the shortcut the search over no Allow gives the same answer, the sample key (time only).
  if (allow.size === 0) {
    result.keyNotGranted = space.sampleKey;
    return result;
  }
  // In the order of their keys, not of the statements: the answer is remembered under these keys, so it
  // must not depend on anything else (the example keys included), or it would depend on which policy
  // with the same resource sets was analysed first.
  const allowKeys = [...allow.keys()].sort();
  const denyKeys = [...deny.keys()].sort();
  const allowed = allowKeys.map((key) => allow.get(key)!);
  const examples = allowed.flatMap((item) => item.examples);
  const query: CoverageQuery = {
    allow: allowed.map((item) => item.spec),
    deny: denyKeys.map((key) => deny.get(key)!),
    // Without a Deny, a key an Allow statement matches is granted: the search then only has to find a
    // key that is not (or prove there is none). With one, such keys are candidates, checked first.
    // (Without an example, knownGranted is undefined: the search finds a granted key.)
    ...(deny.size === 0 ? { knownGranted: examples[0] } : { grantedCandidates: examples }),
  };
  // A resource-set key starts with '+' or '!', which no pattern that meets the key space contains (a literal
  // '+' or '!' matches no key character). The Allow separator is needed: without it, Allow k-then-D and m*
  // would read like Allow k and Deny m*-then-D. The Deny list would read back the same without one.
  const allowPart = allowKeys.join('\u0002');
  // Stryker disable next-line StringLiteral: see above.
  const denyPart = denyKeys.join('\u0002');
  const answer = coverageOf(space, query, `${mode}A${allowPart}D${denyPart}`);
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
  // No KMS key ARN tells the two readings apart: a pattern with `${` matches no key in either (key ARNs
  // have no `$`, `{`, `}`, `*` or `?`), and one without it reads the same in both. The reading is kept
  // apart in the memo keys all the same, in case that ever changes.
  // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: see above.
  const variables = policy.version === '2012-10-17';
  const mode = variables ? `${partition}\u0000v\u0000` : `${partition}\u0000l\u0000`;
  try {
    const space = keySpaceOf(partition);
    // Resources are prepared only for statements that apply to some blocked action: most do not.
    // Stryker disable next-line ArrayDeclaration: an array without a length grows to the same entries (memory only).
    const prepared: (PreparedStatement | undefined)[] = new Array(policy.statements.length);
    const prepare = (statement: ParsedStatement): PreparedStatement =>
      (prepared[statement.index] ??= prepareStatement(space, statement, variables, mode));
    const actions = blockedActions.map((action) =>
      analyzeAction(space, policy.statements, prepare, action, mode),
    );
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
