/** The token checks of API auth, directly (the route-level checks are in auth.test.ts). */
import { describe, expect, it } from 'vitest';
import { bearerToken, tokenMatcher } from '../../src/api/auth.js';
import { ALPHA, BRAVO, WRONG_TOKENS } from './tokens.js';

describe('tokenMatcher', () => {
  const matches = tokenMatcher([ALPHA, BRAVO]);

  it('accepts each configured token, the first as well as the last', () => {
    expect(matches(ALPHA)).toBe(true);
    expect(matches(BRAVO)).toBe(true);
    expect(tokenMatcher([BRAVO, ALPHA])(BRAVO)).toBe(true);
  });

  it.each(WRONG_TOKENS)('refuses a wrong token: %s', (_name, token) => {
    expect(matches(token)).toBe(false);
  });

  it('refuses a missing or empty token', () => {
    expect(matches(undefined)).toBe(false);
    expect(matches('')).toBe(false);
  });

  it('ignores empty configured tokens: an empty presented token never matches', () => {
    expect(tokenMatcher([''])('')).toBe(false);
    expect(tokenMatcher(['', ALPHA])('')).toBe(false);
    expect(tokenMatcher(['', ALPHA])(ALPHA)).toBe(true);
  });

  it('refuses everything when no token is configured', () => {
    expect(tokenMatcher([])(ALPHA)).toBe(false);
    expect(tokenMatcher([])('')).toBe(false);
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['Bearer a', 'a'],
    [`Bearer ${'x'.repeat(512)}`, 'x'.repeat(512)],
    ['Bearer !~', '!~'],
    [`Bearer ${ALPHA}`, ALPHA],
    ['bearer abc', 'abc'],
    ['BEARER AbC', 'AbC'],
  ])('reads the token of %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([
    ['no header', undefined],
    ['empty', ''],
    ['no token', 'Bearer '],
    ['two spaces', 'Bearer  abc'],
    ['a space inside', 'Bearer abc def'],
    ['a trailing space', 'Bearer abc '],
    ['a trailing newline', 'Bearer abc\n'],
    ['text before the scheme', 'xBearer abc'],
    ['another scheme', 'Basic abc'],
    ['a longer scheme', 'Bearerx abc'],
    ['no scheme', 'abc'],
    ['over 512 characters', `Bearer ${'x'.repeat(513)}`],
    ['a control character', 'Bearer ab\u007fc'],
    ['a non-ASCII character', 'Bearer abé'],
  ])('refuses %s', (_name, header) => {
    expect(bearerToken(header)).toBeUndefined();
  });
});
