/**
 * Direct examples of the coverage search's automaton (src/policy/coverage.ts): how the patterns become one
 * NFA, which positions a step keeps, when a macrostate settles, and the search's state budget. Each
 * expected verdict is worked out by hand from IAM's wildcard rules in the KMS key space
 * `arn:aws:kms:<region>:<account>:key/<id>` (a segment-final `*` spans colons, any other `*` and every `?`
 * stay within their segment), and every granted or not granted key is also checked with the independent
 * regex matcher (oracle.ts). Inputs are tiny: these tests run once per mutant in the mutation run.
 */
import { describe, expect, it } from 'vitest';
import type { CoverageAnswer, CoverageQuery } from '../../src/policy/coverage.js';
import { decideCoverage, TooComplexError } from '../../src/policy/coverage.js';
import { keySpaceOf } from '../../src/policy/keyspace.js';
import { grants } from './oracle.js';
import type { SmallPolicy } from './coverage-cases.js';
import { ACTION, coverageQuery, decideChecked, oracleStatements } from './coverage-cases.js';

const space = keySpaceOf('aws');
/** keyspace.ts's realistic sample key: the engine finishes witnesses with its suffixes. */
const SAMPLE = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const GENEROUS = { maxStates: 1_000_000, maxWork: 1_000_000_000 };

/** This file's shorthand: the patterns of one Resource list per kind, and NotResource lists. */
interface Policy {
  allow?: readonly string[];
  notAllow?: readonly (readonly string[])[];
  deny?: readonly string[];
  notDeny?: readonly (readonly string[])[];
}

function setsOf(policy: Policy): SmallPolicy {
  return {
    allow: [
      ...(policy.allow ? [{ resources: policy.allow }] : []),
      ...(policy.notAllow ?? []).map((notResources) => ({ notResources })),
    ],
    deny: [
      ...(policy.deny ? [{ resources: policy.deny }] : []),
      ...(policy.notDeny ?? []).map((notResources) => ({ notResources })),
    ],
  };
}

const queryOf = (policy: Policy): CoverageQuery => coverageQuery(setsOf(policy));

/** The engine's answer, with its witnesses checked against the oracle. */
const decide = (policy: Policy, extra: Partial<CoverageQuery> = {}): CoverageAnswer =>
  decideChecked(setsOf(policy), extra, GENEROUS);

/**
 * Whether the engine grants one concrete key: given as the only granted candidate, it comes back as the
 * granted witness exactly when the engine's run of the NFA on it accepts (otherwise the engine searches
 * for a granted key of its own, which the oracle check in `decide` keeps honest).
 */
function engineGrants(policy: Policy, key: string): boolean {
  const answer = decide(policy, { grantedCandidates: [key] });
  return answer.coverage === 'ALL' || answer.keyGranted === key;
}

const KEY = (region: string, account: string, id: string) => `arn:aws:kms:${region}:${account}:key/${id}`;

describe('concrete keys run through the pattern automaton', () => {
  it.each([
    // [policy, key, granted] -- worked out by hand.
    [
      'inner star, within its segment',
      { allow: ['arn:aws:kms:us-*-1:*:key/*'] },
      KEY('us-east-1', '111122223333', 'k'),
      true,
    ],
    [
      'inner star, other region',
      { allow: ['arn:aws:kms:us-*-1:*:key/*'] },
      KEY('eu-west-1', '111122223333', 'k'),
      false,
    ],
    [
      'inner star needs at least its literals',
      { allow: ['arn:aws:kms:us-*-1:*:key/*'] },
      KEY('us-1', '111122223333', 'k'),
      false,
    ],
    [
      'inner star cannot cross a colon',
      { allow: ['arn:aws:kms:us-east-1*3:key/*'] },
      KEY('us-east-1', '111122223333', 'k'),
      false,
    ],
    [
      '? cannot match a colon',
      { allow: ['arn:aws:kms:us-east-1?111122223333:key/*'] },
      KEY('us-east-1', '111122223333', 'k'),
      false,
    ],
    [
      '? matches one character',
      { allow: ['arn:aws:kms:u?-east-1:*:key/*'] },
      KEY('us-east-1', '111122223333', 'k'),
      true,
    ],
    ['literal id', { allow: ['arn:aws:kms:*:*:key/ab'] }, KEY('us-east-1', '111122223333', 'ab'), true],
    [
      'literal id, a character inserted',
      { allow: ['arn:aws:kms:*:*:key/ab'] },
      KEY('us-east-1', '111122223333', 'axb'),
      false,
    ],
    [
      'literal id, too long',
      { allow: ['arn:aws:kms:*:*:key/ab'] },
      KEY('us-east-1', '111122223333', 'abb'),
      false,
    ],
    [
      'literal id, a prefix only',
      { allow: ['arn:aws:kms:*:*:key/ab'] },
      KEY('us-east-1', '111122223333', 'a'),
      false,
    ],
    [
      'NotResource of every key',
      { notAllow: [['arn:aws:kms:*:key/*']] },
      KEY('eu-west-1', '211122223333', 'ba1'),
      false,
    ],
    [
      'NotResource of other ids',
      { notAllow: [['arn:aws:kms:*:*:key/b*']] },
      KEY('eu-west-1', '211122223333', 'a1'),
      true,
    ],
    [
      'NotResource of this id',
      { notAllow: [['arn:aws:kms:*:*:key/b*']] },
      KEY('eu-west-1', '211122223333', 'ba1'),
      false,
    ],
    [
      'Deny of this id',
      { allow: ['*'], deny: ['arn:aws:kms:*:*:key/a?'] },
      KEY('eu-west-1', '211122223333', 'ab'),
      false,
    ],
    [
      'Deny of other ids',
      { allow: ['*'], deny: ['arn:aws:kms:*:*:key/a?'] },
      KEY('eu-west-1', '211122223333', 'abc'),
      true,
    ],
  ] as const)('%s', (_name, policy, key, granted) => {
    expect(grants(oracleStatements(setsOf(policy)), ACTION, key)).toBe(granted);
    expect(engineGrants(policy, key)).toBe(granted);
  });

  it('keeps an end apart from a look-alike node that is not one (key/a, key/ab, key/cab)', () => {
    // After `key/a` and after `key/ca` the automaton has the same edges (`b`, then the end), but only the
    // first is itself an end: key/ca is not granted.
    const policy = { allow: ['arn:aws:kms:*:*:key/a', 'arn:aws:kms:*:*:key/ab', 'arn:aws:kms:*:*:key/cab'] };
    const granted = ['a', 'ab', 'cab'].map((id) =>
      engineGrants(policy, KEY('us-east-1', '111122223333', id)),
    );
    expect(granted).toEqual([true, true, true]);
    expect(engineGrants(policy, KEY('us-east-1', '111122223333', 'ca'))).toBe(false);
    expect(engineGrants(policy, KEY('us-east-1', '111122223333', 'c'))).toBe(false);
  });
});

describe('verdicts and witnesses', () => {
  it('a pattern that ends before the key id matches no key: NONE, and as a Deny it takes nothing away', () => {
    // `arn:aws:kms:*:*:key` ends where every key continues with `/`.
    expect(decide({ allow: ['arn:aws:kms:*:*:key'] }).coverage).toBe('NONE');
    expect(decide({ allow: ['*'], deny: ['arn:aws:kms:*:*:key'] }).coverage).toBe('ALL');
    expect(
      decide({ allow: ['arn:aws:kms:*:key/*', 'arn:aws:kms:us-east-1:*'], deny: ['arn:aws:kms:*:*:key'] })
        .coverage,
    ).toBe('ALL');
  });

  it('a trailing star settles the key at once: the granted witness is finished with the sample key', () => {
    // Once `arn:aws:kms:us-west-2:` is read every completion is granted, so the rest is the sample key's.
    const answer = decide({ allow: ['arn:aws:kms:us-west-2:*'] });
    expect(answer.coverage).toBe('PARTIAL');
    expect(answer.keyGranted).toBe(
      'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    );
  });

  it('NotResource `*` grants none, decided before reading a character: the sample key', () => {
    expect(decide({ notAllow: [['*']] })).toEqual({ coverage: 'NONE', keyNotGranted: SAMPLE });
  });

  it('a per-request variable matches no key: NONE at once, with the sample key', () => {
    expect(decide({ allow: ['arn:aws:kms:*:*:key/${aws:username}'] })).toEqual({
      coverage: 'NONE',
      keyNotGranted: SAMPLE,
    });
  });

  it('a pattern with four colons where keys have five is dropped before the first character', () => {
    // `arn:aws:kms:us-east-1*3:key/ab` needs exactly four colons in all: no key has that, so nothing is
    // left to run once the colons are counted, and the answer is the sample key at once.
    expect(decide({ allow: ['arn:aws:kms:us-east-1*3:key/ab'] })).toEqual({
      coverage: 'NONE',
      keyNotGranted: SAMPLE,
    });
  });

  it('a non-ASCII character matches no key character: NONE', () => {
    expect(decide({ allow: ['arn:aws:kms:*:*:key/é*'] }).coverage).toBe('NONE');
    expect(decide({ allow: ['arn:aws:kms:*1:*3:key/é*'] }).coverage).toBe('NONE');
  });

  it('a literal id is granted only in full', () => {
    const answer = decide({ allow: ['arn:aws:kms:*:*:key/ab'] });
    expect(answer.coverage).toBe('PARTIAL');
    expect(answer.keyGranted).toMatch(/:key\/ab$/);
  });

  it('NotResource sets: keys in every excluded set are not granted, the others are', () => {
    // key/1 is in no excluded set (granted); key/aa is in all of them (not granted).
    const policies: Policy[] = [
      { notAllow: [['arn:aws:kms:*:*:key/*a??']] },
      { notAllow: [['arn:aws:kms:*:*:key/*a??', 'arn:aws:kms:u?-east-1:2*:key/a*b']] },
      { notAllow: [['arn:aws:kms:*:*:key/a?'], ['arn:aws:kms:*:*:key/a*']] },
      {
        notAllow: [
          ['arn:aws:kms:?*:?1*:key/b*', 'arn:aws:kms:us-*:1*:key/a?'],
          ['arn:aws:kms:?*:?1*:key/a*'],
        ],
      },
    ];
    for (const policy of policies) expect(decide(policy).coverage).toBe('PARTIAL');
  });

  it('NotResource of every key adds nothing: us-east-1, account ?1, id *a? is PARTIAL', () => {
    // `arn:aws:*:key/*` spans service, region and account (its star ends a segment): it holds every key,
    // so that NotResource statement allows none, and the Allow grants e.g. key/aa in us-east-1.
    const answer = decide({
      allow: ['arn:aws:kms:us-east-1:?1*:key/*a?'],
      notAllow: [['arn:aws:*:key/*', 'arn:aws:kms:*a*:?1*:key/a?']],
    });
    expect(answer.coverage).toBe('PARTIAL');
    expect(answer.keyGranted).toMatch(/^arn:aws:kms:us-east-1:\d1\d{10}:key\/[^:]*a.$/);
  });

  it('a Deny of every key but key id `a` leaves nothing the Allows grant (ids of two or more): NONE', () => {
    // NotResource `arn:aws:kms:*a*:*:key/a` denies every key whose id is not exactly `a`; both Allows
    // need an id of at least two characters.
    const policy = {
      allow: ['arn:aws:kms:*:1*:key/*a?', 'arn:aws:kms:*1:?1*:key/a?'],
      notDeny: [['arn:aws:kms:*a*:*:key/a']],
    };
    expect(decide(policy).coverage).toBe('NONE');
  });

  it('with a pattern the search finds costly, the quick witness has a one-character key id', () => {
    // `*a??` (a `?` after a star) is left out of the quick search, which then has no Allow at all: the
    // sample key cut one character after its `/` is the first key it tries, and the full policy does not
    // grant it (its id is shorter than `a??`).
    const answer = decide({ allow: ['arn:aws:kms:*:*:key/*a??'] });
    expect(answer.coverage).toBe('PARTIAL');
    expect(answer.keyNotGranted).toBe('arn:aws:kms:us-east-1:111122223333:key/1');
  });

  it('a key id of 255 equal characters (more literal edges than character classes fit in a byte)', () => {
    const id = 'x'.repeat(255);
    const answer = decide({ allow: [`arn:aws:kms:*:*:key/${id}`] });
    expect(answer.coverage).toBe('PARTIAL');
    expect(answer.keyGranted).toMatch(new RegExp(`:key/${id}$`));
  });

  it('tries literal characters in a fixed order: the same witness whatever the order of the patterns', () => {
    // Both `y` and `z` finish a granted key at once, so either may be the witness, but not one for one
    // order of the Resource entries and the other for the other.
    const patterns = ['arn:aws:kms:*:*:key/z*', 'arn:aws:kms:*:*:key/*x', 'arn:aws:kms:*:*:key/y*'];
    const [forward, backward] = [patterns, [...patterns].reverse()].map(
      (allow) => decide({ allow }).keyGranted,
    );
    expect(forward).toMatch(/:key\/[yz]$/);
    expect(backward).toBe(forward);
  });
});

describe('the search budget', () => {
  it('counts macrostates: `*` is decided from the start state alone', () => {
    const query = queryOf({ allow: ['*'] });
    expect(decideCoverage(space, query, { maxStates: 1, maxWork: 1_000 }).coverage).toBe('ALL');
    expect(() => decideCoverage(space, query, { maxStates: 0, maxWork: 1_000 })).toThrow(TooComplexError);
  });

  it('counts macrostates: arn:aws:kms:u* needs 15, shared by both searches', () => {
    // The start, one per character of `arn:aws:kms:`, then `u` (every completion granted) and another
    // region character (none granted): 15, and the search for a granted key reuses them.
    const query = queryOf({ allow: ['arn:aws:kms:u*'] });
    expect(decideCoverage(space, query, { maxStates: 15, maxWork: 100_000 })).toEqual({
      coverage: 'PARTIAL',
      keyGranted: 'arn:aws:kms:u:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      keyNotGranted: 'arn:aws:kms:a:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });
    let error: unknown;
    try {
      decideCoverage(space, query, { maxStates: 14, maxWork: 100_000 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TooComplexError);
    expect((error as Error).name).toBe('TooComplexError');
    expect((error as Error).message).toMatch(/more than 14 automaton states/);
  });

  it('counts macrostates: `*a??` allowed and NotResource `*a??` is ALL in exactly 29', () => {
    // Up to the key id, one macrostate per key-space step: the start, 12 for `arn:aws:kms:`, one for the
    // region's characters, its `:`, one for the account's digits, its `:`, and 4 for `key/` (21). In the
    // key id the positions of `*a??` record which of the last 3 characters were `a`: 8 sets, none of
    // which can stand for another (the two statements hold the same positions, one wants fewer and the
    // other more). 21 + 8 = 29, each kept once, so positions must be listed in one (sorted) order.
    const query = queryOf({ allow: ['arn:aws:kms:*:*:key/*a??'], notAllow: [['arn:aws:kms:*:*:key/*a??']] });
    expect(decideCoverage(space, query, { maxStates: 29, maxWork: 1_000_000 }).coverage).toBe('ALL');
    expect(() => decideCoverage(space, query, { maxStates: 28, maxWork: 1_000_000 })).toThrow(
      TooComplexError,
    );
  });

  it('keeps only an antichain: `*a????????` with `*?` is ALL within 64 macrostates', () => {
    // After `a` and 8 more characters the positions of `*a????????` record which of the last 9 were `a`:
    // 2^8 sets and more, which the subset construction would all visit. Fewer positions of an Allow
    // pattern are never better for a key that is not granted, so the search keeps the small ones only.
    const query = queryOf({ allow: ['arn:aws:kms:*:*:key/*a????????', 'arn:aws:kms:*:*:key/*?'] });
    expect(decideCoverage(space, query, { maxStates: 64, maxWork: 10_000_000 }).coverage).toBe('ALL');
  });

  it('a resource pattern of 4,096 tokens is decided, one of 4,097 is too complex', () => {
    // Three colons where a key has five: the pattern matches no key, which the search sees at once.
    const longest = `arn:aws:kms:${'x'.repeat(4_096 - 12)}`;
    expect(decideCoverage(space, queryOf({ allow: [longest] })).coverage).toBe('NONE');
    expect(() => decideCoverage(space, queryOf({ allow: [`${longest}x`] }))).toThrow(
      /pattern longer than 4096 characters/,
    );
  });

  it('an automaton of 65,535 states is decided, one of 65,536 is too complex (16-bit node ids)', () => {
    // 17 patterns arn:aws:kms:<c>x...x<c> with distinct c share no suffix. States: the root and the 12 of
    // `arn:aws:kms:`, per pattern one for <c> and each x, one end shared by all, and the empty Deny
    // group's root: 15 + 17 * (L + 1) + extra = 65,533 + extra for L = 3,853 and `extra` more x's in the
    // first pattern. With three colons where keys have five, no search follows: NONE at once.
    const patterns = (extra: number) =>
      [...'abcdefghijklmnopq'].map(
        (c, i) => `arn:aws:kms:${c}${'x'.repeat(3_853 + (i === 0 ? extra : 0))}${c}`,
      );
    expect(decideCoverage(space, queryOf({ allow: patterns(2) })).coverage).toBe('NONE');
    // One more pattern, `?` then the first pattern's tail: after `?` the node has the same loop (none),
    // end and edges as after `a`, so it is that node: still 65,535 states.
    const same = `arn:aws:kms:?${'x'.repeat(3_855)}a`;
    expect(decideCoverage(space, queryOf({ allow: [...patterns(2), same] })).coverage).toBe('NONE');
    expect(() => decideCoverage(space, queryOf({ allow: patterns(3) }))).toThrow(
      /more than 65535 pattern automaton states/,
    );
  });
});
