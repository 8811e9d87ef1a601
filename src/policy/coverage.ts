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

// Three-valued truth for "this pattern/spec/grant holds for every completion / none / it depends".
const FALSE = 0;
const TRUE = 1;
const UNKNOWN = 2;

interface CharClass {
  /** The character used for a transition when no realistic one is preferred. */
  representative: number;
  /** Local class of the class's characters in each pattern. */
  patternClasses: Int32Array;
}

/** Representatives are picked in this order so that witnesses look like real key ARNs. */
const PREFERENCE = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-:/';

/** Groups the key space's characters by how every automaton treats them; maps each code to its group. */
function characterClasses(
  space: KeySpace,
  patterns: CompiledPattern[],
): { classes: CharClass[]; classOfCode: Int32Array } {
  const groups = new Map<string, number>();
  const classes: CharClass[] = [];
  const classOfCode = new Int32Array(128).fill(-1);
  const codes = [...PREFERENCE].map((ch) => ch.charCodeAt(0)).filter((code) => space.alphabet.includes(code));
  for (const code of space.alphabet) if (!codes.includes(code)) codes.push(code);
  for (const code of codes) {
    let signature = '';
    for (let s = 0; s < space.stateCount; s++) signature += `${space.transitions[s * 128 + code]},`;
    const patternClasses = new Int32Array(patterns.length);
    for (let j = 0; j < patterns.length; j++) {
      patternClasses[j] = patterns[j]!.classOf[code]!;
      signature += `${patternClasses[j]};`;
    }
    let index = groups.get(signature);
    if (index === undefined) {
      index = classes.length;
      groups.set(signature, index);
      classes.push({ representative: code, patternClasses });
    }
    classOfCode[code] = index;
  }
  return { classes, classOfCode };
}

/** One way out of a key-space state: the character to write and the class it belongs to. */
interface Move {
  code: number;
  cls: CharClass;
}

/**
 * The moves to try from each key-space state, one per class; the class holding the realistic sample's
 * next character comes first and uses that character, so that witnesses stay close to a real key.
 */
function movesByState(space: KeySpace, classes: CharClass[], classOfCode: Int32Array): Move[][] {
  const moves: Move[][] = [];
  for (let s = 0; s < space.stateCount; s++) {
    const list: Move[] = classes
      .filter((c) => space.transitions[s * 128 + c.representative]! >= 0)
      .map((cls) => ({ code: cls.representative, cls }));
    const next = space.completions[s]!.charCodeAt(0);
    if (!Number.isNaN(next)) {
      const preferred = classes[classOfCode[next]!];
      const at = list.findIndex((move) => move.cls === preferred);
      if (at >= 0) {
        list.splice(at, 1);
        list.unshift({ code: next, cls: preferred! });
      }
    }
    moves.push(list);
  }
  return moves;
}

export function decideCoverage(
  space: KeySpace,
  query: CoverageQuery,
  limits: SearchLimits = DEFAULT_LIMITS,
): CoverageAnswer {
  const patterns: CompiledPattern[] = [];
  const indexOf = new Map<CompiledPattern, number>();
  const specIndexes = (spec: ResourceSpec): number[] =>
    spec.patterns.map((pattern) => {
      let index = indexOf.get(pattern);
      if (index === undefined) {
        index = patterns.length;
        patterns.push(pattern);
        indexOf.set(pattern, index);
      }
      return index;
    });
  const allow = query.allow.map((spec) => ({ negated: spec.negated, members: specIndexes(spec) }));
  const deny = query.deny.map((spec) => ({ negated: spec.negated, members: specIndexes(spec) }));
  const P = patterns.length;

  const { classes, classOfCode } = characterClasses(space, patterns);
  const moves = movesByState(space, classes, classOfCode);

  const kState: number[] = [0];
  const pState: number[] = patterns.map(() => 0);
  const parent: number[] = [-1];
  const via: number[] = [0];
  const seen = new Map<string, number>([[`0|${pState.join(',')}`, 0]]);

  let keyGranted: string | undefined;
  let keyNotGranted: string | undefined;
  const pathOf = (node: number): string => {
    const codes: number[] = [];
    for (let n = node; n > 0; n = parent[n]!) codes.push(via[n]!);
    return String.fromCharCode(...codes.reverse());
  };
  const record = (granted: boolean, key: string): void => {
    if (granted) keyGranted ??= key;
    else keyNotGranted ??= key;
  };

  const patternValue = (base: number, j: number): number => {
    const pattern = patterns[j]!;
    const state = pState[base + j]!;
    if (pattern.dfa.dead[state]) return FALSE;
    if (pattern.dfa.universal[state]) return TRUE;
    return UNKNOWN;
  };
  const specValue = (base: number, spec: { negated: boolean; members: number[] }, exact: boolean): number => {
    let value = FALSE;
    for (const j of spec.members) {
      const v = exact
        ? patterns[j]!.dfa.accepting[pState[base + j]!]
          ? TRUE
          : FALSE
        : patternValue(base, j);
      if (v === TRUE) {
        value = TRUE;
        break;
      }
      if (v === UNKNOWN) value = UNKNOWN;
    }
    if (!spec.negated || value === UNKNOWN) return value;
    return value === TRUE ? FALSE : TRUE;
  };
  const unionValue = (
    base: number,
    specs: { negated: boolean; members: number[] }[],
    exact: boolean,
  ): number => {
    let value = FALSE;
    for (const spec of specs) {
      const v = specValue(base, spec, exact);
      if (v === TRUE) return TRUE;
      if (v === UNKNOWN) value = UNKNOWN;
    }
    return value;
  };
  const grantedValue = (base: number, exact: boolean): number => {
    const allowed = unionValue(base, allow, exact);
    if (allowed === FALSE) return FALSE;
    const denied = unionValue(base, deny, exact);
    if (denied === TRUE) return FALSE;
    return allowed === TRUE && denied === FALSE ? TRUE : UNKNOWN;
  };

  const constructionStart = constructionWork.units;
  let steps = 0;
  for (let node = 0; node < kState.length; node++) {
    const base = node * P;
    const k = kState[node]!;
    const settled = grantedValue(base, false);
    if (settled !== UNKNOWN) {
      // Every way to finish this key has the same outcome: finish it the realistic way.
      record(settled === TRUE, pathOf(node) + space.completions[k]);
    } else {
      if (space.accepting[k]) record(grantedValue(base, true) === TRUE, pathOf(node));
      for (const { code, cls } of moves[k]!) {
        const nextK = space.transitions[k * 128 + code]!;
        let key = `${nextK}|`;
        const nextStates = new Array<number>(P);
        for (let j = 0; j < P; j++) {
          const next = stepPattern(patterns[j]!, pState[base + j]!, cls.patternClasses[j]!);
          nextStates[j] = next;
          key += `${next},`;
        }
        steps += P + 1;
        if (seen.has(key)) continue;
        seen.set(key, kState.length);
        kState.push(nextK);
        for (const s of nextStates) pState.push(s);
        parent.push(node);
        via.push(code);
      }
      if (kState.length > limits.maxStates) throw new TooComplexError(`more than ${limits.maxStates} states`);
      if (steps > limits.maxSteps) throw new TooComplexError(`more than ${limits.maxSteps} steps`);
      if (constructionWork.units - constructionStart > limits.maxConstruction) {
        throw new TooComplexError('pattern automata too large');
      }
    }
    if (keyGranted !== undefined && keyNotGranted !== undefined) break;
  }

  if (keyGranted !== undefined && keyNotGranted !== undefined) {
    return { coverage: 'PARTIAL', keyGranted, keyNotGranted };
  }
  if (keyGranted !== undefined) return { coverage: 'ALL', keyGranted };
  return { coverage: 'NONE', keyNotGranted: keyNotGranted ?? space.sampleKey };
}
