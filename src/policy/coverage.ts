/**
 * Exact coverage of the KMS key space by Granted = (union of Allow sets) minus (union of Deny sets).
 *
 * Breadth-first search over the product of the key-space DFA and every pattern's DFA, on character
 * classes that no automaton distinguishes. A product state whose outcome no longer depends on the rest of
 * the key (every pattern is dead or universal enough to decide) is not expanded: any completion of it is a
 * witness. ALL = no reachable key is outside Granted; NONE = no reachable key is inside; else PARTIAL,
 * with the shortest witnesses of each kind.
 */
import type { CompiledPattern } from './glob.js';
import { constructionWork, stepPattern } from './glob.js';
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
  /** A key already known to be granted (lets the search stop at the first key that is not). */
  knownGranted?: string;
}

export interface CoverageAnswer {
  coverage: Coverage;
  keyGranted?: string;
  keyNotGranted?: string;
}

export interface SearchLimits {
  /** Product states explored before giving up. */
  maxStates: number;
  /** Pattern steps (state x class x pattern) before giving up. */
  maxSteps: number;
  /** Work spent building pattern DFA states before giving up. */
  maxConstruction: number;
}

export const DEFAULT_LIMITS: SearchLimits = {
  maxStates: 200_000,
  maxSteps: 40_000_000,
  maxConstruction: 20_000_000,
};

export class TooComplexError extends Error {
  constructor(what: string) {
    super(`the policy is too complex to decide exactly within the engine's limits (${what})`);
    this.name = 'TooComplexError';
  }
}

const COLON_CODE = 58;

// Three-valued truth for "this pattern/spec/grant holds for every completion / none / it depends".
const FALSE = 0;
const TRUE = 1;
const UNKNOWN = 2;

interface Spec {
  negated: boolean;
  members: number[];
}

export function decideCoverage(
  space: KeySpace,
  query: CoverageQuery,
  limits: SearchLimits = DEFAULT_LIMITS,
): CoverageAnswer {
  const patterns: CompiledPattern[] = [];
  const indexOf = new Map<CompiledPattern, number>();
  const specOf = (spec: ResourceSpec): Spec => ({
    negated: spec.negated,
    members: spec.patterns.map((pattern) => {
      let index = indexOf.get(pattern);
      if (index === undefined) {
        index = patterns.length;
        patterns.push(pattern);
        indexOf.set(pattern, index);
      }
      return index;
    }),
  });
  const allow = query.allow.map(specOf);
  const deny = query.deny.map(specOf);
  const P = patterns.length;

  // The characters worth trying from a product state: those a pattern's current positions name as
  // literals, `:`, and for each key-space target one character that no current position names (all such
  // characters act alike on every automaton). The sample key's next character is tried first, so that
  // witnesses stay close to a real key.
  const mark = new Int32Array(128);
  let markStamp = 0;
  const candidates: number[] = [];
  const candidatesOf = (states: Int32Array, base: number, k: number): number[] => {
    const stamp = ++markStamp;
    candidates.length = 0;
    const transitions = space.transitions;
    const preferred = space.completions[k]!.charCodeAt(0);
    if (preferred === preferred /* not NaN */) {
      candidates.push(preferred);
      mark[preferred] = stamp;
    }
    for (let j = 0; j < P; j++) {
      for (const code of patterns[j]!.dfa.literalCodes[states[base + j]!]!) {
        if (mark[code] !== stamp && transitions[k * 128 + code]! >= 0) {
          mark[code] = stamp;
          candidates.push(code);
        }
      }
    }
    for (const group of space.codesByTarget[k]!) {
      let chosen = -1;
      for (const code of group) {
        if (code === COLON_CODE) {
          chosen = code;
          break;
        }
        if (mark[code] !== stamp) {
          chosen = code;
          break;
        }
        // The preferred character is an "other" character already queued: the group is covered.
        if (code === preferred && !isLiteralHere(states, base, code)) break;
      }
      if (chosen >= 0 && mark[chosen] !== stamp) {
        mark[chosen] = stamp;
        candidates.push(chosen);
      }
    }
    return candidates;
  };
  const isLiteralHere = (states: Int32Array, base: number, code: number): boolean => {
    for (let j = 0; j < P; j++)
      if (patterns[j]!.dfa.literalCodes[states[base + j]!]!.includes(code)) return true;
    return false;
  };

  // Three-valued truth of the grant on a tuple of pattern states: settled for every completion, or not.
  const patternValue = (states: Int32Array, base: number, j: number, exact: boolean): number => {
    const dfa = patterns[j]!.dfa;
    const state = states[base + j]!;
    if (exact) return dfa.accepting[state] ? TRUE : FALSE;
    if (dfa.dead[state]) return FALSE;
    if (dfa.universal[state]) return TRUE;
    return UNKNOWN;
  };
  const unionValue = (states: Int32Array, base: number, specs: Spec[], exact: boolean): number => {
    let union = FALSE;
    for (const spec of specs) {
      let value = FALSE;
      for (const j of spec.members) {
        const v = patternValue(states, base, j, exact);
        if (v === TRUE) {
          value = TRUE;
          break;
        }
        if (v === UNKNOWN) value = UNKNOWN;
      }
      if (spec.negated && value !== UNKNOWN) value = value === TRUE ? FALSE : TRUE;
      if (value === TRUE) return TRUE;
      if (value === UNKNOWN) union = UNKNOWN;
    }
    return union;
  };
  const grantedValue = (states: Int32Array, base: number, exact: boolean): number => {
    const allowed = unionValue(states, base, allow, exact);
    if (allowed === FALSE) return FALSE;
    const denied = unionValue(states, base, deny, exact);
    if (denied === TRUE) return FALSE;
    return allowed === TRUE && denied === FALSE ? TRUE : UNKNOWN;
  };

  let pState = new Int32Array(Math.max(P, 1) * 64);
  const kState: number[] = [0];
  const parent: number[] = [-1];
  const via: number[] = [0];
  const seen = new Set<string>([`0|${new Array<number>(P).fill(0).join(',')}`]);
  const scratch = new Int32Array(P);

  let keyGranted: string | undefined = query.knownGranted;
  let keyNotGranted: string | undefined;
  const pathOf = (node: number, last?: number): string => {
    const codes: number[] = last === undefined ? [] : [last];
    for (let n = node; n > 0; n = parent[n]!) codes.push(via[n]!);
    return String.fromCharCode(...codes.reverse());
  };
  const record = (granted: boolean, key: () => string): void => {
    if (granted) keyGranted ??= key();
    else keyNotGranted ??= key();
  };

  // The start: a pattern like "*" may settle everything before the first character.
  const startValue = grantedValue(pState, 0, false);
  if (startValue !== UNKNOWN) record(startValue === TRUE, () => space.sampleKey);

  const constructionStart = constructionWork.units;
  let steps = 0;
  // Breadth first finds the shortest witnesses. When a granted key is already known, only a key that is
  // not granted is missing: depth first, trying the characters no pattern names first, walks straight to
  // one instead of sweeping every prefix the patterns share (thousands of account ids, say).
  const depthFirst = query.knownGranted !== undefined;
  const worklist: number[] = startValue === UNKNOWN ? [0] : [];
  let cursor = 0;
  while (depthFirst ? worklist.length > 0 : cursor < worklist.length) {
    const node = depthFirst ? worklist.pop()! : worklist[cursor++]!;
    const base = node * P;
    const k = kState[node]!;
    if (space.accepting[k]) {
      record(grantedValue(pState, base, true) === TRUE, () => pathOf(node));
    }
    for (const code of candidatesOf(pState, base, k)) {
      const nextK = space.transitions[k * 128 + code]!;
      for (let j = 0; j < P; j++) {
        const pattern = patterns[j]!;
        scratch[j] = stepPattern(pattern, pState[base + j]!, pattern.classOf[code]!);
      }
      steps += P + 1;
      const settled = grantedValue(scratch, 0, false);
      if (settled !== UNKNOWN) {
        // Every way to finish this key has the same outcome: finish it the realistic way, keep no node.
        record(settled === TRUE, () => pathOf(node, code) + space.completions[nextK]);
        continue;
      }
      const key = `${nextK}|${scratch.join(',')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const index = kState.length;
      if ((index + 1) * P > pState.length) {
        const grown = new Int32Array(pState.length * 2);
        grown.set(pState);
        pState = grown;
      }
      pState.set(scratch, index * P);
      kState.push(nextK);
      parent.push(node);
      via.push(code);
      worklist.push(index);
    }
    if (keyGranted !== undefined && keyNotGranted !== undefined) break;
    if (kState.length > limits.maxStates) throw new TooComplexError(`more than ${limits.maxStates} states`);
    if (steps > limits.maxSteps) throw new TooComplexError(`more than ${limits.maxSteps} steps`);
    if (constructionWork.units - constructionStart > limits.maxConstruction) {
      throw new TooComplexError('pattern automata too large');
    }
  }

  if (keyGranted !== undefined && keyNotGranted !== undefined) {
    return { coverage: 'PARTIAL', keyGranted, keyNotGranted };
  }
  if (keyGranted !== undefined) return { coverage: 'ALL', keyGranted };
  return { coverage: 'NONE', keyNotGranted: keyNotGranted ?? space.sampleKey };
}

/**
 * A key the single pattern matches, or undefined when it matches none. A depth-first search over
 * (key-space state, pattern state) that tries the pattern's literal characters first, so it usually walks
 * straight to a match.
 */
export function keyMatching(
  space: KeySpace,
  pattern: CompiledPattern,
  limits: SearchLimits = DEFAULT_LIMITS,
): string | undefined {
  const dfa = pattern.dfa;
  const width = space.stateCount;
  // Parallel arrays: each node's key-space state, pattern state, parent and the character that led here.
  const kOf: number[] = [0];
  const pOf: number[] = [0];
  const parentOf: number[] = [-1];
  const viaOf: number[] = [0];
  const stack: number[] = [0];
  const seen = new Set<number>([0]);
  const pathOf = (node: number): string => {
    const codes: number[] = [];
    for (let n = node; n > 0; n = parentOf[n]!) codes.push(viaOf[n]!);
    return String.fromCharCode(...codes.reverse());
  };
  while (stack.length > 0) {
    const node = stack.pop()!;
    const k = kOf[node]!;
    const state = pOf[node]!;
    if (dfa.universal[state]) return pathOf(node) + space.completions[k];
    if (space.accepting[k] && dfa.accepting[state]) return pathOf(node);
    const literals = dfa.literalCodes[state]!;
    const push = (code: number): void => {
      const nextK = space.transitions[k * 128 + code]!;
      if (nextK < 0) return;
      const next = stepPattern(pattern, state, pattern.classOf[code]!);
      const key = next * width + nextK;
      if (dfa.dead[next] || seen.has(key)) return;
      if (seen.size >= limits.maxStates) throw new TooComplexError(`more than ${limits.maxStates} states`);
      seen.add(key);
      kOf.push(nextK);
      pOf.push(next);
      parentOf.push(node);
      viaOf.push(code);
      stack.push(kOf.length - 1);
    };
    // One character per key-space target that the pattern does not name here: all such act alike.
    for (const group of space.codesByTarget[k]!) {
      const other = group.find((code) => code === COLON_CODE || !literals.includes(code));
      if (other !== undefined) push(other);
    }
    // Pushed last, popped first: follow the pattern's own characters before anything else.
    for (const code of literals) push(code);
  }
  return undefined;
}
