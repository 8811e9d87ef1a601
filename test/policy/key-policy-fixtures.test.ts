import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadKmsActions } from '../../src/catalog/load.js';
import { evaluateKeyPolicyPublicAccess } from '../../src/policy/key-policy/index.js';

interface KeyPolicyFixture {
  id: string;
  document: unknown;
  verdict: 'PASSED' | 'FAILED';
  /** Labels (Sid) of the public statements, in document order. */
  public: string[];
}

const fixtures: KeyPolicyFixture[] = readFileSync(
  new URL('../fixtures/key-policies.jsonl', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as KeyPolicyFixture);

const kmsActions = loadKmsActions();

describe('KMS.5 evaluator agrees with every labelled key policy', () => {
  it('has all 24 fixtures, both verdicts among them', () => {
    expect(fixtures).toHaveLength(24);
    expect(new Set(fixtures.map((f) => f.verdict))).toEqual(new Set(['PASSED', 'FAILED']));
  });

  it.each(fixtures.map((f) => [f.id, f] as const))('%s', (_id, fixture) => {
    const result = evaluateKeyPolicyPublicAccess(fixture.document, { kmsActions });
    expect(result.verdict).toBe(fixture.verdict);
    expect(result.publicStatements.map((s) => s.label)).toEqual(fixture.public);
    for (const label of fixture.public) expect(result.reason).toContain(`'${label}'`);
  });

  it.each(fixtures.map((f) => [f.id, f] as const))(
    '%s decides the same from the JSON text',
    (_id, fixture) => {
      const result = evaluateKeyPolicyPublicAccess(JSON.stringify(fixture.document, null, 2), { kmsActions });
      expect(result.verdict).toBe(fixture.verdict);
      expect(result.publicStatements.map((s) => s.label)).toEqual(fixture.public);
    },
  );
});
