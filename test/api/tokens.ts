/** Configured and wrong API tokens shared by the auth tests. */
export const ALPHA = 'alpha-token-0123456789abcdef';
export const BRAVO = 'bravo-token-fedcba9876543210-longer';

/** Wrong tokens, most of them the same length as a configured one (a length check alone passes them). */
export const WRONG_TOKENS = [
  ['same length, last character changed', `${ALPHA.slice(0, -1)}g`],
  ['same length, first character changed', `A${ALPHA.slice(1)}`],
  ['same length, entirely different', 'z'.repeat(ALPHA.length)],
  ['same length as the second token', 'q'.repeat(BRAVO.length)],
  ['a prefix of a valid token', ALPHA.slice(0, -1)],
  ['a valid token with a character appended', `${ALPHA}0`],
  ['both tokens run together', `${ALPHA}${BRAVO}`],
] as const;
