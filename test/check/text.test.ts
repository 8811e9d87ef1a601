/** Reports of undecidable policies: never worded or counted as a pass. */
import { describe, expect, it } from 'vitest';
import type { InputResult } from '../../src/check/check.js';
import { exitCodeOf } from '../../src/check/check.js';
import { formatText } from '../../src/check/text.js';

const input = (verdict: 'PASSED' | 'FAILED' | 'NOT_AVAILABLE', code?: 'TOO_COMPLEX'): InputResult => ({
  file: 'p.json',
  kind: 'policy',
  errors: [],
  results: [
    {
      file: 'p.json',
      control: 'KMS.1',
      verdict,
      actions: [],
      statementPositions: [],
      unknowns: [],
      ...(code ? { error: { code, message: 'more than 100000 states' } } : {}),
    },
  ],
});

describe('check-policy reports', () => {
  it('a policy too complex for the engine’s budget: exit 2 and a message that says it is not a pass', () => {
    const tooComplex = input('NOT_AVAILABLE', 'TOO_COMPLEX');
    expect(exitCodeOf([tooComplex])).toBe(2);
    expect(exitCodeOf([input('FAILED'), tooComplex, input('PASSED')])).toBe(2);
    const text = formatText([tooComplex], []);
    expect(text).toMatch(/NOT_AVAILABLE: the policy could not be evaluated: more than 100000 states/);
    expect(text).toMatch(/too complex to decide within the engine’s limits: not a pass/);
    expect(text).not.toMatch(/PASSED/);
  });

  it('exit 1 for a FAILED policy among passing ones, 0 when all pass', () => {
    expect(exitCodeOf([input('PASSED'), input('FAILED')])).toBe(1);
    expect(exitCodeOf([input('PASSED'), input('PASSED')])).toBe(0);
  });
});
