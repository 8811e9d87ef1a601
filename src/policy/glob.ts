/**
 * IAM resource patterns as automata.
 *
 * A pattern compiles to tokens; `*` that is the last character of an ARN segment (followed by `:` or the
 * end) matches any run of characters, across `:` (token ANY); any other `*` matches a run without `:`
 * (SEG); `?` matches one character other than `:` (ONE). Policy variables (document Version 2012-10-17):
 * `${*}`, `${?}`, `${$}` are the literal characters, any other `${...}` is a per-request value that no key
 * ARN can be relied on to equal (NEVER). The pattern's DFA is built lazily by subset construction over a
 * small local alphabet (its own literal characters, `:`, and "any other character").
 */

export const LIT = 0;
export const SEG = 1;
export const ANY = 2;
export const ONE = 3;
export const NEVER = 4;

const COLON = 58;
/** Local class ids: 0 = a character that is neither `:` nor a literal of the pattern, 1 = `:`, 2.. = literals. */
const CLASS_OTHER = 0;
const CLASS_COLON = 1;

export interface PatternDfa {
  /** Epsilon-closed NFA position sets, one per DFA state. */
  readonly subsets: number[][];
  /** transitions[state * classCount + class]: next state, or -1 when not computed yet (grown by doubling). */
  transitions: Int32Array;
  readonly accepting: boolean[];
  /** No continuation can reach acceptance. */
  readonly dead: boolean[];
  /** Every continuation is accepted. */
  readonly universal: boolean[];
  /** ASCII codes of the literal tokens at the state's positions: the only characters it tells apart. */
  readonly literalCodes: number[][];
  readonly index: Map<string, number>;
}

export interface CompiledPattern {
  readonly source: string;
  readonly kinds: Uint8Array;
  readonly chars: Uint16Array;
  /** ASCII code -> local class id. Non-ASCII characters never occur in a key ARN. */
  readonly classOf: Uint8Array;
  readonly classCount: number;
  /** A literal token's local class (for LIT tokens), else -1. */
  readonly tokenClass: Int16Array;
  /** tailAny[p]: tokens p..end are a single ANY, so position p accepts every continuation. */
  readonly tailAny: Uint8Array;
  readonly dfa: PatternDfa;
  /** Reusable work space for the subset construction. */
  readonly scratch: { seen: Int32Array; stamp: number };
  /** Memo: a key of a partition's key space that the pattern matches (null: none). */
  readonly keyMatching: Map<string, string | null>;
}

interface RawToken {
  kind: number;
  char: number;
}

function tokenize(source: string, variables: boolean): RawToken[] {
  const raw: RawToken[] = [];
  const STAR = -1;
  for (let i = 0; i < source.length; i++) {
    const char = source.charCodeAt(i);
    if (variables && char === 36 /* $ */ && source.charCodeAt(i + 1) === 123 /* { */) {
      const close = source.indexOf('}', i + 2);
      if (close > 0) {
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
    const endsSegment = next === undefined || (next.kind === LIT && next.char === COLON);
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
  const tokenClass = new Int16Array(n).fill(-1);
  const classOf = new Uint8Array(128);
  classOf[COLON] = CLASS_COLON;
  let classCount = 2;
  for (let i = 0; i < n; i++) {
    const token = tokens[i]!;
    kinds[i] = token.kind;
    chars[i] = token.char;
    if (token.kind !== LIT) continue;
    if (token.char === COLON) tokenClass[i] = CLASS_COLON;
    else if (token.char < 128) {
      if (classOf[token.char] === CLASS_OTHER) classOf[token.char] = classCount++;
      tokenClass[i] = classOf[token.char]!;
    } else {
      tokenClass[i] = 255; // never equal to an ASCII class: the token can never match a key ARN
    }
  }
  const tailAny = new Uint8Array(n + 1);
  if (n > 0 && kinds[n - 1] === ANY) tailAny[n - 1] = 1;
  const pattern: CompiledPattern = {
    source,
    kinds,
    chars,
    classOf,
    classCount,
    tokenClass,
    tailAny,
    dfa: {
      subsets: [],
      transitions: new Int32Array(0),
      accepting: [],
      dead: [],
      universal: [],
      literalCodes: [],
      index: new Map(),
    },
    scratch: { seen: new Int32Array(n + 1), stamp: 0 },
    keyMatching: new Map(),
  };
  internState(pattern, closure(pattern, [0]));
  return pattern;
}

/** Adds the positions reachable by letting stars match the empty string. */
function closure(pattern: CompiledPattern, positions: number[]): number[] {
  const n = pattern.kinds.length;
  // A generation stamp instead of a fresh "seen" array per call: this runs on every new DFA edge.
  const stamp = ++pattern.scratch.stamp;
  const seen = pattern.scratch.seen;
  const out: number[] = [];
  for (let position of positions) {
    while (seen[position] !== stamp) {
      seen[position] = stamp;
      // A position at a NEVER token can never advance: drop it so that deadness is visible.
      if (position === n || pattern.kinds[position] !== NEVER) out.push(position);
      const kind = pattern.kinds[position];
      if (position < n && (kind === SEG || kind === ANY)) position++;
      else break;
    }
  }
  if (out.length > 1) out.sort((a, b) => a - b);
  return out;
}

function internState(pattern: CompiledPattern, subset: number[]): number {
  const { dfa } = pattern;
  const key = subset.join(',');
  const known = dfa.index.get(key);
  if (known !== undefined) return known;
  const id = dfa.subsets.length;
  const n = pattern.kinds.length;
  dfa.index.set(key, id);
  dfa.subsets.push(subset);
  const needed = (id + 1) * pattern.classCount;
  if (needed > dfa.transitions.length) {
    const grown = new Int32Array(Math.max(needed, dfa.transitions.length * 2)).fill(-1);
    grown.set(dfa.transitions);
    dfa.transitions = grown;
  }
  dfa.accepting.push(subset.includes(n));
  dfa.dead.push(subset.length === 0);
  dfa.universal.push(subset.some((position) => pattern.tailAny[position] === 1));
  const literals: number[] = [];
  for (const position of subset) {
    if (position < n && pattern.kinds[position] === LIT && pattern.chars[position]! < 128) {
      const code = pattern.chars[position]!;
      if (!literals.includes(code)) literals.push(code);
    }
  }
  dfa.literalCodes.push(literals);
  return id;
}

function deadState(pattern: CompiledPattern): number {
  return pattern.dfa.index.get('') ?? internState(pattern, []);
}

/** The DFA's next state on a character of local class `cls`. */
export function stepPattern(pattern: CompiledPattern, state: number, cls: number): number {
  const slot = state * pattern.classCount + cls;
  const cached = pattern.dfa.transitions[slot]!;
  if (cached >= 0) return cached;
  const n = pattern.kinds.length;
  constructionWork.units += pattern.dfa.subsets[state]!.length + 1;
  const next: number[] = [];
  for (const position of pattern.dfa.subsets[state]!) {
    if (position === n) continue;
    const kind = pattern.kinds[position];
    if (kind === LIT) {
      if (pattern.tokenClass[position] === cls && cls !== CLASS_OTHER) next.push(position + 1);
    } else if (kind === ONE) {
      if (cls !== CLASS_COLON) next.push(position + 1);
    } else if (kind === SEG) {
      if (cls !== CLASS_COLON) next.push(position);
    } else if (kind === ANY) {
      next.push(position);
    }
  }
  // Most edges of a literal-heavy pattern lead nowhere: skip the subset bookkeeping for them.
  const target = next.length === 0 ? deadState(pattern) : internState(pattern, closure(pattern, next));
  pattern.dfa.transitions[slot] = target;
  return target;
}

/** Work spent building DFA states, read by the coverage search to bound hostile inputs. */
export const constructionWork = { units: 0 };

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
  if (youngCache.size >= CACHE_GENERATION) {
    oldCache = youngCache;
    youngCache = new Map();
  }
  youngCache.set(key, pattern);
  return pattern;
}
