/** Action patterns: regex characters are literal, and blank or padded patterns read as IAM reads them. */
import { describe, expect, it } from 'vitest';
import { actionMatches, expandActionPatterns } from '../../src/policy/index.js';

const KNOWN = ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];

describe('action patterns', () => {
  it.each([
    ['kms:Decrypt+', 'kms:Decrypt'],
    ['kms:De.rypt', 'kms:Decrypt'],
    ['kms:(Decrypt)', 'kms:Decrypt'],
    ['kms:Decrypt|kms:Encrypt', 'kms:Encrypt'],
  ])('a regex character in %s is a literal character, so it does not match %s', (pattern, action) => {
    expect(actionMatches(pattern, action)).toBe(false);
  });

  it('a literal dot, plus or parenthesis matches itself', () => {
    expect(actionMatches('svc:A.b+(c)', 'svc:a.B+(C)')).toBe(true);
  });

  it('padded patterns are trimmed before matching', () => {
    expect(expandActionPatterns(['  kms:Decrypt ', '\tkms:ReEncrypt*'], KNOWN)).toEqual({
      actions: ['kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
      unmatched: [],
    });
  });

  it('blank patterns are skipped, not reported as unmatched', () => {
    expect(expandActionPatterns(['', '   ', 'kms:Nope'], KNOWN)).toEqual({
      actions: [],
      unmatched: ['kms:Nope'],
    });
  });
});
