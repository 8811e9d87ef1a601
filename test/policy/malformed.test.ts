import { describe, expect, it } from 'vitest';
import {
  analyzePolicy,
  expandActionPatterns,
  parsePolicyDocument,
  splitActionPatterns,
} from '../../src/policy/index.js';

const ACTIONS = ['kms:Decrypt', 'kms:ReEncryptFrom'];
const allow = { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' };

describe('invalid documents are NOT_AVAILABLE with a typed reason, never PASSED', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['not JSON', '{"Version": "2012-10-17", Statement: []}', 'INVALID_JSON', /not valid JSON/],
    [
      'JSON with comments',
      '{"Version":"2012-10-17", /* c */ "Statement": []}',
      'INVALID_JSON',
      /not valid JSON/,
    ],
    ['bad URL encoding', '%7B%22Version%22%3A%E0%A4%A', 'INVALID_ENCODING', /URL-encoded/],
    ['a number', 42, 'INVALID_DOCUMENT', /got number/],
    ['null', null, 'INVALID_DOCUMENT', /got null/],
    ['a JSON array', '[1,2]', 'INVALID_DOCUMENT', /got array/],
    ['unknown Version', { Version: '2020-01-01', Statement: [allow] }, 'INVALID_DOCUMENT', /Version/],
    ['no Statement', { Version: '2012-10-17' }, 'INVALID_DOCUMENT', /no Statement/],
    [
      'statement not an object',
      { Version: '2012-10-17', Statement: ['x'] },
      'INVALID_STATEMENT',
      /must be an object/,
    ],
    ['missing Effect', { Statement: [{ Action: '*', Resource: '*' }] }, 'INVALID_STATEMENT', /no Effect/],
    [
      'bad Effect',
      { Statement: [{ Effect: 'allow', Action: '*', Resource: '*' }] },
      'INVALID_STATEMENT',
      /Effect must be/,
    ],
    [
      'Resource and NotResource',
      { Statement: [{ ...allow, NotResource: 'x' }] },
      'INVALID_STATEMENT',
      /both Resource and NotResource/,
    ],
    [
      'neither Resource nor NotResource',
      { Statement: [{ Effect: 'Allow', Action: '*' }] },
      'INVALID_STATEMENT',
      /neither Resource nor NotResource/,
    ],
    [
      'Action and NotAction',
      { Statement: [{ ...allow, NotAction: 's3:*' }] },
      'INVALID_STATEMENT',
      /both Action and NotAction/,
    ],
    [
      'no Action',
      { Statement: [{ Effect: 'Allow', Resource: '*' }] },
      'INVALID_STATEMENT',
      /neither Action nor NotAction/,
    ],
    ['Action of wrong type', { Statement: [{ ...allow, Action: 7 }] }, 'INVALID_STATEMENT', /Action must be/],
    [
      'Resource list with a number',
      { Statement: [{ ...allow, Resource: ['*', 3] }] },
      'INVALID_STATEMENT',
      /only strings/,
    ],
    [
      'empty Action list',
      { Statement: [{ ...allow, Action: [] }] },
      'INVALID_STATEMENT',
      /must not be empty/,
    ],
    [
      'Condition not an object',
      { Statement: [{ ...allow, Condition: 'x' }] },
      'INVALID_STATEMENT',
      /Condition must be/,
    ],
    ['Sid not a string', { Statement: [{ ...allow, Sid: 1 }] }, 'INVALID_STATEMENT', /Sid must be/],
  ];
  it.each(cases)('%s', (_name, document, code, message) => {
    const analysis = analyzePolicy(document, ACTIONS);
    expect(analysis.ok).toBe(false);
    expect(analysis.verdict).toBe('NOT_AVAILABLE');
    if (analysis.ok) return;
    expect(analysis.error.code).toBe(code);
    expect(analysis.error.message).toMatch(message);
  });

  it('names the offending statement', () => {
    const analysis = analyzePolicy({ Statement: [allow, { Effect: 'Allow', Action: '*' }] }, ACTIONS);
    expect(analysis.ok).toBe(false);
    if (!analysis.ok) expect(analysis.error.statement).toBe(1);
  });

  it('an invalid statement after a failing one still makes the document NOT_AVAILABLE', () => {
    const analysis = analyzePolicy(
      { Version: '2012-10-17', Statement: [allow, { Effect: 'Maybe' }] },
      ACTIONS,
    );
    expect(analysis.verdict).toBe('NOT_AVAILABLE');
  });

  it('rejects a bad partition without throwing', () => {
    expect(analyzePolicy({ Statement: [allow] }, ACTIONS, { partition: 'AWS!' }).verdict).toBe(
      'NOT_AVAILABLE',
    );
  });
});

describe('documents in every accepted form', () => {
  it('parses raw JSON text, URL-encoded text and objects alike', () => {
    const document = { Version: '2012-10-17', Statement: [{ Sid: 'All', ...allow }] };
    for (const input of [document, JSON.stringify(document), encodeURIComponent(JSON.stringify(document))]) {
      const analysis = analyzePolicy(input, ACTIONS);
      expect(analysis.verdict).toBe('FAILED');
      if (analysis.ok) expect(analysis.actions[0]!.grantedBy).toEqual([{ index: 0, sid: 'All' }]);
    }
  });

  it('does not URL-decode raw JSON that holds a percent sign', () => {
    const document = JSON.stringify({ Statement: [{ Sid: 'a%2Ab', ...allow }] });
    const analysis = analyzePolicy(document, ACTIONS);
    expect(analysis.ok && analysis.actions[0]!.grantedBy).toEqual([{ index: 0, sid: 'a%2Ab' }]);
  });

  it('an empty Condition is no condition: the Deny subtracts', () => {
    const analysis = analyzePolicy(
      { Statement: [allow, { Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*', Condition: {} }] },
      ACTIONS,
    );
    expect(analysis.ok && analysis.actions[0]!.coverage).toBe('NONE');
  });

  it('treats ${...} as literal text in a 2008-10-17 document', () => {
    const statement = { Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:*:key/${x}*' };
    const v2012 = analyzePolicy({ Version: '2012-10-17', Statement: [statement] }, ACTIONS);
    const v2008 = analyzePolicy({ Version: '2008-10-17', Statement: [statement] }, ACTIONS);
    expect(v2012.ok && v2012.actions[0]!.coverage).toBe('NONE');
    // '$', '{' and '}' are not key-id characters, so the literal reading grants no key either...
    expect(v2008.ok && v2008.actions[0]!.coverage).toBe('NONE');
    // ...but the escape ${$} is only an escape in 2012-10-17.
    const escaped = { Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:*:key/*${$}' };
    const literal = analyzePolicy({ Version: '2008-10-17', Statement: [escaped] }, ACTIONS);
    expect(literal.ok && literal.actions[0]!.coverage).toBe('NONE');
  });

  it('checks the key space of the partition asked for', () => {
    const document = {
      Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws-cn:kms:*:*:key/*' }],
    };
    const china = analyzePolicy(document, ACTIONS, { partition: 'aws-cn' });
    const commercial = analyzePolicy(document, ACTIONS, { partition: 'aws' });
    expect(china.verdict).toBe('FAILED');
    expect(commercial.verdict).toBe('PASSED');
    if (china.ok) expect(china.actions[0]!.keyGranted).toMatch(/^arn:aws-cn:kms:/);
  });

  it('parses trust policies without Resource when asked', () => {
    const trust = {
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' },
      ],
    };
    const parsed = parsePolicyDocument(trust, { requireResource: false });
    expect(parsed.ok && parsed.policy.statements[0]!.principal).toEqual({
      AWS: 'arn:aws:iam::111122223333:root',
    });
    expect(parsePolicyDocument(trust).ok).toBe(false);
  });
});

describe('evidence', () => {
  it('names granting, denying and conditional statements and gives witnesses for PARTIAL', () => {
    const analysis = analyzePolicy(
      {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'S3', Effect: 'Allow', Action: 's3:*', Resource: '*' },
          { Sid: 'Kms', Effect: 'Allow', Action: 'kms:*', Resource: '*' },
          { Effect: 'Deny', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:*:key/1*' },
          {
            Sid: 'Tls',
            Effect: 'Deny',
            Action: 'kms:*',
            Resource: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          { Sid: 'Other', Effect: 'Deny', Action: 'kms:Decrypt', Resource: 'arn:aws:s3:::*' },
        ],
      },
      ACTIONS,
    );
    expect(analysis.ok).toBe(true);
    if (!analysis.ok) return;
    const [decrypt, reencrypt] = analysis.actions;
    expect(decrypt!.coverage).toBe('PARTIAL');
    expect(decrypt!.grantedBy).toEqual([{ index: 1, sid: 'Kms' }]);
    expect(decrypt!.deniedBy).toEqual([{ index: 2 }]);
    expect(decrypt!.conditionalDenies).toEqual([{ index: 3, sid: 'Tls' }]);
    expect(decrypt!.keyNotGranted).toMatch(/:key\/1/);
    expect(decrypt!.keyGranted).not.toMatch(/:key\/1/);
    expect(reencrypt!.coverage).toBe('ALL');
    expect(reencrypt!.keyNotGranted).toBeUndefined();
    expect(analysis.verdict).toBe('FAILED');
  });
});

describe('blocked action patterns', () => {
  const known = ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];
  it('expands wildcards against the known actions, case-insensitively', () => {
    expect(expandActionPatterns(['kms:ReEncrypt*', 'KMS:decrypt'], known)).toEqual({
      actions: ['kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
      unmatched: [],
    });
  });
  it('reports patterns that match nothing', () => {
    expect(expandActionPatterns(['kms:Decrypt', 'kms:Nope*'], known).unmatched).toEqual(['kms:Nope*']);
  });
  it('splits the CSV form of the Config rule parameter', () => {
    expect(splitActionPatterns('kms:ReEncryptFrom, kms:Decrypt,')).toEqual([
      'kms:ReEncryptFrom',
      'kms:Decrypt',
    ]);
  });
});
