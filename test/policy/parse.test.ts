/**
 * Decoding and parsing of IAM policy documents (src/policy/parse.ts), on small hand-written documents:
 * the exact statements produced (no stray fields), and the typed error, with the statement's index, for
 * each kind of invalid input.
 */
import { describe, expect, it } from 'vitest';
import type { ParsedStatement } from '../../src/policy/parse.js';
import { decodeDocument, MAX_DOCUMENT_CHARS, parsePolicyDocument } from '../../src/policy/parse.js';

const VERSION = '2012-10-17';

/** The parsed statements of a document that must parse. */
function statementsOf(document: unknown, requireResource?: boolean): ParsedStatement[] {
  const result = parsePolicyDocument(document, requireResource === undefined ? {} : { requireResource });
  if (!result.ok) throw new Error(`unexpected ${result.error.code}: ${result.error.message}`);
  return result.policy.statements;
}

/** The error of a document that must not parse. */
function errorOf(document: unknown): { code: string; statement?: number } {
  const result = parsePolicyDocument(document);
  if (result.ok) throw new Error('parsed');
  const { code, statement } = result.error;
  return statement === undefined ? { code } : { code, statement };
}

describe('decodeDocument', () => {
  it('takes an object as it is, with no text', () => {
    const value = { Version: VERSION };
    expect(decodeDocument(value)).toStrictEqual({ ok: true, value });
  });

  it('parses raw JSON, giving the trimmed text', () => {
    expect(decodeDocument(' \n{"a": 1}\t ')).toStrictEqual({ ok: true, value: { a: 1 }, text: '{"a": 1}' });
    // Raw JSON with a '%' inside and blanks before it is not URL-decoded.
    expect(decodeDocument('  {"Sid": "100%"}')).toStrictEqual({
      ok: true,
      value: { Sid: '100%' },
      text: '{"Sid": "100%"}',
    });
  });

  it('URL-decodes text as IAM returns it, trimming the decoded text', () => {
    expect(decodeDocument('%7B%22a%22%3A%201%7D')).toStrictEqual({
      ok: true,
      value: { a: 1 },
      text: '{"a": 1}',
    });
    expect(decodeDocument('%20%7B%7D%0A')).toStrictEqual({ ok: true, value: {}, text: '{}' });
    expect(decodeDocument('%E0%A4%A')).toMatchObject({ ok: false, error: { code: 'INVALID_ENCODING' } });
  });

  it('refuses what is neither an object nor a string, and text that is not JSON', () => {
    for (const input of [42, null, undefined, ['{}'], true]) {
      expect(decodeDocument(input), String(input)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_DOCUMENT' },
      });
    }
    expect(decodeDocument('{"a":')).toMatchObject({ ok: false, error: { code: 'INVALID_JSON' } });
  });

  it(`refuses text over ${MAX_DOCUMENT_CHARS} characters before reading it`, () => {
    expect(MAX_DOCUMENT_CHARS).toBe(2 * 1024 * 1024);
    const at = `{}${' '.repeat(MAX_DOCUMENT_CHARS - 2)}`;
    expect(decodeDocument(at)).toMatchObject({ ok: true, value: {} });
    expect(decodeDocument(`${at} `)).toMatchObject({ ok: false, error: { code: 'TOO_LARGE' } });
  });
});

describe('parsePolicyDocument: statements', () => {
  it('gives exactly the fields a statement has', () => {
    const statements = statementsOf({
      Version: VERSION,
      Statement: [
        { Sid: 'One', Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' },
        {
          Effect: 'Deny',
          NotAction: ['kms:Encrypt', 'kms:Decrypt'],
          NotResource: ['arn:aws:kms:*'],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        { Effect: 'Allow', Action: ['kms:*'], Resource: ['a', 'b'], Condition: {} },
      ],
    });
    expect(statements).toStrictEqual([
      {
        index: 0,
        sid: 'One',
        effect: 'Allow',
        hasCondition: false,
        actions: ['kms:Decrypt'],
        resources: ['*'],
      },
      {
        index: 1,
        effect: 'Deny',
        hasCondition: true,
        notActions: ['kms:Encrypt', 'kms:Decrypt'],
        notResources: ['arn:aws:kms:*'],
        condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        index: 2,
        effect: 'Allow',
        hasCondition: false,
        actions: ['kms:*'],
        resources: ['a', 'b'],
        condition: {},
      },
    ]);
  });

  it('reads a single statement object, and keeps Principal and NotPrincipal of a trust policy', () => {
    const trust = statementsOf(
      {
        Statement: { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      },
      false,
    );
    expect(trust).toStrictEqual([
      {
        index: 0,
        effect: 'Allow',
        hasCondition: false,
        actions: ['sts:AssumeRole'],
        principal: { Service: 'ec2.amazonaws.com' },
      },
    ]);
    const notPrincipal = statementsOf(
      { Statement: [{ Effect: 'Deny', NotPrincipal: { AWS: '*' }, Action: '*' }] },
      false,
    );
    expect(notPrincipal).toStrictEqual([
      { index: 0, effect: 'Deny', hasCondition: false, actions: ['*'], notPrincipal: { AWS: '*' } },
    ]);
  });

  it('takes an absent Version as 2008-10-17 and accepts both known versions', () => {
    const versionOf = (document: unknown): string => {
      const result = parsePolicyDocument(document);
      return result.ok ? result.policy.version : result.error.code;
    };
    const statement = { Effect: 'Allow', Action: '*', Resource: '*' };
    expect(versionOf({ Statement: statement })).toBe('2008-10-17');
    expect(versionOf({ Version: '2008-10-17', Statement: statement })).toBe('2008-10-17');
    expect(versionOf({ Version: VERSION, Statement: statement })).toBe(VERSION);
    for (const version of [null, 20121017, '2012-10-18', '', ['2012-10-17']]) {
      expect(versionOf({ Version: version, Statement: statement }), JSON.stringify(version)).toBe(
        'INVALID_DOCUMENT',
      );
    }
  });
});

describe('parsePolicyDocument: errors', () => {
  it('refuses a document that is not a JSON object, without a statement index', () => {
    for (const text of ['"policy"', '3', 'null', '[1]', 'true']) {
      expect(parsePolicyDocument(text), text).toStrictEqual({
        ok: false,
        error: { code: 'INVALID_DOCUMENT', message: expect.stringMatching(/must be a JSON object, got /) },
      });
    }
    expect(errorOf({ Version: VERSION })).toEqual({ code: 'INVALID_DOCUMENT' });
    expect(errorOf(7)).toEqual({ code: 'INVALID_DOCUMENT' });
  });

  it('names the offending statement by index', () => {
    const ok = { Effect: 'Allow', Action: '*', Resource: '*' };
    const cases: [unknown, number][] = [
      ['x', 1],
      [{ Action: '*', Resource: '*' }, 1],
      [{ Effect: 'allow', Action: '*', Resource: '*' }, 1],
      [{ Effect: 'Allow', Sid: 3, Action: '*', Resource: '*' }, 1],
      [{ Effect: 'Allow', Resource: '*' }, 1],
      [{ Effect: 'Allow', Action: '*', NotAction: '*', Resource: '*' }, 1],
      [{ Effect: 'Allow', Action: [], Resource: '*' }, 1],
      [{ Effect: 'Allow', Action: ['a', 1], Resource: '*' }, 1],
      [{ Effect: 'Allow', Action: 1, Resource: '*' }, 1],
      [{ Effect: 'Allow', Action: '*' }, 1],
      [{ Effect: 'Allow', Action: '*', Resource: '*', NotResource: '*' }, 1],
      [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: 'x' }, 1],
      [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: [] }, 1],
    ];
    for (const [bad, index] of cases) {
      expect(errorOf({ Version: VERSION, Statement: [ok, bad, ok] }), JSON.stringify(bad)).toEqual({
        code: 'INVALID_STATEMENT',
        statement: index,
      });
    }
  });
});
