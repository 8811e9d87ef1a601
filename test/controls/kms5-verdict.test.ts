/**
 * KMS.5's verdict for one key policy as read, field by field: the reason without the analysis' verdict
 * word, the evidence of an unreadable or unparsable policy, and which keys are in scope.
 */
import { describe, expect, it } from 'vitest';
import { evaluateKms5, isInKms5Scope, keyPolicyVerdict } from '../../src/controls/index.js';
import { kmsKey, kmsSnapshot, params } from './helpers.js';

const KMS5 = params()['KMS.5'];

describe('keyPolicyVerdict', () => {
  it('a policy with no statement is PASSED, its reason without the leading "PASSED:"', () => {
    expect(
      keyPolicyVerdict({ kind: 'document', document: '{"Version":"2012-10-17","Statement":[]}' }, KMS5),
    ).toEqual({
      status: 'PASSED',
      reasonCode: 'KEY_POLICY_NOT_PUBLIC',
      reason: 'no statement opens a KMS action to everyone.',
      evidence: { publicStatements: [] },
    });
  });

  it('expands a public statement to the KMS actions it is given, and reads conditions on the keys it is given', () => {
    const own = { kmsActions: ['kms:Decrypt', 'kms:Encrypt'], restrictingConditionKeys: ['aws:SourceVpce'] };
    const open = (condition?: Record<string, unknown>) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'Open',
            Effect: 'Allow',
            Principal: '*',
            Action: 'kms:*',
            Resource: '*',
            Condition: condition,
          },
        ],
      });
    const failed = keyPolicyVerdict({ kind: 'document', document: open() }, own);
    expect(failed.status).toBe('FAILED');
    expect(
      (failed.evidence['publicStatements'] as { label: string; actions: string[] }[]).map((s) => [
        s.label,
        s.actions,
      ]),
    ).toEqual([['Open', ['kms:Decrypt', 'kms:Encrypt']]]);
    const vpce = { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } };
    expect(keyPolicyVerdict({ kind: 'document', document: open(vpce) }, own).status).toBe('PASSED');
    // aws:PrincipalOrgID restricts by default, but not when the parameter names only aws:SourceVpce.
    const org = { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdef1234' } };
    expect(keyPolicyVerdict({ kind: 'document', document: open(org) }, own).status).toBe('FAILED');
  });

  it('an unreadable policy keeps the refusal as evidence', () => {
    const verdict = keyPolicyVerdict(
      { kind: 'unreadable', code: 'AccessDeniedException', message: 'not authorized' },
      KMS5,
    );
    expect(verdict.status).toBe('FAILED');
    expect(verdict.evidence).toEqual({ errorCode: 'AccessDeniedException', errorMessage: 'not authorized' });
  });

  it('an unparsable policy keeps the parse error as evidence, and its reason starts with what failed', () => {
    const verdict = keyPolicyVerdict({ kind: 'document', document: '{"Statement": [' }, KMS5);
    expect(verdict.status).toBe('NOT_AVAILABLE');
    expect(verdict.evidence).toEqual({
      publicStatements: [],
      error: { code: 'INVALID_JSON', message: expect.stringContaining('not valid JSON') as unknown },
    });
    expect(verdict.reason).toMatch(/^the key policy could not be parsed: .*\[INVALID_JSON\]$/);
  });
});

describe('KMS.5 scope and results', () => {
  it('takes a key whose DescribeKey was refused (its manager is unknown), not an AWS managed key', () => {
    const refused = { code: 'AccessDeniedException', message: 'no', why: 'the key policy refuses it' };
    expect(isInKms5Scope(kmsKey({ keyManager: 'UNKNOWN', describeRefused: refused }))).toBe(true);
    expect(isInKms5Scope(kmsKey({ keyManager: 'AWS' }))).toBe(false);
    expect(isInKms5Scope(kmsKey({ keyManager: 'CUSTOMER' }))).toBe(true);
  });

  it('labels each result KMS.5', () => {
    const key = kmsKey({
      keyPolicy: { kind: 'document', document: '{"Version":"2012-10-17","Statement":[]}' },
    });
    expect(evaluateKms5(kmsSnapshot([key]), KMS5).map((result) => result.controlId)).toEqual(['KMS.5']);
  });
});
