/**
 * IAM resource patterns as token sequences, the states of a small NFA.
 *
 * A pattern compiles to tokens; `*` that is the last character of an ARN segment (followed by `:` or the
 * end) matches any run of characters, across `:` (token ANY); any other `*` matches a run without `:`
 * (SEG); `?` matches one character other than `:` (ONE). Policy variables (document Version 2012-10-17):
 * `${*}`, `${?}`, `${$}` are the literal characters, any other `${...}` is a per-request value that no key
 * ARN can be relied on to equal (NEVER). Position i of the NFA is "before token i"; position n accepts.
 * No DFA is built: subset construction is exponential on patterns like `*a??????????????????`, so the
 * coverage search (coverage.ts) works on sets of NFA positions and keeps only the useful ones.
 */

export const LIT = 0;
export const SEG = 1;
export const ANY = 2;
export const ONE = 3;
export const NEVER = 4;

const COLON = 58;

export interface CompiledPattern {
  readonly source: string;
  readonly kinds: Uint8Array;
  /** The character of a LIT token (may be non-ASCII: then it never matches a key ARN). */
  readonly chars: Uint16Array;
  /** tailAny[p]: tokens p..end are a single ANY, so position p accepts every continuation. */
  readonly tailAny: Uint8Array;
  /** Memo: a key of a partition's key space that the pattern matches (null: none). */
  readonly keyMatching: Map<string, string | null>;
}

interface RawToken {
  kind: number;
  char: number;
}

function tokenize(source: string, variables: boolean): RawToken[] {
  const raw: RawToken[] = [];
  // Stryker disable next-line UnaryOperator: any kind other than LIT, ONE and NEVER would do (+1 is SEG, which raw tokens never are).
  const STAR = -1;
  for (let i = 0; i < source.length; i++) {
    const char = source.charCodeAt(i);
    if (variables && char === 36 /* $ */ && source.charCodeAt(i + 1) === 123 /* { */) {
      const close = source.indexOf('}', i + 2);
      if (close !== -1) {
        const inner = source.slice(i + 2, close);
        if (inner === '*' || inner === '?' || inner === '$')
          raw.push({ kind: LIT, char: inner.charCodeAt(0) });
        else raw.push({ kind: NEVER, char: 0 });
        i = close;
        continue;
      }
    }
    if (char === 42 /* * */) raw.push({ kind: STAR, char: 0 });
    else if (char === 63 /* ? */) raw.push({ kind: ONE, char: 0 });
    else raw.push({ kind: LIT, char });
  }
  // A run of stars behaves as its last star: `.*` if the run ends a segment, else `[^:]*`.
  const tokens: RawToken[] = [];
  for (let i = 0; i < raw.length; i++) {
    const token = raw[i]!;
    if (token.kind !== STAR) {
      tokens.push(token);
      continue;
    }
    let end = i;
    while (end + 1 < raw.length && raw[end + 1]!.kind === STAR) end++;
    const next = raw[end + 1];
    // Only a LIT token carries a character (the others have 0), so this is a literal ':'.
    const endsSegment = next === undefined || next.char === COLON;
    tokens.push({ kind: endsSegment ? ANY : SEG, char: 0 });
    i = end;
  }
  return tokens;
}

export function compilePattern(source: string, variables: boolean): CompiledPattern {
  const tokens = tokenize(source, variables);
  const n = tokens.length;
  const kinds = new Uint8Array(n);
  const chars = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    kinds[i] = tokens[i]!.kind;
    chars[i] = tokens[i]!.char;
  }
  const tailAny = new Uint8Array(n + 1);
  // (With no token, kinds[-1] is undefined.)
  if (kinds[n - 1] === ANY) tailAny[n - 1] = 1;
  return { source, kinds, chars, tailAny, keyMatching: new Map() };
}

const CACHE_GENERATION = 5_000;
let youngCache = new Map<string, CompiledPattern>();
let oldCache = new Map<string, CompiledPattern>();

/**
 * Compiled patterns are pure functions of their text, so they are shared across evaluations. Two
 * generations approximate an LRU cheaply: hits in the old one move to the young one, and when the young
 * one is full it becomes the old one (dropping what was not used since).
 */
export function compiledPattern(source: string, variables: boolean): CompiledPattern {
  const key = (variables ? 'v' : 'l') + source;
  const young = youngCache.get(key);
  if (young !== undefined) return young;
  const pattern = oldCache.get(key) ?? compilePattern(source, variables);
  // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: when entries move between generations changes only time and memory (a compiled pattern is a pure function of its key).
  if (youngCache.size >= CACHE_GENERATION) {
    oldCache = youngCache;
    youngCache = new Map();
  }
  youngCache.set(key, pattern);
  return pattern;
}
