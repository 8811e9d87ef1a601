/**
 * Parameter values at the edges: digit strings that JavaScript's Number would read as other numbers, the
 * parameter an error names, an empty pattern list, and a KMS.4 parameters object without the unset field.
 */
import { describe, expect, it } from 'vitest';
import { resolveKms1Params, resolveKms3Params, resolveKms4Params } from '../../src/controls/index.js';
import { KNOWN_KMS_ACTIONS } from './helpers.js';

const env = { knownKmsActions: KNOWN_KMS_ACTIONS };

describe('an integer parameter given as text', () => {
  // Number('1e3') is 1000 and Number('0x100') is 256, both within 90..2560: only plain digits are read.
  it.each(['1e3', '0x100', '300 days', 'days 300'])('refuses %j as not an integer', (text) => {
    expect(resolveKms4Params({ maxRotationPeriodDays: text })).toEqual({
      ok: false,
      errors: [
        {
          controlId: 'KMS.4',
          parameter: 'maxRotationPeriodDays',
          message: `must be an integer, got ${JSON.stringify(text)}`,
        },
      ],
    });
  });
});

describe('KMS.4 parameters', () => {
  it('hold no maxRotationPeriodDays field when it is not set', () => {
    const result = resolveKms4Params({});
    expect(result).toEqual({ ok: true, params: {} });
    expect(result.ok && Object.keys(result.params)).toEqual([]);
  });
});

describe('KMS.3 kmsKeyIds', () => {
  it('names kmsKeyIds in the error for an alias', () => {
    const result = resolveKms3Params({ kmsKeyIds: ['alias/my-key'] });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((error) => [error.controlId, error.parameter])).toEqual([
      ['KMS.3', 'kmsKeyIds'],
    ]);
  });
});

describe('an empty blockedActionsPatterns list', () => {
  it('is one error, naming the parameter', () => {
    const result = resolveKms1Params({ blockedActionsPatterns: [] }, env);
    expect(!result.ok && result.errors.map((error) => [error.controlId, error.parameter])).toEqual([
      ['KMS.1', 'blockedActionsPatterns'],
    ]);
  });
});
