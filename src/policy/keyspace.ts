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
  /** Codes the DFA treats alike share a group (same transitions from every state). */
  readonly codeGroup: Int32Array;
  readonly codeGroupCount: number;
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

  // Walk the sample key to learn, for each state, a realistic way to finish a key from there.
  const sampleKey = `arn:${partition}:kms:${SAMPLE_REGION}:${SAMPLE_ACCOUNT}:key/${SAMPLE_KEY_ID}`;
  // The last visit of a looping state gives the shortest realistic way out of it.
  const completions: string[] = new Array<string>(stateCount).fill('');
  let current = 0;
  for (let i = 0; i <= sampleKey.length; i++) {
    completions[current] = accepting[current] ? '' : sampleKey.slice(i);
    if (i === sampleKey.length) break;
    current = transitions[current * 128 + sampleKey.charCodeAt(i)]!;
    if (current < 0) throw new Error(`sample key does not belong to the key space of ${partition}`);
  }
  const alphabet: number[] = [];
  for (let c = 0; c < 128; c++) {
    for (let s = 0; s < stateCount; s++) {
      if (transitions[s * 128 + c]! >= 0) {
        alphabet.push(c);
        break;
      }
    }
  }
  const preferred = [...PREFERENCE].map((ch) => ch.charCodeAt(0));
  const ordered = [
    ...preferred.filter((c) => alphabet.includes(c)),
    ...alphabet.filter((c) => !preferred.includes(c)),
  ];
  const codesByState: Int32Array[] = [];
  for (let s = 0; s < stateCount; s++) {
    const next = completions[s]!.charCodeAt(0);
    const codes = ordered.filter((c) => transitions[s * 128 + c]! >= 0 && c !== next);
    if (!Number.isNaN(next)) codes.unshift(next);
    codesByState.push(Int32Array.from(codes));
  }
  const codeGroup = new Int32Array(128).fill(-1);
  const groups = new Map<string, number>();
  for (const code of alphabet) {
    let column = '';
    for (let s = 0; s < stateCount; s++) column += `${transitions[s * 128 + code]},`;
    let id = groups.get(column);
    if (id === undefined) {
      id = groups.size;
      groups.set(column, id);
    }
    codeGroup[code] = id;
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
    codeGroup,
    codeGroupCount: groups.size,
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
