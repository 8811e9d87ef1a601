import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzePolicy } from '../../src/policy/index.js';

const ACTIONS = ['kms:Decrypt', 'kms:ReEncryptFrom'];
const VERDICTS = ['PASSED', 'FAILED', 'NOT_AVAILABLE'];

/** Analyses and checks the answer is a verdict or a clear NOT_AVAILABLE reason, within a time bound. */
function decides(document: unknown, maxMs = 5000) {
  const started = performance.now();
  const analysis = analyzePolicy(document, ACTIONS);
  const elapsed = performance.now() - started;
  expect(VERDICTS).toContain(analysis.verdict);
  if (!analysis.ok) expect(analysis.error.message.length).toBeGreaterThan(5);
  expect(elapsed).toBeLessThan(maxMs);
  return analysis;
}

const statement = (resource: string, action: string | string[] = 'kms:Decrypt') => ({
  Effect: 'Allow',
  Action: action,
  Resource: resource,
});

describe('hostile policy documents: a verdict or a clear reason, bounded, never a crash', () => {
  it('deeply nested JSON', () => {
    const deep = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":${'['.repeat(100_000)}${']'.repeat(100_000)}}]}`;
    const analysis = decides(deep);
    expect(analysis.verdict).toBe('NOT_AVAILABLE'); // a Condition must be an object
    const deepObject = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"x":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}}]}`;
    expect(decides(deepObject).verdict).toBe('FAILED');
  });

  it('10,000 statements', () => {
    const statements = Array.from({ length: 10_000 }, (_, i) =>
      statement(`arn:aws:kms:us-east-1:${String(100000000000 + i)}:key/*`),
    );
    expect(decides({ Version: '2012-10-17', Statement: statements }).verdict).toBe('PASSED');
    statements.push(statement('*'));
    expect(decides({ Version: '2012-10-17', Statement: statements }).verdict).toBe('FAILED');
  });

  it.each([6 * 1024, 10 * 1024, 1024 * 1024])('a %i-byte document', (bytes) => {
    const statements = [];
    let size = 0;
    for (let i = 0; size < bytes; i++) {
      const s = statement(`arn:aws:kms:*:${String(100000000000 + i)}:key/${'ab'.repeat(i % 7)}*`, [
        'kms:Decrypt',
        's3:GetObject',
      ]);
      statements.push(s);
      size += JSON.stringify(s).length;
    }
    const text = JSON.stringify({ Version: '2012-10-17', Statement: statements });
    expect(text.length).toBeGreaterThanOrEqual(bytes);
    expect(decides(text, 15_000).verdict).toBe('PASSED');
  });

  it('huge wildcard runs', () => {
    expect(decides({ Statement: [statement('*'.repeat(500))] }).verdict).toBe('FAILED');
    expect(decides({ Statement: [statement(`arn:aws:kms:${'*?'.repeat(250)}:key/*`)] }).verdict).not.toBe(
      'NOT_AVAILABLE',
    );
    expect(decides({ Statement: [statement(`arn:aws:kms:*:*:key/${'*a'.repeat(500)}`)] }).verdict).toBe(
      'PASSED',
    );
    expect(decides({ Statement: [statement('arn:aws:kms:' + '?'.repeat(2000) + '*')] }).verdict).toBe(
      'PASSED',
    );
  });

  it('unicode everywhere', () => {
    expect(decides({ Statement: [statement('arn:aws:kms:*:*:key/ключ-🔑*')] }).verdict).toBe('PASSED');
    expect(decides({ Statement: [statement('*', 'kms:Décrypt')] }).verdict).toBe('PASSED');
    expect(decides({ Statement: [{ Sid: '✓ allow', ...statement('*') }] }).verdict).toBe('FAILED');
    expect(
      decides('{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"\\ud800"}]}').verdict,
    ).toBe('PASSED');
  });

  it('wrong types for every field', () => {
    const base = { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' };
    const wrong = [null, 1, true, {}, [], [1], [null], 'x'];
    for (const field of ['Effect', 'Action', 'Resource', 'NotAction', 'NotResource', 'Condition', 'Sid']) {
      for (const value of wrong) {
        const analysis = decides({ Version: '2012-10-17', Statement: [{ ...base, [field]: value }] });
        // A wrong type can only make the document unreadable; it never turns into a silent PASS.
        if (analysis.ok)
          expect(
            ['Sid', 'Condition', 'Resource', 'Action', 'Effect'].includes(field) ||
              analysis.verdict !== 'PASSED',
          ).toBe(true);
      }
    }
    for (const statementValue of wrong) decides({ Version: '2012-10-17', Statement: statementValue });
    for (const version of wrong)
      expect(decides({ Version: version, Statement: [base] }).verdict).toBe('NOT_AVAILABLE');
  });

  it('duplicate keys: the last one wins, as in IAM’s JSON', () => {
    expect(
      decides(
        '{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:us-east-1:111122223333:key/x","Resource":"*"}]}',
      ).verdict,
    ).toBe('FAILED');
  });

  it('arbitrary JSON values and strings never throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.string(), fc.anything()), (value) => {
        decides(value);
      }),
      { numRuns: 2000, seed: 42 },
    );
  });

  it('arbitrary statements built from hostile pieces never throw', () => {
    const piece = fc.oneof(
      fc.string(),
      fc.constantFrom('*', '?', '${aws:username}', '${*}', ':', 'arn:aws:kms:', '%', '\u0000'),
    );
    const pattern = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            Effect: fc.constantFrom('Allow', 'Deny'),
            Action: fc.array(pattern, { minLength: 1, maxLength: 3 }),
            Resource: fc.array(pattern, { minLength: 1, maxLength: 3 }),
          }),
          { maxLength: 6 },
        ),
        (statements) => {
          decides({ Version: '2012-10-17', Statement: statements }, 2000);
        },
      ),
      { numRuns: 500, seed: 7 },
    );
  });
});
