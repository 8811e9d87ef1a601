/**
 * The KMS key space of a partition as a DFA (src/policy/keyspace.ts), checked against the key ARN grammar
 * written out by hand: `arn:<partition>:kms:<region [a-z0-9-]+>:<account [0-9]{12}>:key/<id [A-Za-z0-9-]+>`.
 *
 * keySpaceOf builds each partition's space once and keeps it. Each test here uses a partition of its own
 * (two letters, never used elsewhere), so that each one builds its space: with per-test coverage a mutant
 * in the builder then runs against every test below, not only against whichever test built `aws` first.
 */
import { describe, expect, it } from 'vitest';
import type { KeySpace } from '../../src/policy/keyspace.js';
import { isValidPartition, keySpaceOf } from '../../src/policy/keyspace.js';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ACCOUNT = '111122223333';
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
/** The sample key of a two-letter partition. */
const sampleOf = (partition: string): string => `arn:${partition}:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`;

/**
 * The states of a two-letter partition, numbered as the DFA visits them: 0-10 read `arn:xy:kms:`, 11 is
 * before the region, 12 inside it, 13-24 before each account digit, 25-29 read `:key/`, 30 is before the
 * key id and 31 inside it (the one accepting state).
 */
const REGION_FIRST = 11;
const REGION_LOOP = 12;
const FIRST_DIGIT = 13;
const KEY_ID_FIRST = 30;
const FINAL = 31;
const STATE_COUNT = 32;

/** Runs the DFA on a text: whether it ends in an accepting state. */
function accepts(space: KeySpace, text: string): boolean {
  let state = 0;
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (code >= 128) return false;
    state = space.transitions[state * 128 + code]!;
    if (state < 0) return false;
  }
  return space.accepting[state] === 1;
}

const codes = (text: string): number[] => [...text].map((ch) => ch.charCodeAt(0));

describe('keySpaceOf', () => {
  it('accepts exactly the key ARNs of its partition', () => {
    const space = keySpaceOf('ka');
    for (const key of [
      sampleOf('ka'),
      'arn:ka:kms:x:000000000000:key/A',
      'arn:ka:kms:9-z:999999999999:key/Zz-09',
      'arn:ka:kms:-:123456789012:key/-',
    ]) {
      expect(accepts(space, key), key).toBe(true);
    }
    for (const text of [
      '',
      'arn:ka:kms:',
      'arn:ka:kms:us-east-1:111122223333:key/',
      'arn:ka:kms::111122223333:key/a',
      'arn:ka:kms:US:111122223333:key/a',
      'arn:ka:kms:u_s:111122223333:key/a',
      'arn:ka:kms:us:11112222333:key/a',
      'arn:ka:kms:us:1111222233334:key/a',
      'arn:ka:kms:us:11112222333a:key/a',
      'arn:ka:kms:us:111122223333:key/a_b',
      'arn:ka:kms:us:111122223333:key/a:',
      'arn:ka:kms:us:111122223333:key/a/b',
      'arn:ka:kms:us:111122223333:alias/a',
      'arn:kb:kms:us:111122223333:key/a',
      'arn:ka:s3:us:111122223333:key/a',
      'arn:ka:kms:us:111122223333:key/caf\u00e9',
    ]) {
      expect(accepts(space, text), text).toBe(false);
    }
  });

  it('has one state per position of the grammar, the last one accepting', () => {
    const space = keySpaceOf('kb');
    expect(space.partition).toBe('kb');
    expect(space.stateCount).toBe(STATE_COUNT);
    expect(space.transitions).toHaveLength(STATE_COUNT * 128);
    const accepting = new Array<number>(STATE_COUNT).fill(0);
    accepting[FINAL] = 1;
    expect([...space.accepting]).toEqual(accepting);
    expect(space.sampleKey).toBe(sampleOf('kb'));
    // A longer partition name has as many more states as it has more characters.
    expect(keySpaceOf('kb-longer').stateCount).toBe(STATE_COUNT + 7);
  });

  it('lists the characters that occur in some key ARN, by code', () => {
    const space = keySpaceOf('kc');
    expect(space.alphabet).toEqual(codes(`-/${DIGITS}:${UPPER}${LOWER}`));
  });

  it('gives, for each state, the rest of the sample key from its last visit', () => {
    const space = keySpaceOf('kd');
    const sample = sampleOf('kd');
    const rest = `:key/${KEY_ID}`;
    const expected = [
      // 0-11: the literal prefix and the start of the region, each visited once.
      ...Array.from({ length: REGION_FIRST + 1 }, (_, state) => sample.slice(state)),
      // 12: the region's loop, left last before the ':' that ends `us-east-1`.
      `:${ACCOUNT}${rest}`,
      // 13-24: before each account digit.
      ...Array.from({ length: 12 }, (_, digit) => ACCOUNT.slice(digit) + rest),
      // 25-29: `:key/`.
      rest,
      rest.slice(1),
      rest.slice(2),
      rest.slice(3),
      rest.slice(4),
      // 30: before the key id; 31: accepting, nothing left.
      KEY_ID,
      '',
    ];
    expect(space.completions).toEqual(expected);
    // Each completion leads from its state to acceptance.
    expect(accepts(space, sample.slice(0, 5) + space.completions[5]!)).toBe(true);
  });

  it("orders each state's codes: the sample key's next character first, then letters, digits, capitals", () => {
    const space = keySpaceOf('ke');
    const prefix = 'arn:ke:kms:';
    const expected: number[][] = [];
    for (const ch of prefix) expected.push(codes(ch));
    // Before the region: `u` (of us-east-1) first, then [a-z0-9-] in preference order.
    expected.push(codes(`u${LOWER.replace('u', '')}${DIGITS}-`));
    // Inside the region: the ':' that ends it first (the sample key's way out), then the region characters.
    expected.push(codes(`:${LOWER}${DIGITS}-`));
    // Before each account digit: the sample account's digit first, then the other digits.
    for (const digit of ACCOUNT) expected.push(codes(digit + DIGITS.replace(digit, '')));
    for (const ch of ':key/') expected.push(codes(ch));
    // Before the key id: `1` first.
    expected.push(codes(`1${LOWER}${DIGITS.replace('1', '')}${UPPER}-`));
    // Inside the key id: accepting, no next character in the sample, so preference order alone.
    expected.push(codes(`${LOWER}${DIGITS}${UPPER}-`));
    expect(space.codesByState.map((list) => [...list])).toEqual(expected);
  });

  it("splits each state's codes by the state they lead to, keeping their order", () => {
    const space = keySpaceOf('kf');
    expect(space.codesByTarget).toHaveLength(STATE_COUNT);
    for (let state = 0; state < STATE_COUNT; state++) {
      if (state === REGION_LOOP) continue;
      // Every other state sends all its codes to one state.
      expect(space.codesByTarget[state], `state ${state}`).toEqual([[...space.codesByState[state]!]]);
    }
    // The region's loop: ':' leaves the region, the region characters stay in it.
    expect(space.codesByTarget[REGION_LOOP]).toEqual([codes(':'), codes(`${LOWER}${DIGITS}-`)]);
    expect(space.transitions[REGION_LOOP * 128 + 58]).toBe(FIRST_DIGIT);
    expect(space.transitions[REGION_LOOP * 128 + 97]).toBe(REGION_LOOP);
    expect(space.transitions[KEY_ID_FIRST * 128 + 65]).toBe(FINAL);
    expect(space.transitions[FINAL * 128 + 65]).toBe(FINAL);
  });

  it('builds a partition once and gives the same space again', () => {
    expect(keySpaceOf('kg')).toBe(keySpaceOf('kg'));
  });

  it('refuses an invalid partition name', () => {
    expect(() => keySpaceOf('Kh')).toThrow(/invalid partition "Kh"/);
    expect(() => keySpaceOf('')).toThrow(/invalid partition/);
    expect(() => keySpaceOf('k:h')).toThrow(/invalid partition/);
  });
});

describe('isValidPartition', () => {
  it('accepts a lower-case letter followed by up to 31 of [a-z0-9-]', () => {
    for (const name of ['aws', 'aws-cn', 'aws-us-gov', 'a', `a${'b1-'.repeat(10)}c`]) {
      expect(isValidPartition(name), name).toBe(true);
    }
    for (const name of ['', 'Aws', '1aws', '-aws', 'aws_cn', 'aws:cn', 'aws\n', `a${'b'.repeat(32)}`]) {
      expect(isValidPartition(name), JSON.stringify(name)).toBe(false);
    }
  });
});
