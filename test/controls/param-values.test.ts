/**
 * How parameter values are read (Config rule parameters arrive as strings): booleans, integers, the
 * parameters object itself, and what a refused value's error says it got.
 */
import { describe, expect, it } from 'vitest';
import { resolveKms1Params, resolveKms4Params } from '../../src/controls/index.js';
import { KNOWN_KMS_ACTIONS } from './helpers.js';

const env = { knownKmsActions: KNOWN_KMS_ACTIONS };
const boundary = (value: unknown) => {
  const result = resolveKms1Params({ excludePermissionBoundaryPolicy: value }, env);
  return result.ok ? result.params.excludePermissionBoundaryPolicy : result.errors;
};
const rotation = (value: unknown) => {
  const result = resolveKms4Params({ maxRotationPeriodDays: value });
  return result.ok ? result.params.maxRotationPeriodDays : result.errors;
};
const errorText = (value: unknown): string => JSON.stringify(value);

describe('a boolean parameter', () => {
  it('reads "true" and "false" in any case and with spaces around', () => {
    expect(boundary('false')).toBe(false);
    expect(boundary(' FALSE ')).toBe(false);
    expect(boundary('False')).toBe(false);
    expect(boundary('true')).toBe(true);
    expect(boundary(' TRUE')).toBe(true);
    expect(boundary(false)).toBe(false);
  });

  it('refuses other text and other types', () => {
    for (const value of ['yes', '0', 0, 1, []]) expect(boundary(value)).toEqual(expect.any(Array));
  });
});

describe('an integer parameter', () => {
  it('reads a whole number given as a number or as digits with spaces around', () => {
    expect(rotation(365)).toBe(365);
    expect(rotation('365')).toBe(365);
    expect(rotation(' 400 ')).toBe(400);
  });

  it('refuses fractions, signs inside text, other characters and other types', () => {
    for (const value of [365.5, '365.5', '3 65', 'x365', '365x', '-365', 'abc', true, [365], { days: 365 }])
      expect(rotation(value), String(value)).toEqual(expect.any(Array));
  });

  it('refuses a whole number outside its range', () => {
    expect(rotation(89)).toEqual(expect.any(Array));
    expect(rotation('2561')).toEqual(expect.any(Array));
    expect(rotation(90)).toBe(90);
    expect(rotation(2560)).toBe(2560);
  });

  it('says what it got when it refuses', () => {
    expect(errorText(rotation([1]))).toContain('got a list');
    expect(errorText(rotation({ a: 1 }))).toContain('got an object');
    expect(errorText(rotation('abc'))).toContain('got \\"abc\\"');
    expect(errorText(rotation(true))).toContain('got boolean true');
    // A long text is cut at 60 characters.
    const long = 'y'.repeat(70);
    expect(errorText(rotation(long))).toContain(`got \\"${'y'.repeat(60)}...\\"`);
    expect(errorText(rotation(long))).not.toContain('y'.repeat(61));
    expect(errorText(rotation('z'.repeat(60)))).toContain(`got \\"${'z'.repeat(60)}\\"`);
  });
});

describe('the parameters object', () => {
  it('is optional: none or null gives the defaults, and so does a value left null or empty', () => {
    expect(resolveKms4Params(undefined)).toEqual({ ok: true, params: {} });
    expect(resolveKms4Params(null)).toEqual({ ok: true, params: {} });
    expect(rotation(null)).toBeUndefined();
    expect(rotation('')).toBeUndefined();
    expect(boundary('')).toBe(true);
  });

  it('must be an object of name -> value', () => {
    for (const input of ['maxRotationPeriodDays=365', 365, [], [{ maxRotationPeriodDays: 365 }]]) {
      const result = resolveKms4Params(input);
      expect(result.ok, JSON.stringify(input)).toBe(false);
      expect(errorText(result)).toContain('(parameters)');
    }
  });
});
