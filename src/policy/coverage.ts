/**
 * Exact coverage of the KMS key space K by Granted = Allowed minus Denied, where Allowed is the union of
 * the Allow statements' sets and Denied that of the unconditional Deny statements' sets (a set is a union
 * of patterns, or the complement of one for NotResource).
 *
 * Coverage needs at most two searches for a witness key: one not granted (none: ALL) and one granted
 * (none: NONE). A search walks K's DFA together with the set of NFA positions that all the patterns are in
 * (the "macrostate"; no subset construction, which is exponential on patterns like `*a?????????`).
 * Membership in each set is monotone in the positions held, so a macrostate with fewer positions of
 * the sets the witness must avoid and more of those it must meet can finish every key the other can:
 * the search keeps, per key-space state, only an antichain of the best macrostates (De Wulf, Doyen,
 * Henzinger and Raskin, "Antichains: a new algorithm for checking universality of finite automata",
 * CAV 2006) and drops every macrostate that one of them subsumes. A macrostate whose outcome no longer
 * depends on the rest of the key (every set is empty or holds a trailing `*`) is finished the realistic
 * way (the sample key's suffix) or dropped.
 */
import type { CompiledPattern } from './glob.js';
import { ANY, LIT, NEVER, ONE, SEG } from './glob.js';
import type { KeySpace } from './keyspace.js';
import type { Coverage } from './types.js';

/** A statement's resource set: the union of its patterns, or (negated) the complement of that union. */
export interface ResourceSpec {
  negated: boolean;
  patterns: CompiledPattern[];
}

export interface CoverageQuery {
  allow: ResourceSpec[];
  deny: ResourceSpec[];
  /** A key already known to be granted (spares the search for one). */
  knownGranted?: string;
  /** Keys in some Allow set (e.g. one per pattern): the first that no Deny takes away is granted. */
  grantedCandidates?: readonly string[];
}

export interface CoverageAnswer {
  coverage: Coverage;
  keyGranted?: string;
  keyNotGranted?: string;
}

export interface SearchLimits {
  /** Macrostates kept (over both searches) before giving up. */
  maxStates: number;
  /** Work units (NFA positions stepped, positions compared) before giving up. */
  maxWork: number;
}

/**
 * Far above what any document within IAM's size limits needs (the adversarial benchmark's worst case
 * uses well under 1% of it); only hand-made documents beyond those limits can exceed it.
 */
export const DEFAULT_LIMITS: SearchLimits = { maxStates: 200_000, maxWork: 200_000_000 };

export class TooComplexError extends Error {
  constructor(what: string) {
    super(`the policy is too complex to decide exactly within the engine's budget (${what})`);
    this.name = 'TooComplexError';
  }
}

const COLON_CODE = 58;
/** A key ARN has five colons: how many are left ranges over 0..5. */
const COLON_SLOTS = 6;
/** NFA position kind for "after the last token": accepting. */
const END = 5;

// Three-valued truth: holds for every completion of the key, for none, or it depends.
const FALSE = 0;
const TRUE = 1;
const UNKNOWN = 2;

/** Component kinds: which set a group of NFA positions decides membership in. */
const ALLOW = 0; // union of the positive Allow patterns
const NOT_DENY = 1; // one negated Deny spec: a key in it escapes that Deny
const DENY = 2; // union of the positive Deny patterns
const NOT_ALLOW = 3; // one negated Allow spec: a key outside it is allowed

/**
 * All patterns of a query as one NFA. A node is "the rest of a pattern": nodes with the same remaining
 * tokens in the same component are one node, so that `arn:aws:kms:d*:*:key/*F` and
 * `arn:aws:kms:*:*:key/*F` share their tail and the macrostates they lead to coincide. Nodes of ALLOW and
 * NOT_DENY components ("more is better for being granted") are numbered before `split`, DENY and
 * NOT_ALLOW ones after it.
 */
interface Nfa {
  kinds: Uint8Array;
  chars: Uint16Array;
  /** The node after this token (SEG and ANY also loop on themselves). */
  next: Int32Array;
  /** Node -> component index. */
  component: Int32Array;
  universal: Uint8Array;
  /** Literal `:` tokens from the node to the end, and whether an ANY (which may absorb `:`) is among them. */
  colons: Uint8Array;
  anyAhead: Uint8Array;
  componentKind: number[];
  split: number;
  start: number[];
  /** ASCII code -> class: 0 other, 1 `:`, 2.. the literal characters of the patterns. */
  classOf: Uint8Array;
  classCount: number;
}

function buildNfa(query: CoverageQuery): Nfa {
  const groups: { kind: number; patterns: CompiledPattern[] }[] = [];
  const positiveAllow = new Set<CompiledPattern>();
  const positiveDeny = new Set<CompiledPattern>();
  const negatedAllow: CompiledPattern[][] = [];
  const negatedDeny: CompiledPattern[][] = [];
  for (const spec of query.allow) {
    if (spec.negated) negatedAllow.push(spec.patterns);
    else for (const p of spec.patterns) positiveAllow.add(p);
  }
  for (const spec of query.deny) {
    if (spec.negated) negatedDeny.push(spec.patterns);
    else for (const p of spec.patterns) positiveDeny.add(p);
  }
  groups.push({ kind: ALLOW, patterns: [...positiveAllow] });
  for (const patterns of negatedDeny) groups.push({ kind: NOT_DENY, patterns });
  const splitGroup = groups.length;
  groups.push({ kind: DENY, patterns: [...positiveDeny] });
  for (const patterns of negatedAllow) groups.push({ kind: NOT_ALLOW, patterns });

  const kinds: number[] = [];
  const chars: number[] = [];
  const next: number[] = [];
  const component: number[] = [];
  const universal: number[] = [];
  const colons: number[] = [];
  const anyAhead: number[] = [];
  const classOf = new Uint8Array(128);
  classOf[COLON_CODE] = 1;
  let classCount = 2;
  const starts: number[] = [];
  let split = 0;
  groups.forEach((group, index) => {
    if (index === splitGroup) split = kinds.length;
    const nodes = new Map<string, number>();
    const node = (kind: number, char: number, after: number): number => {
      const key = `${kind},${char},${after}`;
      let id = nodes.get(key);
      if (id === undefined) {
        id = kinds.length;
        kinds.push(kind);
        chars.push(char);
        next.push(after);
        component.push(index);
        universal.push(kind === ANY && after >= 0 && kinds[after] === END ? 1 : 0);
        const colon = kind === LIT && char === COLON_CODE ? 1 : 0;
        // Capped: a key ARN has five colons, so more than six can never be matched anyway.
        colons.push(Math.min(7, (after >= 0 ? colons[after]! : 0) + colon));
        anyAhead.push(kind === ANY || (after >= 0 && anyAhead[after] === 1) ? 1 : 0);
        nodes.set(key, id);
      }
      return id;
    };
    const end = node(END, 0, -1);
    for (const pattern of group.patterns) {
      let at = end;
      for (let i = pattern.kinds.length - 1; i >= 0; i--) {
        const code = pattern.chars[i]!;
        at = node(pattern.kinds[i]!, code, at);
        if (pattern.kinds[i] === LIT && code < 128 && code !== COLON_CODE && classOf[code] === 0) {
          classOf[code] = classCount++;
        }
      }
      starts.push(at);
    }
  });
  const nfa: Nfa = {
    kinds: Uint8Array.from(kinds),
    chars: Uint16Array.from(chars),
    next: Int32Array.from(next),
    component: Int32Array.from(component),
    universal: Uint8Array.from(universal),
    colons: Uint8Array.from(colons),
    anyAhead: Uint8Array.from(anyAhead),
    componentKind: groups.map((g) => g.kind),
    split,
    start: [],
    classOf,
    classCount,
  };
  nfa.start = starts;
  return nfa;
}

/**
 * Adds the nodes reachable by letting stars match the empty string; sorted, without duplicates. Keeps
 * only nodes that can still match a key with `colonsLeft` more colons (every key of K from a given state
 * has the same number): e.g. the `*` of `arn:aws:kms:*:*:key/*x` stays alive forever in the NFA, but
 * in the key id it would need two more colons.
 */
function closure(nfa: Nfa, nodes: number[], colonsLeft: number): number[] {
  const out: number[] = [];
  for (let node of nodes) {
    for (;;) {
      const kind = nfa.kinds[node]!;
      const colons = nfa.colons[node]!;
      // A node at a NEVER token can never advance: drop it so that emptiness is visible.
      if (kind !== NEVER && colons <= colonsLeft && (colons === colonsLeft || nfa.anyAhead[node] === 1)) {
        out.push(node);
      }
      if (kind === SEG || kind === ANY) node = nfa.next[node]!;
      else break;
    }
  }
  out.sort((a, b) => a - b);
  let w = 0;
  for (let r = 0; r < out.length; r++) if (r === 0 || out[r] !== out[r - 1]) out[w++] = out[r]!;
  out.length = w;
  return out;
}

/** An interned macrostate. */
interface Macro {
  positions: Int32Array;
  /** Index in `positions` of the first position >= nfa.split. */
  cut: number;
  /** Next macrostate per character class, -1 when not computed yet. */
  next: Int32Array;
  /** ASCII literal characters the positions name, and for each the positions waiting for it. */
  literals: number[];
  waiting: Map<number, number[]>;
  /** Positions at `?`, `*` tokens: they move on (almost) any character. */
  moving: number[];
  /** Granted, three-valued, over every completion; and exactly, for the empty completion. */
  settled: number;
  exact: number;
}

/** Whether sorted `small[a0..a1)` is a subset of sorted `big[b0..b1)`. */
function isSubset(small: Int32Array, a0: number, a1: number, big: Int32Array, b0: number, b1: number): boolean {
  if (a1 - a0 > b1 - b0) return false;
  let j = b0;
  for (let i = a0; i < a1; i++) {
    const x = small[i]!;
    while (j < b1 && big[j]! < x) j++;
    if (j === b1 || big[j] !== x) return false;
    j++;
  }
  return true;
}

class Search {
  readonly macros: Macro[] = [];
  private readonly index = new Map<string, number>();
  readonly values: Uint8Array;
  readonly exacts: Uint8Array;
  /** Colons left in every key from each key-space state. */
  private readonly colonsLeft: Uint8Array;
  work = 0;

  constructor(
    readonly space: KeySpace,
    readonly nfa: Nfa,
    readonly limits: SearchLimits,
  ) {
    this.values = new Uint8Array(nfa.componentKind.length);
    this.exacts = new Uint8Array(nfa.componentKind.length);
    this.colonsLeft = Uint8Array.from(space.completions, (rest) => rest.split(':').length - 1);
  }

  intern(positions: number[]): number {
    // Node ids fit in 16 bits for any document within the parse limit's reach of this search.
    const key = positions.length < 4096 ? String.fromCharCode(...positions) : positions.join(',');
    const known = this.index.get(key);
    if (known !== undefined) return known;
    if (this.macros.length >= this.limits.maxStates) {
      throw new TooComplexError(`more than ${this.limits.maxStates} automaton states`);
    }
    const nfa = this.nfa;
    const array = Int32Array.from(positions);
    let cut = 0;
    while (cut < array.length && array[cut]! < nfa.split) cut++;
    const literals: number[] = [];
    const waiting = new Map<number, number[]>();
    const moving: number[] = [];
    const values = this.values.fill(FALSE);
    const exacts = this.exacts.fill(FALSE);
    for (const p of positions) {
      const c = nfa.component[p]!;
      if (nfa.kinds[p] === END) exacts[c] = TRUE;
      if (nfa.universal[p] === 1) values[c] = TRUE;
      else if (values[c] === FALSE) values[c] = UNKNOWN;
      const kind = nfa.kinds[p];
      if (kind === LIT) {
        const code = nfa.chars[p]!;
        if (code >= 128) continue;
        const list = waiting.get(code);
        if (list === undefined) {
          literals.push(code);
          waiting.set(code, [p]);
        } else list.push(p);
      } else if (kind === ONE || kind === SEG || kind === ANY) moving.push(p);
    }
    const id = this.macros.length;
    this.macros.push({
      positions: array,
      cut,
      next: new Int32Array(nfa.classCount * COLON_SLOTS).fill(-1),
      literals,
      waiting,
      moving,
      settled: this.granted(values),
      exact: this.granted(exacts),
    });
    this.index.set(key, id);
    return id;
  }

  /** Kleene evaluation of "allowed and not denied" from each component's membership value. */
  granted(values: Uint8Array): number {
    let allowed = FALSE;
    let denied = FALSE;
    const kinds = this.nfa.componentKind;
    for (let c = 0; c < kinds.length; c++) {
      const kind = kinds[c]!;
      const inSet = values[c]!;
      // A negated spec's own patterns describe what it excludes.
      const member = kind === NOT_ALLOW || kind === NOT_DENY ? (inSet === UNKNOWN ? UNKNOWN : 1 - inSet) : inSet;
      if (kind === ALLOW || kind === NOT_ALLOW) allowed = or(allowed, member);
      else denied = or(denied, member);
    }
    return and(allowed, not(denied));
  }

  /** Whether the concrete key (of K) is granted: the NFA run on it, without the search's bookkeeping. */
  isGranted(key: string): boolean {
    const { kinds, next } = this.nfa;
    let colonsLeft = key.split(':').length - 1;
    let positions = closure(this.nfa, this.nfa.start, colonsLeft);
    for (let i = 0; i < key.length && positions.length > 0; i++) {
      const code = key.charCodeAt(i);
      if (code === COLON_CODE) colonsLeft--;
      const moved: number[] = [];
      for (const p of positions) {
        const kind = kinds[p];
        if (kind === ANY) moved.push(p);
        else if (code === COLON_CODE) {
          if (kind === LIT && this.nfa.chars[p] === code) moved.push(next[p]!);
        } else if (kind === SEG) moved.push(p);
        else if (kind === ONE || (kind === LIT && this.nfa.chars[p] === code)) moved.push(next[p]!);
      }
      this.work += positions.length;
      positions = closure(this.nfa, moved, colonsLeft);
    }
    const exacts = this.exacts.fill(FALSE);
    for (const p of positions) if (kinds[p] === END) exacts[this.nfa.component[p]!] = TRUE;
    return this.granted(exacts) === TRUE;
  }

  /** The macrostate after `code`, on the way to key-space state `nextK`. */
  step(macroId: number, code: number, nextK: number): number {
    const macro = this.macros[macroId]!;
    const colonsLeft = this.colonsLeft[nextK]!;
    const slot = (code < 128 ? this.nfa.classOf[code]! : 0) * COLON_SLOTS + colonsLeft;
    const cached = macro.next[slot]!;
    if (cached >= 0) return cached;
    const { kinds, next } = this.nfa;
    const moved: number[] = [];
    const colon = code === COLON_CODE;
    for (const p of macro.moving) {
      const kind = kinds[p];
      if (kind === ANY) moved.push(p);
      else if (colon) continue;
      else if (kind === SEG) moved.push(p);
      else moved.push(next[p]!);
    }
    const literal = macro.waiting.get(code);
    if (literal !== undefined) for (const p of literal) moved.push(next[p]!);
    this.work += macro.moving.length + moved.length + 1;
    const target = this.intern(closure(this.nfa, moved, colonsLeft));
    macro.next[slot] = target;
    return target;
  }

  /**
   * A key of K whose grant is `want` (TRUE: granted, FALSE: not granted), or undefined when there is none.
   * Breadth first (the default): short keys first, whose macrostates hold few positions, which then
   * subsume the larger ones that longer keys (say, many `a`s into `*a?????????`) lead to. Depth first
   * walks straight to a witness when one is likely (a granted key: literals first keep patterns alive).
   */
  find(want: number, depthFirst = false): string | undefined {
    const space = this.space;
    const start = this.intern(closure(this.nfa, this.nfa.start, this.colonsLeft[0]!));
    const first = this.macros[start]!.settled;
    if (first === want) return space.sampleKey;
    if (first !== UNKNOWN) return undefined;
    // "More is better" for the positions before the split when looking for a granted key; the reverse
    // when looking for one that is not.
    const lowBetterWhenLarger = want === TRUE;
    // Per key-space state, the search nodes whose macrostates no other kept one subsumes.
    const antichains: number[][] = Array.from({ length: space.stateCount }, () => []);
    const kOf: number[] = [0];
    const mOf: number[] = [start];
    const parent: number[] = [-1];
    const via: number[] = [0];
    /** Nodes a later, better node replaced: not worth expanding any more. */
    const dropped: boolean[] = [false];
    antichains[0]!.push(0);
    const pathOf = (node: number): string => {
      const codes: number[] = [];
      for (let n = node; n > 0; n = parent[n]!) codes.push(via[n]!);
      return String.fromCharCode(...codes.reverse());
    };
    /** Whether macrostate `a` can finish every key that `b` can (for this search's goal). */
    const subsumes = (a: Macro, b: Macro): boolean => {
      this.work += a.positions.length + b.positions.length;
      const pa = a.positions;
      const pb = b.positions;
      return lowBetterWhenLarger
        ? isSubset(pb, 0, b.cut, pa, 0, a.cut) && isSubset(pa, a.cut, pa.length, pb, b.cut, pb.length)
        : isSubset(pa, 0, a.cut, pb, 0, b.cut) && isSubset(pb, b.cut, pb.length, pa, a.cut, pa.length);
    };
    const candidates: number[] = [];
    const stack: number[] = [0];
    let cursor = 0;
    while (depthFirst ? stack.length > 0 : cursor < kOf.length) {
      const node = depthFirst ? stack.pop()! : cursor++;
      if (dropped[node]) continue;
      const k = kOf[node]!;
      const macroId = mOf[node]!;
      const macro = this.macros[macroId]!;
      if (space.accepting[k] === 1 && macro.exact === want) return pathOf(node);
      this.collectCandidates(macro, k, want, candidates);
      // Depth first pops the last pushed: push in reverse so that the first candidate goes first.
      if (depthFirst) candidates.reverse();
      for (const code of candidates) {
        const nextK = space.transitions[k * 128 + code]!;
        const nextId = this.step(macroId, code, nextK);
        const next = this.macros[nextId]!;
        if (next.settled === want) return pathOf(node) + String.fromCharCode(code) + space.completions[nextK];
        if (next.settled !== UNKNOWN) continue;
        const antichain = antichains[nextK]!;
        let dominated = false;
        for (const other of antichain) {
          const otherId = mOf[other]!;
          if (otherId === nextId || subsumes(this.macros[otherId]!, next)) {
            dominated = true;
            break;
          }
        }
        if (dominated) continue;
        // The newcomer replaces what it subsumes.
        let w = 0;
        for (const other of antichain) {
          if (subsumes(next, this.macros[mOf[other]!]!)) dropped[other] = true;
          else antichain[w++] = other;
        }
        antichain.length = w;
        antichain.push(kOf.length);
        if (depthFirst) stack.push(kOf.length);
        kOf.push(nextK);
        mOf.push(nextId);
        parent.push(node);
        via.push(code);
        dropped.push(false);
      }
      if (this.work > this.limits.maxWork) throw new TooComplexError(`more than ${this.limits.maxWork} steps`);
    }
    return undefined;
  }

  /**
   * The characters worth trying: those the positions name as literals, and for each key-space target one
   * character that no position names (all such characters act alike on every pattern). The sample key's
   * next character leads, so that witnesses stay close to a real key; looking for a granted key, literals
   * come first (they keep patterns alive), looking for one that is not, the others do.
   */
  private collectCandidates(macro: Macro, k: number, want: number, out: number[]): void {
    out.length = 0;
    const space = this.space;
    const transitions = space.transitions;
    const preferred = space.completions[k]!.charCodeAt(0);
    const literals = macro.literals.filter((code) => transitions[k * 128 + code]! >= 0);
    const others: number[] = [];
    for (const group of space.codesByTarget[k]!) {
      // codesByTarget lists the sample key's next character first.
      const chosen = group.find((code) => code === COLON_CODE || !literals.includes(code));
      if (chosen !== undefined && !literals.includes(chosen)) others.push(chosen);
    }
    const preferredIsLiteral = literals.includes(preferred);
    if (preferredIsLiteral) {
      literals.splice(literals.indexOf(preferred), 1);
      literals.unshift(preferred);
    }
    if (want === TRUE || preferredIsLiteral) out.push(...literals, ...others);
    else out.push(...others, ...literals);
  }
}

function or(a: number, b: number): number {
  if (a === TRUE || b === TRUE) return TRUE;
  return a === UNKNOWN || b === UNKNOWN ? UNKNOWN : FALSE;
}

function and(a: number, b: number): number {
  if (a === FALSE || b === FALSE) return FALSE;
  return a === UNKNOWN || b === UNKNOWN ? UNKNOWN : TRUE;
}

function not(a: number): number {
  return a === UNKNOWN ? UNKNOWN : 1 - a;
}

export function decideCoverage(
  space: KeySpace,
  query: CoverageQuery,
  limits: SearchLimits = DEFAULT_LIMITS,
): CoverageAnswer {
  const search = new Search(space, buildNfa(query), limits);
  const keyNotGranted = search.find(FALSE);
  if (keyNotGranted === undefined) {
    return { coverage: 'ALL', keyGranted: query.knownGranted ?? space.sampleKey };
  }
  const keyGranted =
    query.knownGranted ??
    query.grantedCandidates?.find((key) => search.isGranted(key)) ??
    search.find(TRUE, true);
  if (keyGranted === undefined) return { coverage: 'NONE', keyNotGranted };
  return { coverage: 'PARTIAL', keyGranted, keyNotGranted };
}

/** A key the single pattern matches, or undefined when it matches none. */
export function keyMatching(
  space: KeySpace,
  pattern: CompiledPattern,
  limits: SearchLimits = DEFAULT_LIMITS,
): string | undefined {
  const query: CoverageQuery = { allow: [{ negated: false, patterns: [pattern] }], deny: [] };
  return new Search(space, buildNfa(query), limits).find(TRUE, true);
}
