import { describe, expect, it } from 'vitest';
import { loadKmsActions } from '../../src/catalog/load.js';
import { evaluateKeyPolicyPublicAccess } from '../../src/policy/key-policy/index.js';
import { generateKeyPolicies, KEY_POLICY_KINDS } from '../../src/simulator/key-policy-kinds.js';

const kmsActions = loadKmsActions();
const SEEDS = Array.from({ length: 300 }, (_, i) => i + 1);

describe('simulator key policies of every KMS.5 kind', () => {
  it('names every kind issue 14 asks for, with both verdicts', () => {
    for (const kind of [
      'default-root',
      'public-principal-star',
      'public-aws-star',
      'public-not-principal',
      'restricted-account',
      'restricted-org',
      'restricted-vpc-endpoint',
      'restricted-source-ip',
      'open-wildcard-value',
      'open-policy-variable',
      'open-if-exists',
      'open-for-all-values',
      'open-negated-operator',
      'neutralised-by-deny',
    ]) {
      expect(KEY_POLICY_KINDS).toContain(kind);
    }
    const verdicts = generateKeyPolicies(1, { accountId: '111122223333' }).map((p) => p.expected);
    expect(new Set(verdicts)).toEqual(new Set(['PASSED', 'FAILED']));
  });

  it('is deterministic per seed and varies across seeds', () => {
    const context = { accountId: '111122223333' };
    expect(generateKeyPolicies(7, context)).toEqual(generateKeyPolicies(7, context));
    expect(generateKeyPolicies(8, context)).not.toEqual(generateKeyPolicies(7, context));
  });

  it(`the evaluator reaches each kind's expected verdict and public statements over ${SEEDS.length} seeds`, () => {
    let checked = 0;
    const mismatches: string[] = [];
    for (const seed of SEEDS) {
      const accountId = String(100_000_000_000 + seed * 7_919);
      for (const generated of generateKeyPolicies(seed, { accountId })) {
        const result = evaluateKeyPolicyPublicAccess(generated.document, { kmsActions });
        const labels = result.publicStatements.map((s) => s.label);
        if (result.verdict !== generated.expected || labels.join() !== generated.publicLabels.join()) {
          mismatches.push(
            `${generated.kind} (seed ${seed}): ${result.reason} ${JSON.stringify(generated.document)}`,
          );
        }
        checked++;
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBe(SEEDS.length * KEY_POLICY_KINDS.length);
  });

  it('every document is a JSON round trip of itself (what GetKeyPolicy would return)', () => {
    for (const generated of generateKeyPolicies(3, { accountId: '111122223333' })) {
      const text = JSON.stringify(generated.document);
      expect(evaluateKeyPolicyPublicAccess(text, { kmsActions }).verdict).toBe(generated.expected);
    }
  });
});
