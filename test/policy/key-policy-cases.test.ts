/**
 * KMS.5 direct cases, each written out by hand: the reason text, action lists against a small KMS action
 * list, document text with `%` in it, principal and condition shapes that must be parse errors, and the
 * edges of the /0 CIDR rule. Small inputs only: these run once per mutant that reaches them.
 */
import { describe, expect, it } from 'vitest';
import type { ConditionGap, KeyPolicyResult } from '../../src/policy/key-policy/index.js';
import { evaluateKeyPolicyPublicAccess } from '../../src/policy/key-policy/index.js';

/** A small KMS action list, deliberately not in sorted order. */
const THREE = ['kms:Sign', 'kms:Encrypt', 'kms:Decrypt'];

function evaluate(document: unknown, kmsActions: readonly string[] = THREE): KeyPolicyResult {
  return evaluateKeyPolicyPublicAccess(document, { kmsActions });
}

function statement(fields: Record<string, unknown>): Record<string, unknown> {
  return { Effect: 'Allow', Resource: '*', ...fields };
}

function doc(...statements: Record<string, unknown>[]): Record<string, unknown> {
  return { Version: '2012-10-17', Statement: statements };
}

/** Principal "*" on kms:Decrypt with the given Condition block. */
function openWith(condition: Record<string, unknown>): Record<string, unknown> {
  return statement({ Sid: 'Open', Principal: '*', Action: 'kms:Decrypt', Condition: condition });
}

function gapCodes(result: KeyPolicyResult): string[] {
  expect(result.verdict).toBe('FAILED');
  return (result.publicStatements[0]!.conditions as ConditionGap[]).map((gap) => gap.code);
}

describe('KMS.5 reason text', () => {
  it('one public statement: "1 statement opens", and every action of the list named as such', () => {
    const result = evaluate(doc(statement({ Sid: 'Open', Principal: '*', Action: 'kms:*' })));
    expect(result.reason).toBe(
      'FAILED: 1 statement opens KMS actions to everyone.\n' +
        `  - statement 'Open' (#0) opens every KMS action (3) to everyone (Principal "*") with no condition.`,
    );
  });

  it('some of the actions are listed by name, comma-separated, in sorted order', () => {
    const result = evaluate(doc(statement({ Principal: '*', NotAction: 'kms:Sign' })));
    expect(result.publicStatements[0]!.actions).toEqual(['kms:Decrypt', 'kms:Encrypt']);
    expect(result.reason).toContain('statement #0 opens kms:Decrypt, kms:Encrypt to everyone');
  });

  it('a one-action list is named by its action, not as "every KMS action (1)"', () => {
    const result = evaluate(doc(statement({ Principal: '*', Action: 'kms:*' })), ['kms:Decrypt']);
    expect(result.publicStatements[0]!.actions).toEqual(['kms:Decrypt']);
    expect(result.reason).toContain('statement #0 opens kms:Decrypt to everyone');
    expect(result.reason).not.toContain('every KMS action');
  });

  it('NOT_AVAILABLE names the statement of a statement error, and none for a document error', () => {
    const statementError = evaluate(doc(statement({ Principal: '*', Action: 'kms:*' }), { Effect: 'Allow' }));
    expect(statementError.error).toMatchObject({ code: 'INVALID_STATEMENT', statement: 1 });
    expect(statementError.reason).toMatch(/ \(statement #1\) \[INVALID_STATEMENT\]$/);

    const documentError = evaluate({ Version: '2012-10-17' });
    expect(documentError.reason).toBe(
      'NOT_AVAILABLE: the key policy could not be parsed: policy document has no Statement [INVALID_DOCUMENT]',
    );
  });

  it('an empty Sid labels the statement by its index', () => {
    const result = evaluate(doc(statement({ Sid: '', Principal: '*', Action: 'kms:Decrypt' })));
    expect(result.publicStatements.map((found) => found.label)).toEqual(['#0']);
  });
});

describe('KMS.5 NotAction', () => {
  it('every listed NotAction pattern is excluded', () => {
    const result = evaluate(doc(statement({ Principal: '*', NotAction: ['kms:Decrypt', 'kms:Sign'] })));
    expect(result.publicStatements[0]!.actions).toEqual(['kms:Encrypt']);
  });
});

describe('KMS.5 document text with % in it', () => {
  // '%2A' is three literal characters in JSON; only URL-decoding would make it '*' (a wildcard value).
  const document = doc(openWith({ StringEquals: { 'aws:PrincipalAccount': '%2A' } }));

  it('a fixed value "%2A" restricts, in the object', () => {
    expect(evaluate(document).verdict).toBe('PASSED');
  });

  it('JSON text is not URL-decoded, with or without leading whitespace', () => {
    expect(evaluate(JSON.stringify(document)).verdict).toBe('PASSED');
    expect(evaluate(`\n  ${JSON.stringify(document)}`).verdict).toBe('PASSED');
  });

  it('URL-encoded JSON text is decoded once', () => {
    // encodeURIComponent turns '%2A' into '%252A'; one decoding gives back '%2A'.
    expect(evaluate(encodeURIComponent(JSON.stringify(document))).verdict).toBe('PASSED');
  });
});

describe('KMS.5 principal shapes', () => {
  it.each([
    ['Principal null', { Principal: null }, 'Principal must be "*" or an object of principals'],
    [
      'Principal a bare ARN',
      { Principal: 'arn:aws:iam::111122223333:root' },
      'Principal must be "*" or an object of principals',
    ],
    [
      'an empty AWS list',
      { Principal: { AWS: [] } },
      'Principal.AWS must be a string or a non-empty list of strings',
    ],
    [
      'an AWS list with a number in it',
      { Principal: { AWS: ['arn:aws:iam::111122223333:root', 111122223333] } },
      'Principal.AWS must be a string or a non-empty list of strings',
    ],
    ['NotPrincipal null', { NotPrincipal: null }, 'NotPrincipal must be "*" or an object of principals'],
    [
      'an empty NotPrincipal AWS list',
      { NotPrincipal: { AWS: [] } },
      'NotPrincipal.AWS must be a string or a non-empty list of strings',
    ],
    [
      'neither Principal nor NotPrincipal',
      {},
      'statement has neither Principal nor NotPrincipal (every key policy statement needs one)',
    ],
  ])('%s is a parse error with its message', (_name, principal, message) => {
    const result = evaluate(doc(statement({ Action: 'kms:Decrypt', ...principal })));
    expect(result.verdict).toBe('NOT_AVAILABLE');
    expect(result.error).toEqual({ code: 'INVALID_STATEMENT', message, statement: 0 });
  });
});

describe('KMS.5 condition shapes', () => {
  it('an operator whose keys are null is a parse error', () => {
    const result = evaluate(doc(openWith({ StringEquals: null })));
    expect(result.verdict).toBe('NOT_AVAILABLE');
    expect(result.error).toEqual({
      code: 'INVALID_STATEMENT',
      message: 'Condition.StringEquals must be an object of condition keys',
      statement: 0,
    });
  });

  it('a boolean value is read, and does not restrict: it is not a fixed string', () => {
    const result = evaluate(doc(openWith({ StringEquals: { 'aws:PrincipalAccount': true } })));
    expect(gapCodes(result)).toEqual(['VALUE_NOT_STRING']);
  });
});

describe('KMS.5 /0 CIDR values of aws:SourceIp', () => {
  it.each([
    ['a /0 with whitespace after it', '0.0.0.0/0 '],
    ['a /00 prefix (the number 0)', '0.0.0.0/00'],
  ])('%s is open', (_name, value) => {
    expect(gapCodes(evaluate(doc(openWith({ IpAddress: { 'aws:SourceIp': value } }))))).toEqual([
      'OPEN_CIDR',
    ]);
  });

  it('only a prefix at the end counts: "0.0.0.0/0x" is no CIDR, so it is a fixed value', () => {
    expect(evaluate(doc(openWith({ IpAddress: { 'aws:SourceIp': '0.0.0.0/0x' } }))).verdict).toBe('PASSED');
  });
});
