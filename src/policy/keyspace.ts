/**
 * The KMS key space of one partition as a DFA over ASCII:
 *   arn:<partition>:kms:<region [a-z0-9-]+>:<account [0-9]{12}>:key/<key-id [A-Za-z0-9-]+>
 * "All KMS keys" means every string of this language.
 */

export interface KeySpace {
  readonly partition: string;
  readonly stateCount: number;
  /** transitions[state * 128 + code] = next state, or -1. */
  readonly transitions: Int16Array;
  readonly accepting: Uint8Array;
  /** For each state, a suffix that leads from it to acceptance (taken from a realistic sample key). */
  readonly completions: string[];
  /** Character codes that some state accepts. */
  readonly alphabet: number[];
  /** A realistic key ARN of this partition. */
  readonly sampleKey: string;
  /** For each state, the codes it accepts: the sample key's next character first, then by preference. */
  readonly codesByState: Int32Array[];
  /** For each state, its accepted codes split by target state, each list in preference order. */
  readonly codesByTarget: number[][][];
}

/** Characters in the order witnesses should prefer them, so that they look like real key ARNs. */
const PREFERENCE = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-:/';

const SAMPLE_REGION = 'us-east-1';
const SAMPLE_ACCOUNT = '111122223333';
const SAMPLE_KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

function charSet(ranges: string): number[] {
  const codes: number[] = [];
  for (const part of ranges.split(' ')) {
    if (part.length === 3 && part[1] === '-') {
      for (let c = part.charCodeAt(0); c <= part.charCodeAt(2); c++) codes.push(c);
    } else {
      for (const ch of part) codes.push(ch.charCodeAt(0));
    }
  }
  return codes;
}

const REGION_CHARS = charSet('a-z 0-9 -');
const DIGITS = charSet('0-9');
const KEY_ID_CHARS = charSet('a-z A-Z 0-9 -');

function buildKeySpace(partition: string): KeySpace {
  const rows: Int16Array[] = [];
  let state = 0;
  const row = (s: number): Int16Array => {
    while (rows.length <= s) rows.push(new Int16Array(128).fill(-1));
    return rows[s]!;
  };
  const literal = (text: string): void => {
    for (const ch of text) {
      row(state)[ch.charCodeAt(0)] = state + 1;
      state++;
    }
  };
  /** One or more characters of a class: a first state, then a looping one. */
  const oneOrMore = (codes: number[]): void => {
    for (const c of codes) row(state)[c] = state + 1;
    for (const c of codes) row(state + 1)[c] = state + 1;
    state++;
  };
  literal(`arn:${partition}:kms:`);
  oneOrMore(REGION_CHARS);
  literal(':');
  for (let i = 0; i < 12; i++) {
    for (const c of DIGITS) row(state)[c] = state + 1;
    state++;
  }
  literal(':key/');
  oneOrMore(KEY_ID_CHARS);
  const finalState = state;
  row(finalState);

  const stateCount = rows.length;
  const transitions = new Int16Array(stateCount * 128);
  rows.forEach((r, s) => transitions.set(r, s * 128));
  const accepting = new Uint8Array(stateCount);
  accepting[finalState] = 1;

  // Walk the sample key to learn, for each state, a realistic way to finish a key from there: the rest of
  // the sample key after the state's last visit (for a looping state, the shortest realistic way out of it).
  const sampleKey = `arn:${partition}:kms:${SAMPLE_REGION}:${SAMPLE_ACCOUNT}:key/${SAMPLE_KEY_ID}`;
  // Stryker disable next-line ArrayDeclaration: the walk visits every state, so every entry is set below.
  const completions = new Array<string>(stateCount);
  let current = 0;
  let rest = sampleKey;
  for (const ch of sampleKey) {
    completions[current] = rest;
    rest = rest.slice(1);
    current = transitions[current * 128 + ch.charCodeAt(0)]!;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: never true (the sample key is built from the grammar's own parts, and no transition leads to state 0); only guards edits of the constants.
    if (current < 0) throw new Error(`sample key does not belong to the key space of ${partition}`);
  }
  // The walk ends in the accepting state, with nothing left.
  completions[current] = rest;
  // The codes some state accepts.
  const alphabet = Array.from({ length: 128 }, (_, c) => c).filter((c) => rows.some((r) => r[c] !== -1));
  const preferred = [...PREFERENCE].map((ch) => ch.charCodeAt(0));
  // Codes no state accepts are left out below (codesByState keeps only codes with a transition).
  // Stryker disable next-line ArrowFunction: every character of a key ARN is in PREFERENCE, so this list is empty either way; it only keeps a character added to the grammar but not to PREFERENCE.
  const ordered = [...preferred, ...alphabet.filter((c) => !preferred.includes(c))];
  const codesByState: Int32Array[] = [];
  for (let s = 0; s < stateCount; s++) {
    const next = completions[s]!.charCodeAt(0);
    const codes = ordered.filter((c) => transitions[s * 128 + c] !== -1 && c !== next);
    if (!Number.isNaN(next)) codes.unshift(next);
    codesByState.push(Int32Array.from(codes));
  }
  const codesByTarget = codesByState.map((codes, s) => {
    const byTarget = new Map<number, number[]>();
    for (const code of codes) {
      const target = transitions[s * 128 + code]!;
      const list = byTarget.get(target) ?? [];
      list.push(code);
      byTarget.set(target, list);
    }
    return [...byTarget.values()];
  });
  return {
    codesByTarget,
    partition,
    stateCount,
    transitions,
    accepting,
    completions,
    alphabet,
    sampleKey,
    codesByState,
  };
}

const PARTITION_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
const keySpaces = new Map<string, KeySpace>();

export function isValidPartition(partition: string): boolean {
  return PARTITION_PATTERN.test(partition);
}

export function keySpaceOf(partition: string): KeySpace {
  let space = keySpaces.get(partition);
  if (space === undefined) {
    if (!isValidPartition(partition)) throw new Error(`invalid partition ${JSON.stringify(partition)}`);
    space = buildKeySpace(partition);
    keySpaces.set(partition, space);
  }
  return space;
}
