/**
 * How a resource pattern compiles (src/policy/glob.ts), written from IAM's rules: `*` at the end of an ARN
 * segment spans `:`, any other `*` does not, `?` is one character, and in a 2012-10-17 document `${*}`,
 * `${?}`, `${$}` are those characters while any other `${...}` is a per-request value.
 */
import { describe, expect, it } from 'vitest';
import { ANY, compiledPattern, compilePattern, LIT, NEVER, ONE, SEG } from '../../src/policy/glob.js';

/** The tokens of a pattern: a character for a literal, else the token's name. */
function tokens(source: string, variables = true): string[] {
  const { kinds, chars } = compilePattern(source, variables);
  const names: Record<number, string> = { [SEG]: 'SEG', [ANY]: 'ANY', [ONE]: 'ONE', [NEVER]: 'NEVER' };
  return [...kinds].map((kind, i) => (kind === LIT ? String.fromCharCode(chars[i]!) : names[kind]!));
}

describe('compilePattern', () => {
  it('reads *, ? and literal characters', () => {
    expect(tokens('a?b')).toEqual(['a', 'ONE', 'b']);
    expect(tokens('key/*')).toEqual(['k', 'e', 'y', '/', 'ANY']);
    expect(tokens('a*b')).toEqual(['a', 'SEG', 'b']);
    expect(tokens('*:b')).toEqual(['ANY', ':', 'b']);
    expect(tokens('')).toEqual([]);
  });

  it('reads a run of stars as one star, which spans ":" when the run ends a segment', () => {
    expect(tokens('a**')).toEqual(['a', 'ANY']);
    expect(tokens('a***b')).toEqual(['a', 'SEG', 'b']);
    expect(tokens('**:')).toEqual(['ANY', ':']);
    expect(tokens('*?*')).toEqual(['SEG', 'ONE', 'ANY']);
  });

  it('reads the escapes ${*}, ${?} and ${$} as the characters, in a document with variables', () => {
    expect(tokens('a${*}b')).toEqual(['a', '*', 'b']);
    expect(tokens('${?}')).toEqual(['?']);
    expect(tokens('x${$}')).toEqual(['x', '$']);
    expect(tokens('${*}${?}')).toEqual(['*', '?']);
  });

  it('reads any other variable as a value no key can be relied on to have', () => {
    expect(tokens('key/${aws:username}')).toEqual(['k', 'e', 'y', '/', 'NEVER']);
    expect(tokens('${}x')).toEqual(['NEVER', 'x']);
    expect(tokens('${**}')).toEqual(['NEVER']);
  });

  it('reads "${" without a closing brace, and "$" alone, as characters', () => {
    expect(tokens('a${b')).toEqual(['a', '$', '{', 'b']);
    expect(tokens('$x')).toEqual(['$', 'x']);
    expect(tokens('a$')).toEqual(['a', '$']);
    expect(tokens('{*}')).toEqual(['{', 'SEG', '}']);
    // Only "$" followed by "{" opens a variable.
    expect(tokens('a{*}')).toEqual(['a', '{', 'SEG', '}']);
    expect(tokens('$x}')).toEqual(['$', 'x', '}']);
  });

  it('reads no variables in a document without them (Version 2008-10-17)', () => {
    expect(tokens('${*}', false)).toEqual(['$', '{', 'SEG', '}']);
    expect(tokens('${aws:username}', false)).toEqual([
      '$',
      '{',
      'a',
      'w',
      's',
      ':',
      'u',
      's',
      'e',
      'r',
      'n',
      'a',
      'm',
      'e',
      '}',
    ]);
  });

  it('marks the position before a final spanning star as accepting every continuation', () => {
    expect([...compilePattern('a*', true).tailAny]).toEqual([0, 1, 0]);
    expect([...compilePattern('a*b', true).tailAny]).toEqual([0, 0, 0, 0]);
    expect([...compilePattern('', true).tailAny]).toEqual([0]);
    expect([...compilePattern('*', true).tailAny]).toEqual([1, 0]);
  });
});

describe('compiledPattern', () => {
  it('gives the compiled pattern of the text, told apart by whether variables are read', () => {
    const withVariables = compiledPattern('p-${*}', true);
    const without = compiledPattern('p-${*}', false);
    expect([...withVariables.kinds]).toEqual([LIT, LIT, LIT]);
    expect([...without.kinds]).toEqual([LIT, LIT, LIT, LIT, SEG, LIT]);
    expect(compiledPattern('p-${*}', true)).toBe(withVariables);
  });

  it('does not give a pattern of one reading for a text of the other that reads like its cache entry', () => {
    // Cached under reading-and-text, "*g7" without variables must not answer "l*g7" with them, nor "xg7"
    // with variables answer "vxg7" without.
    expect(compiledPattern('*g7', false).source).toBe('*g7');
    expect(compiledPattern('l*g7', true).source).toBe('l*g7');
    expect(compiledPattern('xg7', true).source).toBe('xg7');
    expect(compiledPattern('vxg7', false).source).toBe('vxg7');
  });
});
