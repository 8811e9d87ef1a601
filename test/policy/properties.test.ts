import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzePolicy } from '../../src/policy/index.js';
import type { OracleStatement } from './oracle.js';
import { grants, KEY_ARN } from './oracle.js';

const ACTIONS = ['kms:Decrypt', 'kms:ReEncryptFrom'];

// Pieces drawn from what real policies hold, so that generated patterns often meet the key space.
const regionPart = fc.constantFrom(
  'us-east-1',
  'eu-west-1',
  '*',
  'us-*',
  '*east*',
  'eu-?est-1',
  '?s-east-1',
  '',
);
const accountPart = fc.constantFrom('111122223333', '*', '????????????', '1111*', '444455556666', '');
const keyPart = fc.constantFrom(
  '*',
  'key/*',
  'key/1*',
  'key/a*',
  'key/mrk-*',
  'key/abc',
  'alias/*',
  'key/${aws:username}',
  'key/${*}',
  '*/*',
);
const resourcePattern = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.constantFrom('aws', '*', 'aws*'),
        fc.constantFrom('kms', '*', 'k?s', 's3'),
        regionPart,
        accountPart,
        keyPart,
      )
      .map(([p, s, r, a, k]) => `arn:${p}:${s}:${r}:${a}:${k}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '*',
      'arn:aws:kms:*',
      'arn:*',
      'arn:aws:kms:*:key/*',
      'arn:aws:s3:::*',
      'arn:aws:kms:*east*',
    ),
  },
);
const actionPattern = fc.constantFrom(
  'kms:Decrypt',
  'kms:De*',
  'kms:*',
  '*',
  'kms:ReEncrypt*',
  'kms:Encrypt',
  's3:*',
  'KMS:DECRYPT',
  'kms:Decryp?',
);
const list = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { minLength: 1, maxLength: 3 });

const statement: fc.Arbitrary<OracleStatement> = fc
  .record({
    effect: fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Allow', 'Deny'),
    notAction: fc.boolean(),
    actions: list(actionPattern),
    notResource: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
    resources: list(resourcePattern),
    conditional: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  })
  .map((s) => {
    const out: OracleStatement = { Effect: s.effect };
    if (s.notAction) out.NotAction = s.actions;
    else out.Action = s.actions;
    if (s.notResource) out.NotResource = s.resources;
    else out.Resource = s.resources;
    if (s.conditional) out.Condition = { Bool: { 'aws:SecureTransport': 'true' } };
    return out;
  });

const policy = fc.array(statement, { minLength: 1, maxLength: 5 });

// Keys sampled from the key space, biased towards the literals the generated patterns use.
const sampledKey = fc
  .tuple(
    fc.constantFrom('us-east-1', 'eu-west-1', 'ap-south-1', 'us-west-2', 'east', 'x', 'eu-rest-1'),
    fc.constantFrom('111122223333', '444455556666', '111100000000', '999999999999'),
    fc.constantFrom('1234abcd-12ab', 'abc', 'mrk-1', 'a', '1', 'Z-9', 'b1'),
  )
  .map(([r, a, k]) => `arn:aws:kms:${r}:${a}:key/${k}`);

describe('policy engine against a direct matcher on sampled keys', () => {
  it('ALL grants every sampled key, NONE grants none, and witnesses tell the truth', () => {
    fc.assert(
      fc.property(policy, fc.array(sampledKey, { minLength: 10, maxLength: 30 }), (statements, keys) => {
        const document = { Version: '2012-10-17', Statement: statements };
        const analysis = analyzePolicy(document, ACTIONS);
        expect(analysis.ok).toBe(true);
        if (!analysis.ok) return;
        for (const result of analysis.actions) {
          const granted = keys.map((key) => grants(statements, result.action, key));
          if (result.coverage === 'ALL') expect(granted.every(Boolean)).toBe(true);
          if (result.coverage === 'NONE') expect(granted.some(Boolean)).toBe(false);
          if (result.coverage !== 'ALL') {
            expect(result.keyNotGranted).toMatch(KEY_ARN);
            expect(grants(statements, result.action, result.keyNotGranted!)).toBe(false);
          }
          if (result.coverage !== 'NONE') {
            expect(result.keyGranted).toMatch(KEY_ARN);
            expect(grants(statements, result.action, result.keyGranted!)).toBe(true);
          }
        }
        expect(analysis.verdict).toBe(
          analysis.actions.some((a) => a.coverage === 'ALL') ? 'FAILED' : 'PASSED',
        );
      }),
      { numRuns: 1500, seed: 20261128 },
    );
  });

  it('a policy and the same policy with its statements shuffled decide alike', () => {
    fc.assert(
      fc.property(policy, (statements) => {
        const forward = analyzePolicy({ Version: '2012-10-17', Statement: statements }, ACTIONS);
        const backward = analyzePolicy(
          { Version: '2012-10-17', Statement: [...statements].reverse() },
          ACTIONS,
        );
        expect(forward.ok && backward.ok).toBe(true);
        if (!forward.ok || !backward.ok) return;
        expect(backward.actions.map((a) => a.coverage)).toEqual(forward.actions.map((a) => a.coverage));
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('the single-pattern search agrees with the full coverage search', () => {
  it('keyMatching finds a matching key exactly when the coverage is not NONE', async () => {
    const { keyMatching, decideCoverage } = await import('../../src/policy/coverage.js');
    const { compilePattern } = await import('../../src/policy/glob.js');
    const { keySpaceOf } = await import('../../src/policy/keyspace.js');
    const space = keySpaceOf('aws');
    fc.assert(
      fc.property(resourcePattern, (source) => {
        const pattern = compilePattern(source, true);
        const full = decideCoverage(space, { allow: [{ negated: false, patterns: [pattern] }], deny: [] });
        const key = keyMatching(space, compilePattern(source, true));
        expect(key !== undefined).toBe(full.coverage !== 'NONE');
        if (key !== undefined) {
          expect(key).toMatch(KEY_ARN);
          expect(
            grants([{ Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [source] }], 'kms:Decrypt', key),
          ).toBe(true);
        }
      }),
      { numRuns: 500, seed: 3 },
    );
  });
});
