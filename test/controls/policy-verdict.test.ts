/**
 * The sentences and codes KMS.1 and KMS.2 build from an analysis, checked directly on hand-made analyses
 * (each expected sentence written out from the examples in policy-verdict.ts's comments).
 */
import { describe, expect, it } from 'vitest';
import {
  ambiguitySentence,
  errorClause,
  errorReasonCode,
  failedClause,
  passedClause,
  policyEvidence,
} from '../../src/controls/policy-verdict.js';
import type { ActionCoverage, PolicyAnalysis } from '../../src/policy/index.js';

const KEY_A = 'arn:aws:kms:us-east-1:111122223333:key/a';
const KEY_B = 'arn:aws:kms:us-east-1:111122223333:key/b';

function coverage(action: string, kind: ActionCoverage['coverage'], extra: Partial<ActionCoverage> = {}) {
  return { action, coverage: kind, grantedBy: [], deniedBy: [], conditionalDenies: [], ...extra };
}

function okAnalysis(verdict: 'PASSED' | 'FAILED', ambiguous: boolean): PolicyAnalysis {
  return {
    ok: true,
    verdict,
    version: '2012-10-17',
    statementCount: 1,
    actions: [coverage('kms:Decrypt', verdict === 'FAILED' ? 'ALL' : 'NONE')],
    ...(ambiguous
      ? { ambiguity: { duplicatedMembers: ['Statement[0].Resource'], readings: 2, evaluated: 2 } }
      : {}),
  };
}

describe('duplicate keys in the verdict', () => {
  it('says a failing reading is reported, or that every reading passes', () => {
    expect(ambiguitySentence(okAnalysis('FAILED', true))).toBe(
      ' The document has duplicate keys (Statement[0].Resource): at least one of its readings fails, which is' +
        ' reported (2 of 2 readings evaluated).',
    );
    expect(ambiguitySentence(okAnalysis('PASSED', true), "Inline policy 'x'")).toBe(
      " Inline policy 'x' has duplicate keys (Statement[0].Resource): all 2 readings pass.",
    );
    expect(ambiguitySentence(okAnalysis('PASSED', false))).toBe('');
  });

  it('keeps the readings in the evidence', () => {
    expect(policyEvidence(okAnalysis('PASSED', true))).toEqual({
      verdict: 'PASSED',
      documentVersion: '2012-10-17',
      statementCount: 1,
      actionsAllowedOnAllKeys: [],
      actions: [coverage('kms:Decrypt', 'NONE')],
      ambiguity: { duplicatedMembers: ['Statement[0].Resource'], readings: 2, evaluated: 2 },
    });
  });
});

describe('errors', () => {
  it('gives each error code its reason code', () => {
    expect(errorReasonCode({ code: 'AMBIGUOUS', message: 'm' })).toBe('POLICY_AMBIGUOUS');
    expect(errorReasonCode({ code: 'TOO_COMPLEX', message: 'm' })).toBe('POLICY_TOO_COMPLEX');
    expect(errorReasonCode({ code: 'INVALID_JSON', message: 'm' })).toBe('POLICY_INVALID');
  });

  it('names the statement only when the error has one', () => {
    expect(errorClause({ code: 'INVALID_STATEMENT', message: 'bad Effect', statement: 3 })).toBe(
      'bad Effect (statement #3)',
    );
    expect(errorClause({ code: 'INVALID_JSON', message: 'not JSON' })).toBe('not JSON');
  });
});

describe('failedClause', () => {
  it('keeps actions granted by statements #1 and #2 apart from one granted by statement #12', () => {
    const clause = failedClause([
      coverage('kms:Decrypt', 'ALL', { grantedBy: [{ index: 1 }, { index: 2 }] }),
      coverage('kms:ReEncryptFrom', 'ALL', { grantedBy: [{ index: 12 }] }),
    ]);
    expect(clause).toBe(
      'statements #1 and #2 together allow kms:Decrypt on every KMS key; statement #12 allows kms:ReEncryptFrom' +
        ' on every KMS key',
    );
  });
});

describe('passedClause', () => {
  it('words one, two or three actions granted nowhere', () => {
    expect(passedClause([coverage('kms:Decrypt', 'NONE')])).toBe('kms:Decrypt is not granted on any KMS key');
    expect(passedClause([coverage('kms:Decrypt', 'NONE'), coverage('kms:Sign', 'NONE')])).toBe(
      'neither kms:Decrypt nor kms:Sign is granted on any KMS key',
    );
    expect(
      passedClause([
        coverage('kms:Decrypt', 'NONE'),
        coverage('kms:Sign', 'NONE'),
        coverage('kms:Verify', 'NONE'),
      ]),
    ).toBe('none of kms:Decrypt, kms:Sign and kms:Verify is granted on any KMS key');
  });

  it('gives the witness of one partial action', () => {
    expect(passedClause([coverage('kms:Decrypt', 'PARTIAL', { keyNotGranted: KEY_A })])).toBe(
      `kms:Decrypt is granted only on part of the KMS key space, e.g. not on ${KEY_A}`,
    );
  });

  it('leaves the witness out when there is none', () => {
    expect(passedClause([coverage('kms:Decrypt', 'PARTIAL')])).toBe(
      'kms:Decrypt is granted only on part of the KMS key space',
    );
  });

  it('says whose witness is shown: the first partial action that has one', () => {
    expect(
      passedClause([
        coverage('kms:Decrypt', 'PARTIAL'),
        coverage('kms:Sign', 'PARTIAL', { keyNotGranted: KEY_B }),
      ]),
    ).toBe(
      `kms:Decrypt and kms:Sign are granted only on part of the KMS key space (kms:Sign e.g. not on ${KEY_B})`,
    );
  });

  it('adds the actions granted nowhere after the partial ones', () => {
    expect(
      passedClause([
        coverage('kms:Decrypt', 'PARTIAL', { keyNotGranted: KEY_A }),
        coverage('kms:Sign', 'NONE'),
      ]),
    ).toBe(
      `kms:Decrypt is granted only on part of the KMS key space, e.g. not on ${KEY_A}, and kms:Sign is not granted at all`,
    );
  });
});
