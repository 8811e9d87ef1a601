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
 * All patterns of a query as one NFA with few states: per component, the patterns' trie (shared
 * prefixes) minimised bottom-up (shared suffixes), so `arn:aws:kms:*:*:key/a*` ... `key/-*` is one path
 * that forks only at the key id, and `arn:aws:kms:d*:*:key/*F` meets `arn:aws:kms:*:*:key/*F` again
 * after the region. A node is reached by consuming its incoming token; a SEG/ANY node loops on itself and
 * is entered without consuming (an epsilon edge). Nodes of ALLOW and NOT_DENY components ("more is
 * better for being granted") are numbered before `split`, DENY and NOT_ALLOW ones after it.
 */
interface Nfa {
  /** SEG or ANY for a node that loops on itself, else 0. */
  loop: Uint8Array;
  end: Uint8Array;
  /** Edges of node n: edgeStart[n] .. edgeStart[n + 1]; kind LIT, ONE (consume) or SEG/ANY (epsilon). */
  edgeStart: Int32Array;
  edgeKind: Uint8Array;
  edgeChar: Uint16Array;
  edgeTarget: Int32Array;
  component: Int32Array;
  /** An ANY loop that is also an end: every continuation is accepted. */
  universal: Uint8Array;
  /** Bit c: some key suffix with exactly c more colons can still be accepted from the node. */
  viable: Uint8Array;
  componentKind: number[];
  split: number;
  start: number[];
  /** ASCII code -> class: 0 other, 1 `:`, 2.. the literal characters of the patterns. */
  classOf: Uint8Array;
  classCount: number;
}

interface TrieNode {
  loop: number;
  end: boolean;
  children: Map<number, TrieNode>;
}

/** A trie node on the way down: its key in its parent, the children not visited yet, its edges so far. */
interface Frame {
  node: TrieNode;
  key: number;
  children: Iterator<[number, TrieNode]>;
  edges: [number, number, number][];
}

const ALL_COLON_COUNTS = 0b111111;
const GRANTED_CANDIDATES = 8;
/** IAM caps a resource ARN at 2,048 characters; longer patterns come only from hand-made files. */
const MAX_PATTERN_TOKENS = 4_096;
/** Macrostates are keyed by their node ids as 16-bit characters. */
const MAX_NODES = 65_535;

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

  const loop: number[] = [];
  const end: number[] = [];
  const edgeStart: number[] = [];
  const edgeKind: number[] = [];
  const edgeChar: number[] = [];
  const edgeTarget: number[] = [];
  const component: number[] = [];
  const viable: number[] = [];
  const classOf = new Uint8Array(128);
  classOf[COLON_CODE] = 1;
  let classCount = 2;
  // Stryker disable next-line ArrayDeclaration: a stray entry in start is no node: closure drops it (viable[entry] is undefined, so the viability test gives 0)
  const start: number[] = [];
  let split = 0;
  groups.forEach((group, index) => {
    if (index === splitGroup) split = loop.length;
    // Stryker disable next-line BooleanLiteral: the root is only in the start closure (no edge leads back to it), where five colons are left and an end needs none; no other node has its depth, so its signature meets none
    const root: TrieNode = { loop: 0, end: false, children: new Map() };
    for (const pattern of group.patterns) {
      // A per-request variable matches no key: the pattern adds nothing to the union.
      if (pattern.kinds.includes(NEVER)) continue;
      if (pattern.kinds.length > MAX_PATTERN_TOKENS) {
        throw new TooComplexError(`a resource pattern longer than ${MAX_PATTERN_TOKENS} characters`);
      }
      let node = root;
      for (let i = 0; i < pattern.kinds.length; i++) {
        const kind = pattern.kinds[i]!;
        const key = kind * 65536 + pattern.chars[i]!;
        let child = node.children.get(key);
        if (child === undefined) {
          child = { loop: kind === SEG || kind === ANY ? kind : 0, end: false, children: new Map() };
          node.children.set(key, child);
        }
        node = child;
      }
      node.end = true;
    }
    // Bottom-up: nodes with the same loop, end and (edge, child) set are one node.
    const ids = new Map<string, number>();
    const emit = (node: TrieNode, edges: [number, number, number][]): number => {
      // A node's edges are its children's keys: no two share kind and character.
      edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      // Loop kind and end flag are one digit each; every edge is three numbers.
      const signature = `${node.loop}${node.end ? 1 : 0}|${edges.join()}`;
      const known = ids.get(signature);
      if (known !== undefined) return known;
      const id = loop.length;
      let mask = node.end ? 1 : 0;
      edgeStart.push(edgeKind.length);
      for (const [kind, char, target] of edges) {
        edgeKind.push(kind);
        edgeChar.push(char);
        edgeTarget.push(target);
        const childMask = viable[target]!;
        // Only LIT edges carry a character (the others carry 0): this is a `:` edge.
        mask |= char === COLON_CODE ? (childMask << 1) & ALL_COLON_COUNTS : childMask;
        // A class per character on first sight. `:` has class 1 already, a character beyond ASCII has no
        // entry (no key holds one), and edges other than LIT carry 0, which no key holds either.
        if (classOf[char] === 0) classOf[char] = classCount++;
      }
      // An ANY loop absorbs colons: viable with c colons left, it is viable with more. (-mask has every
      // bit from mask's lowest set bit up, except mask's own higher bits; 0 for 0.)
      if (node.loop === ANY) mask |= ALL_COLON_COUNTS & -mask;
      loop.push(node.loop);
      end.push(node.end ? 1 : 0);
      component.push(index);
      viable.push(mask);
      ids.set(signature, id);
      return id;
    };
    // Post-order (children in insertion order) with a stack of its own: a pattern may be thousands of
    // tokens deep, too deep for recursion on a cold call stack.
    const frameOf = (node: TrieNode, key: number): Frame =>
      // Stryker disable next-line ArrayDeclaration: a stray entry becomes a LIT edge on character 0 into node 0; no key holds 0 (collectCandidates drops it, advance never steps on it), and the sort keeps it first (NaN compares as equal)
      ({ node, key, children: node.children.entries(), edges: [] });
    const stack = [frameOf(root, 0)];
    let rootId = 0;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const next = frame.children.next();
      if (next.done !== true) {
        const [key, child] = next.value;
        stack.push(frameOf(child, key));
        continue;
      }
      stack.pop();
      const id = emit(frame.node, frame.edges);
      const parent = stack[stack.length - 1];
      if (parent === undefined) rootId = id;
      else parent.edges.push([Math.floor(frame.key / 65536), frame.key % 65536, id]);
    }
    start.push(rootId);
  });
  if (loop.length > MAX_NODES) throw new TooComplexError(`more than ${MAX_NODES} pattern automaton states`);
  edgeStart.push(edgeKind.length);
  // Edge lists were pushed in emission order, one contiguous run per node: edgeStart[n + 1] ends n's.
  const universal = Uint8Array.from(loop, (kind, n) => (kind === ANY && end[n] === 1 ? 1 : 0));
  return {
    loop: Uint8Array.from(loop),
    end: Uint8Array.from(end),
    edgeStart: Int32Array.from(edgeStart),
    edgeKind: Uint8Array.from(edgeKind),
    edgeChar: Uint16Array.from(edgeChar),
    edgeTarget: Int32Array.from(edgeTarget),
    component: Int32Array.from(component),
    universal,
    viable: Uint8Array.from(viable),
    componentKind: groups.map((g) => g.kind),
    split,
    start,
    classOf,
    classCount,
  };
}

/**
 * Adds the nodes entered without consuming (stars matching the empty string); sorted, without
 * duplicates. Keeps only nodes that can still match a key with `colonsLeft` more colons (every key of K
 * from a given state has the same number): e.g. the first `*` of `arn:aws:kms:*:*:key/*x` loops forever,
 * but in the key id it would need two more colons.
 */
function closure(nfa: Nfa, nodes: number[], colonsLeft: number, seen: Int32Array, stamp: number): number[] {
  // Stryker disable next-line ArrayDeclaration: a stray entry is skipped by every reader of positions and stays first when sorted (NaN compares as equal); as node 0 in every macrostate's low part (counted in cut) it leaves subsumption and the key map as they were
  const out: number[] = [];
  const stack = nodes.slice();
  const bit = 1 << colonsLeft;
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen[node] === stamp) continue;
    seen[node] = stamp;
    if ((nfa.viable[node]! & bit) === 0) continue;
    out.push(node);
    for (let e = nfa.edgeStart[node]!; e < nfa.edgeStart[node + 1]!; e++) {
      const kind = nfa.edgeKind[e];
      if (kind === SEG || kind === ANY) stack.push(nfa.edgeTarget[e]!);
    }
  }
  out.sort((x, y) => x - y);
  return out;
}

/** An interned macrostate. */
interface Macro {
  positions: Int32Array;
  /** Index in `positions` of the first position >= nfa.split. */
  cut: number;
  /** Next macrostate per character class, -1 when not computed yet. */
  next: Int32Array;
  /** ASCII literal characters the positions' edges name, and for each the nodes they lead to. */
  literals: number[];
  waiting: Map<number, number[]>;
  /** Where any character but `:` leads (SEG loops, `?` edges), and where `:` too does (ANY loops). */
  onOther: number[];
  onAny: number[];
  /** Granted, three-valued, over every completion; and exactly, for the empty completion. */
  settled: number;
  exact: number;
}

/** Whether sorted `small[a0..a1)` is a subset of sorted `big[b0..b1)`. */
function isSubset(
  small: Int32Array,
  a0: number,
  a1: number,
  big: Int32Array,
  b0: number,
  b1: number,
): boolean {
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
  private readonly seen: Int32Array;
  private readonly shortCompletions: string[];
  private stamp = 0;
  work = 0;

  constructor(
    readonly space: KeySpace,
    readonly nfa: Nfa,
    readonly limits: SearchLimits,
  ) {
    this.values = new Uint8Array(nfa.componentKind.length);
    this.exacts = new Uint8Array(nfa.componentKind.length);
    this.colonsLeft = Uint8Array.from(space.completions, (rest) => rest.split(':').length - 1);
    this.seen = new Int32Array(nfa.loop.length);
    // The sample key's suffixes with a one-character key id: patterns that need long ids miss them.
    // The key id follows the only `/` of a key ARN; a suffix without one is within the key id (its
    // first character, or empty from the accepting state), and `indexOf` then gives -1.
    this.shortCompletions = space.completions.map((rest) => rest.slice(0, rest.indexOf('/') + 2));
  }

  intern(positions: number[]): number {
    // Node ids fit in 16 bits for any document this search is given (see MAX_PATTERN_TOKENS).
    const key = String.fromCharCode(...positions);
    const known = this.index.get(key);
    if (known !== undefined) return known;
    if (this.macros.length >= this.limits.maxStates) {
      throw new TooComplexError(`more than ${this.limits.maxStates} automaton states`);
    }
    const nfa = this.nfa;
    const array = Int32Array.from(positions);
    let cut = 0;
    for (const p of array) if (p < nfa.split) cut++;
    // Stryker disable next-line ArrayDeclaration: a stray literal is dropped by collectCandidates (transitions[k * 128 + string] is undefined)
    const literals: number[] = [];
    const waiting = new Map<number, number[]>();
    // Stryker disable next-line ArrayDeclaration: a stray entry in the moved positions is dropped by closure (no viable bits)
    const onOther: number[] = [];
    // Stryker disable next-line ArrayDeclaration: a stray entry in the moved positions is dropped by closure (no viable bits)
    const onAny: number[] = [];
    const values = this.values.fill(FALSE);
    const exacts = this.exacts.fill(FALSE);
    for (const p of positions) {
      const c = nfa.component[p]!;
      if (nfa.end[p] === 1) exacts[c] = TRUE;
      if (nfa.universal[p] === 1) values[c] = TRUE;
      else if (values[c] === FALSE) values[c] = UNKNOWN;
      if (nfa.loop[p] === ANY) onAny.push(p);
      else if (nfa.loop[p] === SEG) onOther.push(p);
      for (let e = nfa.edgeStart[p]!; e < nfa.edgeStart[p + 1]!; e++) {
        const kind = nfa.edgeKind[e];
        if (kind === ONE) onOther.push(nfa.edgeTarget[e]!);
        else if (kind === LIT) {
          const code = nfa.edgeChar[e]!;
          // Beyond ASCII: outside the class table, and no key holds it.
          if (nfa.classOf[code] === undefined) continue;
          const list = waiting.get(code);
          if (list === undefined) {
            literals.push(code);
            waiting.set(code, [nfa.edgeTarget[e]!]);
          } else list.push(nfa.edgeTarget[e]!);
        }
      }
    }
    this.work += positions.length;
    const id = this.macros.length;
    this.macros.push({
      positions: array,
      cut,
      // Stryker disable next-line ArithmeticOperator: a shorter table only misses the step cache (an index past its end reads undefined, and writes there are dropped): time only
      next: new Int32Array(nfa.classCount * COLON_SLOTS).fill(-1),
      literals,
      waiting,
      onOther,
      onAny,
      settled: this.granted(values),
      exact: this.granted(exacts),
    });
    this.index.set(key, id);
    return id;
  }

  /** Where the nodes go on `code` (not closed yet). */
  private advance(positions: Iterable<number>, code: number): number[] {
    const nfa = this.nfa;
    // Stryker disable next-line ArrayDeclaration: a stray entry in the moved positions is dropped by closure (no viable bits)
    const moved: number[] = [];
    const colon = code === COLON_CODE;
    for (const p of positions) {
      if (nfa.loop[p] === ANY || (nfa.loop[p] === SEG && !colon)) moved.push(p);
      for (let e = nfa.edgeStart[p]!; e < nfa.edgeStart[p + 1]!; e++) {
        const kind = nfa.edgeKind[e];
        // Only LIT edges carry a character; the others carry 0, which no key holds.
        if ((kind === ONE && !colon) || nfa.edgeChar[e] === code) moved.push(nfa.edgeTarget[e]!);
      }
    }
    return moved;
  }

  closed(nodes: number[], colonsLeft: number): number[] {
    // Stryker disable next-line UpdateOperator: stamps need only differ from every earlier one and from 0; -1, -2, ... do
    return closure(this.nfa, nodes, colonsLeft, this.seen, ++this.stamp);
  }

  /** Whether the concrete key (of K) is granted: the NFA run on it, without the search's bookkeeping. */
  isGranted(key: string): boolean {
    let colonsLeft = key.split(':').length - 1;
    let positions = this.closed(this.nfa.start, colonsLeft);
    for (let i = 0; i < key.length; i++) {
      const code = key.charCodeAt(i);
      if (code === COLON_CODE) colonsLeft--;
      this.work += positions.length;
      positions = this.closed(this.advance(positions, code), colonsLeft);
    }
    const exacts = this.exacts.fill(FALSE);
    for (const p of positions) if (this.nfa.end[p] === 1) exacts[this.nfa.component[p]!] = TRUE;
    return this.granted(exacts) === TRUE;
  }

  /** The macrostate after `code`, on the way to key-space state `nextK`. */
  step(macroId: number, code: number, nextK: number): number {
    const macro = this.macros[macroId]!;
    const colonsLeft = this.colonsLeft[nextK]!;
    // `code` is ASCII: the candidates are key-space characters (intern leaves out literals >= 128).
    const row = this.nfa.classOf[code]! * COLON_SLOTS;
    const slot = row + colonsLeft;
    const cached = macro.next[slot]!;
    // Stryker disable next-line EqualityOperator: no step leads to macrostate 0, the start (it holds the roots, which no edge enters)
    if (cached >= 0) return cached;
    const moved = code === COLON_CODE ? macro.onAny.slice() : macro.onAny.concat(macro.onOther);
    const literal = macro.waiting.get(code);
    if (literal !== undefined) for (const p of literal) moved.push(p);
    this.work += moved.length + 1;
    const target = this.intern(this.closed(moved, colonsLeft));
    macro.next[slot] = target;
    return target;
  }

  /** Kleene evaluation of "allowed and not denied" from each component's membership value. */
  granted(values: Uint8Array): number {
    let allowed = FALSE;
    let denied = FALSE;
    const kinds = this.nfa.componentKind;
    // Stryker disable next-line EqualityOperator: one more round reads undefined, and or(x, undefined) is x
    for (let c = 0; c < kinds.length; c++) {
      const kind = kinds[c]!;
      const inSet = values[c]!;
      // A negated spec's own patterns describe what it excludes.
      const member =
        kind === NOT_ALLOW || kind === NOT_DENY ? (inSet === UNKNOWN ? UNKNOWN : 1 - inSet) : inSet;
      if (kind === ALLOW || kind === NOT_ALLOW) allowed = or(allowed, member);
      else denied = or(denied, member);
    }
    return and(allowed, not(denied));
  }

  /**
   * A key of K whose grant is `want` (TRUE: granted, FALSE: not granted), or undefined when there is none.
   * Breadth first (the default): short keys first, whose macrostates hold few positions, which then
   * subsume the larger ones that longer keys (say, many `a`s into `*a?????????`) lead to. Depth first
   * walks straight to a witness when one is likely (a granted key: literals first keep patterns alive).
   */
  find(want: number, depthFirst = false, short = false): string | undefined {
    const completions = short ? this.shortCompletions : this.space.completions;
    const space = this.space;
    const start = this.intern(this.closed(this.nfa.start, this.colonsLeft[0]!));
    const first = this.macros[start]!.settled;
    if (first === want) return completions[0];
    if (first !== UNKNOWN) return undefined;
    // "More is better" for the positions before the split when looking for a granted key; the reverse
    // when looking for one that is not.
    const lowBetterWhenLarger = want === TRUE;
    // Per key-space state, the search nodes whose macrostates no other kept one subsumes.
    const antichains: number[][] = Array.from({ length: space.stateCount }, () => []);
    const kOf: number[] = [0];
    const mOf: number[] = [start];
    // Stryker disable next-line UnaryOperator: the root's parent is never read (pathOf stops at node 0)
    const parent: number[] = [-1];
    const via: number[] = [0];
    /** Nodes a later, better node replaced: not worth expanding any more. */
    // Stryker disable next-line ArrayDeclaration: undefined reads as false for the root
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
    // Stryker disable next-line ArrayDeclaration: collectCandidates empties it before each use
    const candidates: number[] = [];
    const stack: number[] = [0];
    // Otherwise smallest macrostate first (then oldest): small ones subsume, and the path to a key that
    // is not granted is one where patterns die.
    const queue = new MinHeap();
    queue.push(this.macros[start]!.positions.length, 0);
    while (depthFirst ? stack.length > 0 : queue.size > 0) {
      const node = depthFirst ? stack.pop()! : queue.pop();
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
        if (next.settled === want) return pathOf(node) + String.fromCharCode(code) + completions[nextK];
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
        else queue.push(next.positions.length, kOf.length);
        kOf.push(nextK);
        mOf.push(nextId);
        parent.push(node);
        via.push(code);
        dropped.push(false);
      }
      if (this.work > this.limits.maxWork)
        throw new TooComplexError(`more than ${this.limits.maxWork} steps`);
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
    const literals = macro.literals.filter((code) => transitions[k * 128 + code] !== -1);
    const others: number[] = [];
    for (const group of space.codesByTarget[k]!) {
      // codesByTarget lists the sample key's next character first.
      const chosen = group.find((code) => !literals.includes(code));
      if (chosen !== undefined) others.push(chosen);
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

/** A binary heap of search nodes by (priority, node index). Exported for its direct test. */
export class MinHeap {
  private readonly keys: number[] = [];
  private readonly nodes: number[] = [];

  get size(): number {
    return this.nodes.length;
  }

  private less(i: number, j: number): boolean {
    return (
      // Stryker disable next-line EqualityOperator: the search pushes each node index once, so equal nodes never meet in `<`
      this.keys[i]! < this.keys[j]! || (this.keys[i] === this.keys[j] && this.nodes[i]! < this.nodes[j]!)
    );
  }

  private swap(i: number, j: number): void {
    [this.keys[i], this.keys[j]] = [this.keys[j]!, this.keys[i]!];
    [this.nodes[i], this.nodes[j]] = [this.nodes[j]!, this.nodes[i]!];
  }

  push(key: number, node: number): void {
    this.keys.push(key);
    this.nodes.push(node);
    // Stryker disable next-line EqualityOperator: at i = 0 the parent index is -1, and less(0, -1) reads undefined: false
    for (let i = this.nodes.length - 1; i > 0;) {
      const up = (i - 1) >> 1;
      if (!this.less(i, up)) break;
      this.swap(i, up);
      i = up;
    }
  }

  pop(): number {
    const top = this.nodes[0]!;
    const lastKey = this.keys.pop()!;
    const lastNode = this.nodes.pop()!;
    if (this.nodes.length > 0) {
      this.keys[0] = lastKey;
      this.nodes[0] = lastNode;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        // Past the end less() reads undefined keys and is false: the bounds only spare the reads.
        // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
        if (l < this.nodes.length && this.less(l, m)) m = l;
        // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
        if (r < this.nodes.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
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

/**
 * Whether a pattern is cheap for the search: per ARN segment at most two stars and no `?` after a star.
 * (`*a??????` after a star is what makes macrostates multiply; `?` at fixed positions does not.)
 */
export function isSimplePattern(pattern: CompiledPattern): boolean {
  let stars = 0;
  for (const [i, kind] of pattern.kinds.entries()) {
    // Only LIT tokens carry a character (the others have 0).
    if (pattern.chars[i] === COLON_CODE) stars = 0;
    else if (kind === SEG || kind === ANY) {
      if (++stars > 2) return false;
    } else if (kind === ONE && stars > 0) return false;
  }
  return true;
}

/** The query with only the simple patterns of its positive Allow specs: it grants a subset. */
function simplerQuery(query: CoverageQuery): CoverageQuery | undefined {
  let changed = false;
  const allow = query.allow.map((spec) => {
    // Dropping patterns from a NotResource spec would grow its set: those stay whole.
    if (spec.negated) return spec;
    const patterns = spec.patterns.filter(isSimplePattern);
    if (patterns.length !== spec.patterns.length) changed = true;
    return { negated: false, patterns };
  });
  return changed ? { ...query, allow } : undefined;
}

/**
 * Coverage is monotone in the Allow patterns: if the simple patterns alone (with every Deny) leave no key
 * ungranted, the whole policy is ALL; if they leave some key ungranted and the whole policy does not
 * grant that concrete key either, it is the witness. Only otherwise does the full search run.
 */
export function decideCoverage(
  space: KeySpace,
  query: CoverageQuery,
  limits: SearchLimits = DEFAULT_LIMITS,
): CoverageAnswer {
  const search = new Search(space, buildNfa(query), limits);
  let keyNotGranted: string | undefined;
  const simpler = simplerQuery(query);
  if (simpler !== undefined) {
    const cheap = new Search(space, buildNfa(simpler), limits);
    const candidate = cheap.find(FALSE, false, true);
    if (candidate === undefined)
      return { coverage: 'ALL', keyGranted: query.knownGranted ?? space.sampleKey };
    if (!search.isGranted(candidate)) keyNotGranted = candidate;
  }
  keyNotGranted ??= search.find(FALSE);
  if (keyNotGranted === undefined) {
    return { coverage: 'ALL', keyGranted: query.knownGranted ?? space.sampleKey };
  }
  const keyGranted =
    query.knownGranted ??
    // A few candidates only: when a Deny takes them all away, it usually takes everything (NONE), which
    // the search then settles at once.
    query.grantedCandidates?.slice(0, GRANTED_CANDIDATES).find((key) => search.isGranted(key)) ??
    search.find(TRUE, true);
  if (keyGranted === undefined) return { coverage: 'NONE', keyNotGranted };
  return { coverage: 'PARTIAL', keyGranted, keyNotGranted };
}

/**
 * A key the single pattern matches, or undefined when it matches none: breadth-first reachability in
 * the product of K's DFA and the pattern's token NFA (linear in their sizes, no macrostates needed for
 * one pattern). The sample key's characters are tried first and a trailing `*` is finished with the
 * sample key's suffix, so examples look like real keys.
 */
export function keyMatching(space: KeySpace, pattern: CompiledPattern): string | undefined {
  const { kinds, chars, tailAny } = pattern;
  const n = kinds.length;
  // Stryker disable next-line ConditionalExpression: without it the search stops at the NEVER token all the same (time only)
  if (kinds.includes(NEVER)) return undefined;
  const width = n + 1;
  const parent = new Int32Array(space.stateCount * width).fill(-2);
  const via = new Int16Array(space.stateCount * width);
  const queue: number[] = [0];
  parent[0] = -1;
  const pathOf = (id: number): string => {
    const codes: number[] = [];
    for (let at = id; parent[at]! >= 0; at = parent[at]!) {
      // Stryker disable next-line EqualityOperator: via is -1 (a star's empty step) or a key character, never 0
      if (via[at]! >= 0) codes.push(via[at]!);
    }
    return String.fromCharCode(...codes.reverse());
  };
  const visit = (from: number, k: number, i: number, code: number): void => {
    const id = k * width + i;
    if (parent[id] !== -2) return;
    parent[id] = from;
    via[id] = code;
    queue.push(id);
  };
  for (let cursor = 0; cursor < queue.length; cursor++) {
    const id = queue[cursor]!;
    const k = Math.floor(id / width);
    const i = id % width;
    if (tailAny[i] === 1) return pathOf(id) + space.completions[k];
    if (i === n) {
      if (space.accepting[k] === 1) return pathOf(id);
      continue;
    }
    const kind = kinds[i];
    if (kind === SEG || kind === ANY) visit(id, k, i + 1, -1);
    for (const group of space.codesByTarget[k]!) {
      if (kind === LIT) {
        if (!group.includes(chars[i]!)) continue;
        visit(id, space.transitions[k * 128 + chars[i]!]!, i + 1, chars[i]!);
        continue;
      }
      const code = kind === ANY ? group[0]! : group.find((c) => c !== COLON_CODE);
      // Stryker disable next-line ConditionalExpression: transitions[NaN] is undefined, and visit() ignores the NaN id
      if (code === undefined) continue;
      visit(id, space.transitions[k * 128 + code]!, kind === ONE ? i + 1 : i, code);
    }
  }
  return undefined;
}
