/**
 * Direct example tests of the verdict over every reading of a document with duplicate keys
 * (src/policy/readings.ts): which readings are evaluated, which verdict wins, and the bound on readings.
 * Small hand-written policies, no time bound, so the file is cheap enough for the mutation run.
 */
import { describe, expect, it } from 'vitest';
import {
  analyzePolicy,
  describeDuplicates,
  duplicateMembersOf,
  MAX_READINGS,
} from '../../src/policy/readings.js';

const ACTIONS = ['kms:Decrypt'];
const KEY_ONE = 'arn:aws:kms:us-east-1:111122223333:key/one';
const KEY_TWO = 'arn:aws:kms:us-east-1:111122223333:key/two';
const policy = (statements: string, padding = '') =>
  `{"Version":"2012-10-17","Statement":${padding}${statements}}`;
/** An Allow of kms:Decrypt with the given members after Effect and Action. */
const allow = (members: string) => `{"Effect":"Allow","Action":"kms:Decrypt",${members}}`;
/**
 * Six statements, each with one duplicated member: 2^6 = 64 readings. Statements 0-4 duplicate their Sid
 * and grant KEY_ONE; statement 5 has the given members (a duplicated one among them).
 */
const sixStatements = (last: string) =>
  `[${[
    ...Array.from({ length: 5 }, (_, i) => allow(`"Sid":"a${i}","Sid":"b${i}","Resource":"${KEY_ONE}"`)),
    allow(last),
  ].join(',')}]`;

describe('describeDuplicates and duplicateMembersOf', () => {
  it('names up to five members, then how many more', () => {
    expect(describeDuplicates([])).toBe('');
    expect(describeDuplicates(['a'])).toBe('a');
    expect(describeDuplicates(['a', 'b', 'c', 'd', 'e'])).toBe('a, b, c, d, e');
    expect(describeDuplicates(['a', 'b', 'c', 'd', 'e', 'f'])).toBe('a, b, c, d, e and 1 more');
    expect(describeDuplicates(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'])).toBe('a, b, c, d, e and 3 more');
  });

  it('lists the duplicated members of JSON text, raw or URL-encoded; none for objects or bad input', () => {
    const text = '{"a":1,"a":2,"b":{"c":1,"c":2}}';
    expect(duplicateMembersOf(text)).toEqual(['a', 'b.c']);
    expect(duplicateMembersOf(encodeURIComponent(text))).toEqual(['a', 'b.c']);
    expect(duplicateMembersOf('{"a":1,"b":{"a":2}}')).toEqual([]);
    expect(duplicateMembersOf({ a: 1 })).toEqual([]);
    expect(duplicateMembersOf(42)).toEqual([]);
    expect(duplicateMembersOf('{"a":1,"a":')).toEqual([]);
  });
});

describe('analyzePolicy without duplicate keys: one reading, no ambiguity', () => {
  it('an object, JSON text and URL-encoded text read the same, without an ambiguity', () => {
    const document = {
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' },
    };
    const text = JSON.stringify(document);
    for (const input of [document, text, encodeURIComponent(text)]) {
      const analysis = analyzePolicy(input, ACTIONS);
      expect(analysis).toMatchObject({ ok: true, verdict: 'FAILED', actions: [{ coverage: 'ALL' }] });
      expect(analysis).not.toHaveProperty('ambiguity');
    }
  });

  it('undecodable input gets its own error', () => {
    expect(analyzePolicy(42, ACTIONS)).toMatchObject({
      ok: false,
      verdict: 'NOT_AVAILABLE',
      error: { code: 'INVALID_DOCUMENT' },
    });
    expect(analyzePolicy('{"Version":', ACTIONS)).toMatchObject({
      ok: false,
      verdict: 'NOT_AVAILABLE',
      error: { code: 'INVALID_JSON' },
    });
  });
});

describe('analyzePolicy with duplicate keys: every reading, the worst verdict', () => {
  it('FAILED when any reading fails (here the second), with the ambiguity named', () => {
    const analysis = analyzePolicy(policy(allow(`"Resource":"${KEY_ONE}","Resource":"*"`)), ACTIONS);
    expect(analysis).toMatchObject({
      ok: true,
      verdict: 'FAILED',
      statementCount: 1,
      actions: [{ action: 'kms:Decrypt', coverage: 'ALL' }],
    });
    expect(analysis.ok && analysis.ambiguity).toEqual({
      duplicatedMembers: ['Statement.Resource'],
      readings: 2,
      evaluated: 2,
    });
  });

  it('PASSED only when every reading passes; the evidence is the first reading’s', () => {
    const analysis = analyzePolicy(policy(allow(`"Resource":"${KEY_ONE}","Resource":"${KEY_TWO}"`)), ACTIONS);
    expect(analysis).toMatchObject({
      ok: true,
      verdict: 'PASSED',
      actions: [{ action: 'kms:Decrypt', coverage: 'PARTIAL', keyGranted: KEY_ONE }],
    });
    expect(analysis.ok && analysis.ambiguity).toEqual({
      duplicatedMembers: ['Statement.Resource'],
      readings: 2,
      evaluated: 2,
    });
  });

  it('a reading that cannot be evaluated makes it NOT_AVAILABLE with that reading’s error', () => {
    const analysis = analyzePolicy(
      policy(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Resource":5}`),
      ACTIONS,
    );
    expect(analysis).toMatchObject({
      ok: false,
      verdict: 'NOT_AVAILABLE',
      error: { code: 'INVALID_STATEMENT', statement: 0 },
    });
    expect(!analysis.ok && analysis.error.message).toMatch(
      /^in one reading of its duplicate keys \(Statement\.Resource\): Resource /,
    );
    // A failing reading outweighs one that cannot be evaluated, whichever comes first.
    expect(analyzePolicy(policy(allow(`"Resource":5,"Resource":"*"`)), ACTIONS)).toMatchObject({
      ok: true,
      verdict: 'FAILED',
      ambiguity: { readings: 2, evaluated: 2 },
    });
  });

  it(`beyond ${MAX_READINGS} readings: FAILED from a reading that fails, otherwise AMBIGUOUS, never PASSED`, () => {
    expect(MAX_READINGS).toBe(32);
    const failing = analyzePolicy(policy(sixStatements(`"Sid":"a5","Sid":"b5","Resource":"*"`)), ACTIONS);
    expect(failing).toMatchObject({ ok: true, verdict: 'FAILED' });
    expect(failing.ok && failing.ambiguity).toEqual({
      duplicatedMembers: [0, 1, 2, 3, 4, 5].map((i) => `Statement[${i}].Sid`),
      readings: 64,
      evaluated: 32,
    });
    const passing = analyzePolicy(
      policy(sixStatements(`"Sid":"a5","Sid":"b5","Resource":"${KEY_TWO}"`)),
      ACTIONS,
    );
    expect(passing).toMatchObject({ ok: false, verdict: 'NOT_AVAILABLE', error: { code: 'AMBIGUOUS' } });
    // Reading 1 (statement 5's Resource varies fastest) cannot be evaluated: still AMBIGUOUS, since
    // readings beyond the bound were not read at all.
    const invalid = analyzePolicy(policy(sixStatements(`"Resource":"${KEY_TWO}","Resource":5`)), ACTIONS);
    expect(invalid).toMatchObject({ ok: false, verdict: 'NOT_AVAILABLE', error: { code: 'AMBIGUOUS' } });
  });

  it('a long document gets fewer readings: all of them together no longer than the size limit', () => {
    // 2 MiB = 2,097,152 characters in all; a 100,000-character document: 20 readings.
    const statements = sixStatements(`"Sid":"a5","Sid":"b5","Resource":"*"`);
    const text = policy(statements, ' '.repeat(100_000 - policy(statements).length));
    expect(text.length).toBe(100_000);
    const analysis = analyzePolicy(text, ACTIONS);
    expect(analysis).toMatchObject({
      ok: true,
      verdict: 'FAILED',
      ambiguity: { readings: 64, evaluated: 20 },
    });
  });

  it('duplicates nested too deeply to take apart: NOT_AVAILABLE (AMBIGUOUS)', () => {
    // 100,000 nested objects around a duplicated member: deeper than any call stack recurses.
    const depth = 100_000;
    const condition = `${'{"x":'.repeat(depth)}{"k":1,"k":2}${'}'.repeat(depth)}`;
    const analysis = analyzePolicy(
      policy(allow(`"Resource":"${KEY_ONE}","Condition":${condition}`)),
      ACTIONS,
    );
    expect(analysis).toMatchObject({ ok: false, verdict: 'NOT_AVAILABLE', error: { code: 'AMBIGUOUS' } });
  });
});
