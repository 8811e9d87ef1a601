/**
 * Direct examples of the coverage search (src/policy/coverage.ts): verdicts, witness keys, the cheap
 * first pass over the simple patterns, the three-valued logic of NotResource, the budget, the single-pattern
 * search `keyMatching` and the search's priority queue. Each policy is tiny and each expectation is worked
 * out by hand from IAM's wildcard rule (a segment-final `*` matches any run of characters, any other `*` a
 * run without `:`, `?` one character other than `:`) on the KMS key space
 * `arn:aws:kms:<region [a-z0-9-]+>:<account [0-9]{12}>:key/<id [A-Za-z0-9-]+>`, and every witness is
 * checked again with the independent regex oracle (oracle.ts).
 *
 * How a witness is chosen (coverage.ts): the search follows the sample key
 * `arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab` where it can, trying per
 * step the characters the patterns name (literals) and one character for each other way on; it finishes a
 * key with the sample key's rest from the state reached. From the key id's first character on, the rest is
 * empty (the key id's loop state accepts), so a key decided there ends after one key-id character; a key
 * decided in the region is finished with `:111122223333:key/1234abcd-...`. Keys not granted are searched
 * breadth first, smallest macrostate first; granted keys depth first, literals first. A region that the
 * patterns do not constrain ends after its first character, `u`, since every later region character leads
 * to the same macrostate, which the search does not visit twice.
 */
import { describe, expect, it } from 'vitest';
import {
  decideCoverage,
  isSimplePattern,
  keyMatching,
  MinHeap,
  TooComplexError,
} from '../../src/policy/coverage.js';
import { compilePattern } from '../../src/policy/glob.js';
import { keySpaceOf } from '../../src/policy/keyspace.js';
import { coverageQuery, decideChecked } from './coverage-cases.js';

const space = keySpaceOf('aws');
const SAMPLE = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const SAMPLE_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

const key = (region: string, id: string, account = '111122223333') =>
  `arn:aws:kms:${region}:${account}:key/${id}`;

describe('isSimplePattern: at most two stars per ARN segment and no `?` after a star', () => {
  it.each([
    ['arn:aws:kms:*:*:key/*', true],
    ['arn:aws:kms:*:*:key/*a*', true], // two stars in the key segment
    ['arn:aws:kms:*:*:key/*a*b*', false], // three (the last one segment-final)
    ['arn:aws:kms:*:*:key/*a*b*c', false], // three inner ones
    ['arn:aws:kms:*a*:*:key/*b*', true], // the count starts again after each `:`
    ['arn:aws:kms:*:*:key/*a?', false], // `?` after a star
    ['arn:aws:kms:us-east-?:*:key/*', true], // `?` before any star of its segment
    ['arn:aws:kms:*:?*:key/*', true], // the star before `?` is in the previous segment
    ['arn:aws:kms:us-east-1:111122223333:key/abc', true],
  ])('%s: %s', (source, simple) => {
    expect(isSimplePattern(compilePattern(source, true))).toBe(simple);
  });
});

describe('decideCoverage: policies decided before any search', () => {
  it('a star grants every key: ALL, the sample key as witness, without search work', () => {
    const policy = { allow: [{ resources: ['*'] }] };
    expect(decideChecked(policy, {}, { maxStates: 1, maxWork: 0 })).toEqual({
      coverage: 'ALL',
      keyGranted: SAMPLE,
    });
    const known = key('eu-west-1', 'k');
    expect(decideChecked(policy, { knownGranted: known })).toEqual({ coverage: 'ALL', keyGranted: known });
  });

  it('no Allow grants nothing: NONE, the sample key as witness, without search work', () => {
    expect(decideChecked({ allow: [] }, {}, { maxStates: 1, maxWork: 0 })).toEqual({
      coverage: 'NONE',
      keyNotGranted: SAMPLE,
    });
  });

  it('NotResource `*` allows nothing; a Deny on NotResource `*` denies nothing', () => {
    expect(decideChecked({ allow: [{ notResources: ['*'] }] })).toEqual({
      coverage: 'NONE',
      keyNotGranted: SAMPLE,
    });
    expect(decideChecked({ allow: [{ resources: ['*'] }], deny: [{ notResources: ['*'] }] })).toEqual({
      coverage: 'ALL',
      keyGranted: SAMPLE,
    });
  });
});

describe('decideCoverage: witnesses of PARTIAL and NONE', () => {
  it('key ids starting with `a`: granted `a`, not granted `1` (the sample key id starts with 1)', () => {
    expect(decideChecked({ allow: [{ resources: ['arn:aws:kms:*:*:key/a*'] }] })).toEqual({
      coverage: 'PARTIAL',
      keyGranted: key('u', 'a'),
      keyNotGranted: key('u', '1'),
    });
  });

  it('NotResource turns the set around', () => {
    expect(decideChecked({ allow: [{ notResources: ['arn:aws:kms:*:*:key/a*'] }] })).toEqual({
      coverage: 'PARTIAL',
      keyGranted: key('u', '1'),
      keyNotGranted: key('u', 'a'),
    });
  });

  it('a Deny on NotResource leaves only its own set: the sample region us-east-1', () => {
    // Keys not granted: any region other than us-east-1; the first region character tried that is not
    // `u` (which us-east-1 names) is `a`, which leaves us-east-1 at once.
    expect(
      decideChecked({ allow: [{ resources: ['*'] }], deny: [{ notResources: ['arn:aws:kms:us-east-1:*'] }] }),
    ).toEqual({
      coverage: 'PARTIAL',
      keyGranted: SAMPLE,
      keyNotGranted: key('a', SAMPLE_ID),
    });
  });

  it('Allow and Deny of the same set: NONE, the first key-id character tried is the sample one', () => {
    expect(
      decideChecked({
        allow: [{ resources: ['arn:aws:kms:*:*:key/a*'] }],
        deny: [{ resources: ['arn:aws:kms:*:*:key/a*'] }],
      }),
    ).toEqual({ coverage: 'NONE', keyNotGranted: key('u', '1') });
  });

  it('two region prefixes: the granted key follows the sample region `u`, the other one leaves both', () => {
    // Granted: regions e... with key ids a..., regions u... with key ids b.... Looking for a granted key
    // the sample's next character `u` is tried first among the literals `e` and `u`. Not granted: `a`
    // (the first character no pattern names) leaves both prefixes in the region.
    expect(
      decideChecked({ allow: [{ resources: ['arn:aws:kms:e*:*:key/a*', 'arn:aws:kms:u*:*:key/b*'] }] }),
    ).toEqual({
      coverage: 'PARTIAL',
      keyGranted: key('u', 'b'),
      keyNotGranted: key('a', SAMPLE_ID),
    });
  });

  it('regions starting or ending with `u`: the region `a` is neither', () => {
    expect(
      decideChecked({ allow: [{ resources: ['arn:aws:kms:u*:*:key/*', 'arn:aws:kms:*u:*:key/*'] }] }),
    ).toEqual({
      coverage: 'PARTIAL',
      keyGranted: key('u', SAMPLE_ID),
      keyNotGranted: key('a', SAMPLE_ID),
    });
  });

  it('a literal region prefix that leads to a denial is tried before the others', () => {
    // Granted: regions a...; denied: regions u.... The sample's `u` is a literal of the patterns, so it
    // is tried first also when looking for a key that is not granted.
    expect(
      decideChecked({
        allow: [{ resources: ['arn:aws:kms:a*'] }],
        deny: [{ resources: ['arn:aws:kms:u*'] }],
      }),
    ).toEqual({
      coverage: 'PARTIAL',
      keyGranted: key('a', SAMPLE_ID),
      keyNotGranted: key('u', SAMPLE_ID),
    });
  });

  it('looking for a granted key, the literal `e` goes before the other characters', () => {
    // Granted: region e... with key id a... (not b...), and any region with key id b... unless the region
    // starts with e. In the region, `e` (a literal) and `u` (the sample's) lead to incomparable states.
    expect(
      decideChecked({
        allow: [{ resources: ['arn:aws:kms:e*:*:key/a*', 'arn:aws:kms:*:*:key/b*'] }],
        deny: [{ resources: ['arn:aws:kms:e*:*:key/b*'] }],
      }),
    ).toEqual({ coverage: 'PARTIAL', keyGranted: key('e', 'a'), keyNotGranted: key('u', '1') });
  });

  it('denied key ids with `a` six from the end: the search keeps the state of the most `a`s', () => {
    // Denied: key ids with an `a` followed by exactly five more characters. After the first `a`, another
    // `a` keeps every pending match and starts one more, so its state subsumes that of any other
    // character, which the search then drops: the shortest denied key id is `aaaaaa`.
    expect(
      decideChecked({
        allow: [{ resources: ['*'] }],
        deny: [{ resources: ['arn:aws:kms:*:*:key/*a?????'] }],
      }),
    ).toEqual({ coverage: 'PARTIAL', keyGranted: key('u', '1'), keyNotGranted: key('u', 'aaaaaa') });
  });

  it('an inner `*` does not span `:`: this Deny matches no key', () => {
    // `*1:key/*` would need the region to end in 1 and be followed by `:key/`, with no account between.
    expect(
      decideChecked({ allow: [{ resources: ['*'] }], deny: [{ resources: ['arn:aws:kms:*1:key/*'] }] }),
    ).toEqual({ coverage: 'ALL', keyGranted: SAMPLE });
  });
});

describe('decideCoverage: the granted witness from the caller', () => {
  const policy = { allow: [{ resources: ['arn:aws:kms:*:111122223333:key/a1'] }] };
  // The search alone: region `u`; the account's first digit `0`, since `1` is the pattern's literal.
  const searched = { coverage: 'PARTIAL', keyNotGranted: key('u', SAMPLE_ID, '011122223333') };

  it('without candidates the search finds one', () => {
    expect(decideChecked(policy)).toEqual({ ...searched, keyGranted: key('u', 'a1') });
  });

  it('the first granted candidate (a prefix of a granted key and an other key id are not)', () => {
    const grantedCandidates = [
      key('us-east-1', 'b1'),
      key('us-east-1', 'a'),
      key('us-east-1', 'a1'),
      key('us-east-2', 'a1'),
    ];
    expect(decideChecked(policy, { grantedCandidates })).toEqual({
      ...searched,
      keyGranted: key('us-east-1', 'a1'),
    });
  });

  it('a known granted key wins over the candidates', () => {
    const knownGranted = key('eu-west-1', 'a1');
    expect(decideChecked(policy, { knownGranted, grantedCandidates: [key('us-east-1', 'a1')] })).toEqual({
      ...searched,
      keyGranted: knownGranted,
    });
  });
});

describe('decideCoverage: the first pass over the simple patterns', () => {
  it('when the simple patterns grant everything, the policy is ALL', () => {
    const policy = { allow: [{ resources: ['*', 'arn:aws:kms:*:*:key/*a?'] }] };
    expect(decideChecked(policy)).toEqual({ coverage: 'ALL', keyGranted: SAMPLE });
    const knownGranted = key('eu-west-1', 'k');
    expect(decideChecked(policy, { knownGranted })).toEqual({ coverage: 'ALL', keyGranted: knownGranted });
  });

  it('its witness, with a one-character key id, stands when the whole policy does not grant it', () => {
    // The simple pattern alone: region `a` is not granted, finished with the sample's rest up to the first
    // key-id character. `e*?` needs a region starting with e.
    const policy = { allow: [{ resources: ['arn:aws:kms:us-*:*:key/*', 'arn:aws:kms:e*?:*:key/*'] }] };
    expect(decideChecked(policy)).toEqual({
      coverage: 'PARTIAL',
      keyGranted: key('us-', SAMPLE_ID),
      keyNotGranted: key('a', '1'),
    });
  });

  it('its witness is dropped when the whole policy grants it: `*?` matches every region', () => {
    const policy = { allow: [{ resources: ['arn:aws:kms:*:*:key/a*', 'arn:aws:kms:*?:*:key/*'] }] };
    expect(decideChecked(policy)).toEqual({ coverage: 'ALL', keyGranted: SAMPLE });
  });

  it('its witness comes from a breadth-first search: the sample region `u` before `e`', () => {
    // The first pass: every key minus the regions u... and e.... Region `a` (one position fewer) is tried
    // first but leads only to granted keys; of `u` and `e` (alike in size), `u`, the sample's, came first.
    // The whole policy does not grant the key either (`x*?` needs a region starting with x).
    const policy = {
      allow: [{ resources: ['arn:aws:kms:*:*:key/*', 'arn:aws:kms:x*?:*:key/*'] }],
      deny: [{ resources: ['arn:aws:kms:e*:*:key/*'] }, { resources: ['arn:aws:kms:u*:*:key/*'] }],
    };
    expect(decideChecked(policy)).toEqual({
      coverage: 'PARTIAL',
      keyGranted: key('x', SAMPLE_ID),
      keyNotGranted: key('u', '1'),
    });
  });

  it('NotResource sets stay whole (dropping their patterns would grow them)', () => {
    // Granted: regions not starting with `us-` or exactly `us-`. Not granted: `us-` and one character;
    // `a`, the first one no pattern names. Finished with the sample's whole rest: no first pass ran.
    const policy = { allow: [{ notResources: ['arn:aws:kms:us-*?:*:key/*'] }] };
    expect(decideChecked(policy)).toEqual({
      coverage: 'PARTIAL',
      keyGranted: key('a', SAMPLE_ID),
      keyNotGranted: key('us-a', SAMPLE_ID),
    });
  });
});

describe('decideCoverage: the budget', () => {
  const partial = { allow: [{ resources: ['arn:aws:kms:*:*:key/a*'] }] };

  it('gives up when the search needs more macrostates than allowed', () => {
    expect(() => decideCoverage(space, coverageQuery(partial), { maxStates: 2, maxWork: 1e9 })).toThrow(
      TooComplexError,
    );
    expect(() => decideCoverage(space, coverageQuery(partial), { maxStates: 2, maxWork: 1e9 })).toThrow(
      /more than 2 automaton states/,
    );
  });

  it('counts the work of a one-step search exactly', () => {
    // `a*`: the start macrostate holds the root (1); the only character worth trying from the key space's
    // start is `a`, which moves the root to the node after `a` (1 moved, + 1 for the step) and that node's
    // star (a new macrostate of 2 positions, every key: settled, no more search). 1 + 2 + 2 = 5 units and
    // 2 macrostates, checked after the round.
    const policy = coverageQuery({ allow: [{ resources: ['a*'] }] });
    expect(decideCoverage(space, policy, { maxStates: 2, maxWork: 5 })).toEqual({
      coverage: 'ALL',
      keyGranted: SAMPLE,
    });
    expect(() => decideCoverage(space, policy, { maxStates: 2, maxWork: 4 })).toThrow(/more than 4 steps/);
    expect(() => decideCoverage(space, policy, { maxStates: 1, maxWork: 5 })).toThrow(
      /more than 1 automaton states/,
    );
  });

  it('counts the work of checking candidate keys', () => {
    // Search for a key not granted: the start (1), the 12 characters of `arn:aws:kms:` (each 1 moved + 1
    // for the step + a macrostate of 1 position), then `u`, which leaves `e*` (1 + an empty macrostate):
    // 38. The candidate, the sample key, is not granted: 12 characters with one position each, then `u`
    // with one: 13 more, 51. The search for a granted key replays the cached steps (no work) and checks
    // 51 after its first round; `e` then settles it.
    const policy = { allow: [{ resources: ['arn:aws:kms:e*'] }] };
    const candidates = { grantedCandidates: [SAMPLE] };
    expect(decideChecked(policy, candidates, { maxStates: 100, maxWork: 51 })).toEqual({
      coverage: 'PARTIAL',
      keyGranted: key('e', SAMPLE_ID),
      keyNotGranted: key('u', SAMPLE_ID),
    });
    expect(() =>
      decideCoverage(space, coverageQuery(policy, candidates), { maxStates: 100, maxWork: 50 }),
    ).toThrow(/more than 50 steps/);
  });

  it('counts the work of comparing macrostates', () => {
    // `*u:*` (region ending in u). Not granted: the start (1), 11 characters of `arn:aws:kms` (2 + 1
    // each), the `:` into the region (2 + a macrostate of the node and its star, 2): 38. In the region `u`
    // (2 moved + 1, a macrostate of 2) and `a` (1 moved + 1, a macrostate of 1), two comparisons of the
    // two (2 + 1 positions each): 52, checked; from `a`, `:` ends the region (+ 1) without a `u`. Granted:
    // the cached steps again (no work), the same two comparisons in the region: 59, checked; from `u`,
    // `:` then settles it.
    const policy = { allow: [{ resources: ['arn:aws:kms:*u:*'] }] };
    expect(decideChecked(policy, {}, { maxStates: 100, maxWork: 59 })).toEqual({
      coverage: 'PARTIAL',
      keyGranted: key('u', SAMPLE_ID),
      keyNotGranted: key('a', SAMPLE_ID),
    });
    expect(() => decideCoverage(space, coverageQuery(policy), { maxStates: 100, maxWork: 58 })).toThrow(
      /more than 58 steps/,
    );
  });

  it('counts only the steps it has not taken before', () => {
    // `e*:*`. Not granted: 1 + 12 x 3 for `arn:aws:kms:`, then `u` (1, an empty macrostate): 38. Granted:
    // the same steps again from the cache (no work), `u` included; `e` moves 1 (+ 1) into a macrostate of
    // the node and its star (2): 42, checked; then `:` settles it.
    const policy = { allow: [{ resources: ['arn:aws:kms:e*:*'] }] };
    expect(decideChecked(policy, {}, { maxStates: 100, maxWork: 42 })).toEqual({
      coverage: 'PARTIAL',
      keyGranted: key('e', SAMPLE_ID),
      keyNotGranted: key('u', SAMPLE_ID),
    });
    expect(() => decideCoverage(space, coverageQuery(policy), { maxStates: 100, maxWork: 41 })).toThrow(
      /more than 41 steps/,
    );
  });

  it('compares no macrostate with itself', () => {
    // `*:e*` matches no key (its star may swallow `:`s, but the segment after the last `:` must start
    // with e, and a key's starts with k). Not granted: 1 + 11 x 3, the `:` into the region (2 + 2): 38; `u`
    // (2 + 1): 41; in the region `:` (3 + 2) and `a`, which moves the star (2) back into the macrostate it
    // came from: met again, not compared: 48; the account's first digit (2, the same star-only
    // macrostate), its second at one colon fewer (2): 52; the other digits from the cache; `:` (3, + 1: the
    // star cannot cross the key id) 56; `k` (1) ends it: 57. Granted: every step from the cache, `a`
    // again met, not compared: 57, checked; no key found.
    const policy = { allow: [{ resources: ['arn:aws:kms:*:e*'] }] };
    expect(decideChecked(policy, {}, { maxStates: 100, maxWork: 57 })).toEqual({
      coverage: 'NONE',
      keyNotGranted: key('u', SAMPLE_ID),
    });
    expect(() => decideCoverage(space, coverageQuery(policy), { maxStates: 100, maxWork: 56 })).toThrow(
      /more than 56 steps/,
    );
  });

  it('gives up when the search needs any work beyond an empty budget', () => {
    // Every round of the search steps at least one character, which counts.
    expect(() => decideCoverage(space, coverageQuery(partial), { maxStates: 1e6, maxWork: 0 })).toThrow(
      /more than 0 steps/,
    );
  });
});

describe('keyMatching: a key that one pattern matches', () => {
  it.each([
    // A trailing `*` is finished with the sample key's rest.
    ['*', SAMPLE],
    ['arn:aws:kms:*', SAMPLE],
    ['arn:aws:kms:eu-*:*:key/*', key('eu-', SAMPLE_ID)],
    // An inner `*` matches the empty run, `?` the first character of the preference order.
    ['arn:aws:kms:*:*:key/*x*', key('u', 'x')],
    ['arn:aws:kms:*:*:key/a?c', key('u', 'aac')],
  ])('%s: %s', (source, expected) => {
    expect(keyMatching(space, compilePattern(source, true))).toBe(expected);
  });

  it.each([
    ['an empty key id', 'arn:aws:kms:us-east-1:111122223333:key/'],
    ['a prefix of a key', 'arn:aws:kms:us-east-1'],
    ['an alias', 'arn:aws:kms:*:*:alias/*'],
    ['a per-request variable', 'arn:aws:kms:*:*:key/${aws:username}'],
    ['a character outside ASCII', 'arn:aws:kms:\u00e1*'],
  ])('%s matches no key: %s', (_name, source) => {
    expect(keyMatching(space, compilePattern(source, true))).toBeUndefined();
  });
});

describe('MinHeap: pops by priority, then by node index', () => {
  it('pops in (priority, node) order whatever the push order', () => {
    const heap = new MinHeap();
    const pushed: [number, number][] = [
      [4, 0],
      [2, 1],
      [2, 2],
      [7, 3],
      [1, 4],
      [2, 5],
      [1, 6],
      [9, 7],
      [0, 8],
    ];
    for (const [priority, node] of pushed) heap.push(priority, node);
    expect(heap.size).toBe(9);
    const popped: number[] = [];
    while (heap.size > 0) popped.push(heap.pop());
    // Sorted by hand: (0,8) (1,4) (1,6) (2,1) (2,2) (2,5) (4,0) (7,3) (9,7).
    expect(popped).toEqual([8, 4, 6, 1, 2, 5, 0, 3, 7]);
  });

  it('breaks ties by the smaller node index, also when pushed in reverse', () => {
    const heap = new MinHeap();
    for (const node of [9, 5, 7, 1, 3]) heap.push(3, node);
    const popped: number[] = [];
    while (heap.size > 0) popped.push(heap.pop());
    expect(popped).toEqual([1, 3, 5, 7, 9]);
  });

  it('moves a larger root down to its smaller right child', () => {
    const heap = new MinHeap();
    // Pushed in this order, the array is [1, 5, 2, 6, 7, 3, 4] (a heap: no push moves up). The first pop
    // puts 4 at the root, whose right child 2 is the smaller one.
    for (const [priority, node] of [
      [1, 0],
      [5, 1],
      [2, 2],
      [6, 3],
      [7, 4],
      [3, 5],
      [4, 6],
    ] as const)
      heap.push(priority, node);
    const popped: number[] = [];
    while (heap.size > 0) popped.push(heap.pop());
    expect(popped).toEqual([0, 2, 5, 6, 1, 3, 4]);
  });

  it('keeps the order when pushes and pops interleave', () => {
    const heap = new MinHeap();
    heap.push(5, 0);
    heap.push(3, 1);
    expect(heap.pop()).toBe(1);
    heap.push(4, 2);
    heap.push(6, 3);
    heap.push(1, 4);
    expect(heap.pop()).toBe(4);
    expect(heap.pop()).toBe(2);
    heap.push(5, 5);
    expect([heap.pop(), heap.pop(), heap.pop()]).toEqual([0, 5, 3]);
    expect(heap.size).toBe(0);
  });
});
