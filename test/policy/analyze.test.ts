/**
 * analyzePolicy (src/policy/analyze.ts) on small hand-checked policies: which statements it names, which
 * resource patterns count, the witness keys it gives, and that an answer depends only on the policy (not
 * on the statement order or on what was analysed before). The coverage search itself has its own tests;
 * here each expected coverage follows from the key ARN grammar by hand.
 *
 * The engine remembers answers across calls, so tests that need a fresh answer use resource patterns
 * that no other test uses.
 */
import { describe, expect, it } from 'vitest';
import { analyzePolicy } from '../../src/policy/analyze.js';
import type { ActionCoverage, PolicyAnalysis } from '../../src/policy/types.js';

const DECRYPT = 'kms:Decrypt';
const ENCRYPT = 'kms:Encrypt';
/** The key space's sample key (src/policy/keyspace.ts), reported when nothing is granted. */
const SAMPLE = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY = /^arn:aws:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
const ACCOUNT_KEY = 'arn:aws:kms:us-east-1:111122223333:key/';

type Statement = Record<string, unknown>;

const allow = (resource: unknown, extra: Statement = {}): Statement => ({
  Effect: 'Allow',
  Action: DECRYPT,
  Resource: resource,
  ...extra,
});
const allowNot = (notResource: unknown, extra: Statement = {}): Statement => ({
  Effect: 'Allow',
  Action: DECRYPT,
  NotResource: notResource,
  ...extra,
});
const deny = (resource: unknown, extra: Statement = {}): Statement => ({
  Effect: 'Deny',
  Action: DECRYPT,
  Resource: resource,
  ...extra,
});

function analyze(statements: Statement[], actions = [DECRYPT], version = '2012-10-17', partition?: string) {
  const analysis = analyzePolicy(
    { Version: version, Statement: statements },
    actions,
    partition === undefined ? {} : { partition },
  );
  if (!analysis.ok) throw new Error(`unexpected ${analysis.error.code}: ${analysis.error.message}`);
  return analysis;
}

/** The coverage of kms:Decrypt. */
const decrypt = (statements: Statement[], version?: string): ActionCoverage =>
  analyze(statements, [DECRYPT], version).actions[0]!;

describe('analyzePolicy: the statements it names', () => {
  it('names Allow, Deny and conditional Deny statements by index, with their Sid unless it is empty', () => {
    const result = decrypt([
      allow('*', { Sid: 'Grant' }),
      deny('arn:aws:kms:eu-west-1:*', { Sid: '' }),
      deny('*', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      { Sid: 'OtherAction', Effect: 'Allow', Action: ENCRYPT, Resource: '*' },
      deny('arn:aws:s3:::bucket/*', { Sid: 'NotAKey' }),
    ]);
    expect(result).toStrictEqual({
      action: DECRYPT,
      coverage: 'PARTIAL',
      grantedBy: [{ index: 0, sid: 'Grant' }],
      deniedBy: [{ index: 1 }],
      conditionalDenies: [{ index: 2 }],
      keyGranted: expect.stringMatching(KEY),
      keyNotGranted: expect.stringMatching(/^arn:aws:kms:eu-west-1:\d{12}:key\/[A-Za-z0-9-]+$/),
    });
    expect(result.keyGranted).not.toMatch(/:eu-west-1:/);
  });

  it('reads NotAction as every action but those listed', () => {
    const analysis = analyze(
      [{ Effect: 'Allow', NotAction: 'kms:Encrypt', Resource: '*' }],
      [ENCRYPT, DECRYPT],
    );
    expect(analysis.actions.map((a) => [a.action, a.coverage])).toEqual([
      [ENCRYPT, 'NONE'],
      [DECRYPT, 'ALL'],
    ]);
  });

  it('fails when some action is granted on all keys, and reports the document', () => {
    expect(analyze([allow('*')], [ENCRYPT, DECRYPT])).toMatchObject({
      ok: true,
      verdict: 'FAILED',
      version: '2012-10-17',
      statementCount: 1,
    });
    const passed = analyze(
      [allow(`${ACCOUNT_KEY}*`), allow('*', { Action: ENCRYPT })],
      [DECRYPT],
      '2008-10-17',
    );
    expect(passed).toMatchObject({ verdict: 'PASSED', version: '2008-10-17', statementCount: 2 });
  });
});

describe('analyzePolicy: witness keys', () => {
  it('grants nothing without an Allow: the sample key of the partition is not granted', () => {
    expect(decrypt([deny('*')])).toStrictEqual({
      action: DECRYPT,
      coverage: 'NONE',
      grantedBy: [],
      deniedBy: [{ index: 0 }],
      conditionalDenies: [],
      keyNotGranted: SAMPLE,
    });
    const china = analyze([deny('*')], [DECRYPT], '2012-10-17', 'aws-cn').actions[0]!;
    expect(china.keyNotGranted).toBe(
      'arn:aws-cn:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    );
  });

  it('gives no key granted when a Deny takes every key away, and no key not granted for ALL', () => {
    expect(decrypt([allow('*'), deny('arn:aws:kms:*')])).toStrictEqual({
      action: DECRYPT,
      coverage: 'NONE',
      grantedBy: [{ index: 0 }],
      deniedBy: [{ index: 1 }],
      conditionalDenies: [],
      keyNotGranted: expect.stringMatching(KEY),
    });
    expect(decrypt([allow('arn:aws:kms:*:*:key/*')])).toStrictEqual({
      action: DECRYPT,
      coverage: 'ALL',
      grantedBy: [{ index: 0 }],
      deniedBy: [],
      conditionalDenies: [],
      keyGranted: expect.stringMatching(KEY),
    });
  });

  it('without a Deny, takes the key granted from an Allow statement, even when all keys are granted', () => {
    // NotResource key/b* grants the keys whose id does not start with b, Resource key/b* the others:
    // all keys. The key granted comes from the Resource statement, so its id starts with b (the sample
    // key's id starts with 1).
    const result = decrypt([allowNot('arn:aws:kms:*:*:key/b*'), allow('arn:aws:kms:*:*:key/b*')]);
    expect(result.coverage).toBe('ALL');
    expect(result.keyGranted).toMatch(/^arn:aws:kms:[a-z0-9-]+:\d{12}:key\/b[A-Za-z0-9-]*$/);
  });

  it('with a Deny, tries the keys the Allow statements match first, in the order written', () => {
    // Many keys are granted (all but eu-west-1's); the key granted is the first pattern's one key.
    const only = 'arn:aws:kms:ap-south-2:444455556666:key/Zz9';
    const result = decrypt([allow([only, 'arn:aws:kms:*']), deny('arn:aws:kms:eu-west-1:*')]);
    expect(result).toMatchObject({ coverage: 'PARTIAL', keyGranted: only });
    expect(result.keyNotGranted).toMatch(/^arn:aws:kms:eu-west-1:\d{12}:key\//);
  });

  it('gives the witnesses for the partition analysed', () => {
    for (const version of ['2012-10-17', '2008-10-17']) {
      const policy = [allow('*:key/c*')];
      expect(analyze(policy, [DECRYPT], version).actions[0]!.keyGranted).toMatch(/^arn:aws:kms:.*:key\/c/);
      expect(analyze(policy, [DECRYPT], version, 'aws-cn').actions[0]!.keyGranted).toMatch(
        /^arn:aws-cn:kms:.*:key\/c/,
      );
    }
  });
});

describe('analyzePolicy: which resource patterns meet the key space', () => {
  it('keeps patterns that start with a wildcard, or are a whole key ARN; drops others', () => {
    expect(decrypt([allow('*:key/*')]).coverage).toBe('ALL');
    expect(decrypt([allow('?rn:aws:kms:*')]).coverage).toBe('ALL');
    const exact = `${ACCOUNT_KEY}exact-1`;
    expect(decrypt([allow(exact)])).toMatchObject({ coverage: 'PARTIAL', keyGranted: exact });
    expect(decrypt([allow(`${ACCOUNT_KEY}?`)])).toMatchObject({
      coverage: 'PARTIAL',
      keyGranted: expect.stringMatching(/^arn:aws:kms:us-east-1:111122223333:key\/[A-Za-z0-9-]$/),
    });
    // Not a key: no key id, an S3 ARN, a non-ASCII character, a policy variable.
    for (const resource of [
      ACCOUNT_KEY,
      'arn:aws:s3:::bucket',
      `${ACCOUNT_KEY}caf\u00e9`,
      `${ACCOUNT_KEY}\${aws:username}`,
    ]) {
      expect(decrypt([allow(resource)]), resource).toMatchObject({ coverage: 'NONE', grantedBy: [] });
    }
  });

  it('counts a NotResource statement only when its complement holds a key', () => {
    // NotResource "*": no key at all.
    expect(decrypt([allowNot('*')])).toMatchObject({ coverage: 'NONE', grantedBy: [] });
    // NotResource of S3 buckets only: every key.
    expect(decrypt([allowNot('arn:aws:s3:::*')])).toMatchObject({
      coverage: 'ALL',
      grantedBy: [{ index: 0 }],
    });
    // NotResource of one account's keys: the other accounts' keys.
    const result = decrypt([allowNot('arn:aws:kms:*:111122223333:key/*')]);
    expect(result).toMatchObject({ coverage: 'PARTIAL', grantedBy: [{ index: 0 }] });
    expect(result.keyNotGranted).toMatch(/^arn:aws:kms:[a-z0-9-]+:111122223333:key\//);
    expect(result.keyGranted).not.toMatch(/:111122223333:/);
    // Two NotResource statements: each leaves out one account, together they grant every key.
    expect(
      decrypt([allowNot('arn:aws:kms:*:111122223333:key/*'), allowNot('arn:aws:kms:*:444455556666:key/*')]),
    ).toMatchObject({ coverage: 'ALL', grantedBy: [{ index: 0 }, { index: 1 }] });
    // A Deny NotResource "*" takes nothing away.
    expect(decrypt([allow('*'), { Effect: 'Deny', Action: DECRYPT, NotResource: '*' }])).toMatchObject({
      coverage: 'ALL',
      deniedBy: [],
    });
  });
});

describe('analyzePolicy: an answer depends only on the policy', () => {
  it('does not mix up a NotResource set with another that differs by a trailing "D"', () => {
    // Each grants every key but one: the key not granted can only be that one. The second used to be
    // answered from the first's remembered answer.
    const one = `${ACCOUNT_KEY}only`;
    expect(decrypt([allowNot(`${one}D`)]).keyNotGranted).toBe(`${one}D`);
    expect(decrypt([allowNot(one)]).keyNotGranted).toBe(one);
  });

  it('keeps two statements apart whose patterns, run together, read as one narrower pattern', () => {
    // Statement 0 grants all keys; statement 1 only keys whose region contains "arn".
    const result = decrypt([allow(['arn:aws:kms:*', 'arn:*']), allow('arn:aws:kms:*arn:*')]);
    expect(result).toMatchObject({ coverage: 'ALL', grantedBy: [{ index: 0 }, { index: 1 }] });
  });

  it('keeps Allow k-then-D and m* apart from Allow k and Deny m*-then-D', () => {
    // Read without a separator between the Allow sets, both would be remembered under one key.
    const k = `${ACCOUNT_KEY}k`;
    expect(decrypt([allow(`${k}D`), allow(`${ACCOUNT_KEY}m*`)]).keyGranted).toBe(`${k}D`);
    // Only k is granted here.
    expect(decrypt([allow(k), deny(`${ACCOUNT_KEY}m*D`)])).toMatchObject({
      coverage: 'PARTIAL',
      keyGranted: k,
    });
  });

  it('gives the same witnesses whatever the statement order and whatever was analysed before', () => {
    const ccc = allow(`${ACCOUNT_KEY}ccc`);
    const ddd = allow(`${ACCOUNT_KEY}ddd`);
    const first = decrypt([ddd, ccc]);
    const reordered = decrypt([ccc, ddd]);
    // Version 2008-10-17 reads these patterns alike, and its answers are remembered apart.
    const older = decrypt([ccc, ddd], '2008-10-17');
    expect(first.coverage).toBe('PARTIAL');
    expect([`${ACCOUNT_KEY}ccc`, `${ACCOUNT_KEY}ddd`]).toContain(first.keyGranted);
    expect(reordered.keyGranted).toBe(first.keyGranted);
    expect(older.keyGranted).toBe(first.keyGranted);
    expect(reordered.keyNotGranted).toBe(first.keyNotGranted);
  });
});

describe('analyzePolicy: documents it cannot decide', () => {
  it('is NOT_AVAILABLE for an invalid partition or document', () => {
    expect(analyzePolicy({ Statement: [allow('*')] }, [DECRYPT], { partition: 'AWS' })).toStrictEqual({
      ok: false,
      verdict: 'NOT_AVAILABLE',
      error: { code: 'INVALID_DOCUMENT', message: 'invalid partition "AWS"' },
    });
    const broken: PolicyAnalysis = analyzePolicy('{"Statement": [', [DECRYPT]);
    expect(broken).toMatchObject({ ok: false, verdict: 'NOT_AVAILABLE', error: { code: 'INVALID_JSON' } });
  });

  it('is NOT_AVAILABLE, TOO_COMPLEX, beyond the engine budget', () => {
    const huge = allow(`arn:aws:kms:*:*:key/${'a?'.repeat(2_100)}*`);
    expect(analyzePolicy({ Statement: [huge] }, [DECRYPT])).toStrictEqual({
      ok: false,
      verdict: 'NOT_AVAILABLE',
      error: { code: 'TOO_COMPLEX', message: expect.stringMatching(/budget/) },
    });
  });
});
