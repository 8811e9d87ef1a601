import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzePolicy } from '../../src/policy/index.js';

interface FixtureCase {
  id: string;
  blockedActions: string[];
  document: unknown;
  coverage: Record<string, string>;
  verdict: string;
}

const cases: FixtureCase[] = readFileSync(new URL('../fixtures/policies.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as FixtureCase);

describe('policy engine agrees with every exactly-decided fixture', () => {
  it('has the fixtures', () => {
    expect(cases.length).toBeGreaterThanOrEqual(36);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, fixture) => {
    const analysis = analyzePolicy(fixture.document, fixture.blockedActions);
    expect(analysis.ok).toBe(true);
    if (!analysis.ok) return;
    const coverage = Object.fromEntries(analysis.actions.map((a) => [a.action, a.coverage]));
    expect(coverage).toEqual(fixture.coverage);
    expect(analysis.verdict).toBe(fixture.verdict);
  });

  it.each(cases.map((c) => [c.id, c] as const))(
    '%s decides the same from URL-encoded text',
    (_id, fixture) => {
      const encoded = encodeURIComponent(JSON.stringify(fixture.document));
      const analysis = analyzePolicy(encoded, fixture.blockedActions);
      expect(analysis.verdict).toBe(fixture.verdict);
    },
  );
});
