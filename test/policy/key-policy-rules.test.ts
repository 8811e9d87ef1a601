import { describe, expect, it } from 'vitest';
import { loadKmsActions } from '../../src/catalog/load.js';
import type { ConditionGap, KeyPolicyResult } from '../../src/policy/key-policy/index.js';
import { evaluateKeyPolicyPublicAccess } from '../../src/policy/key-policy/index.js';

const kmsActions = loadKmsActions();
const ROOT = {
  Sid: 'EnableRoot',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111122223333:root' },
  Action: 'kms:*',
  Resource: '*',
};

function doc(...statements: Record<string, unknown>[]): Record<string, unknown> {
  return { Version: '2012-10-17', Statement: [ROOT, ...statements] };
}

function evaluate(document: unknown, restrictingKeys?: string[]): KeyPolicyResult {
  return evaluateKeyPolicyPublicAccess(document, { kmsActions, ...(restrictingKeys && { restrictingKeys }) });
}

/** A statement open to everyone on kms:Decrypt, with the given Condition block. */
function open(condition?: Record<string, unknown>, sid = 'Open'): Record<string, unknown> {
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: '*',
    Action: 'kms:Decrypt',
    Resource: '*',
    ...(condition && { Condition: condition }),
  };
}

function publicLabels(result: KeyPolicyResult): string[] {
  return result.publicStatements.map((s) => s.label);
}

/** The single condition gap of the single public statement. */
function onlyGap(result: KeyPolicyResult): ConditionGap {
  expect(result.verdict).toBe('FAILED');
  expect(result.publicStatements).toHaveLength(1);
  const conditions = result.publicStatements[0]!.conditions;
  expect(Array.isArray(conditions)).toBe(true);
  expect(conditions).toHaveLength(1);
  return (conditions as ConditionGap[])[0]!;
}

describe('KMS.5 rule 1: only Allow statements open access', () => {
  it('an Allow to everyone on kms:Decrypt with no condition is public', () => {
    const result = evaluate(doc(open()));
    expect(result.verdict).toBe('FAILED');
    expect(result.publicStatements).toEqual([
      {
        label: 'Open',
        index: 1,
        grantee: 'Principal "*"',
        actions: ['kms:Decrypt'],
        conditions: 'no condition',
      },
    ]);
    expect(result.reason).toContain("statement 'Open' (#1) opens kms:Decrypt to everyone");
    expect(result.reason).toContain('with no condition');
  });

  it('the same statement as a Deny opens nothing', () => {
    expect(evaluate(doc({ ...open(), Effect: 'Deny' })).verdict).toBe('PASSED');
  });

  it('the default key policy (account root only) is PASSED', () => {
    const result = evaluate(doc());
    expect(result).toEqual({
      verdict: 'PASSED',
      publicStatements: [],
      reason: 'PASSED: no statement opens a KMS action to everyone.',
    });
  });
});

describe('KMS.5 rule 2: who counts as everyone', () => {
  it.each([
    ['Principal "*"', { Principal: '*' }, 'Principal "*"'],
    ['AWS "*"', { Principal: { AWS: '*' } }, 'AWS principal "*"'],
    [
      'AWS list holding "*"',
      { Principal: { AWS: ['arn:aws:iam::111122223333:role/App', '*'] } },
      'AWS principal "*"',
    ],
    [
      'AWS ARN with *',
      { Principal: { AWS: 'arn:aws:iam::*:root' } },
      'AWS principal "arn:aws:iam::*:root" holds a wildcard',
    ],
    [
      'AWS ARN with ?',
      { Principal: { AWS: 'arn:aws:iam::11112222333?:root' } },
      'AWS principal "arn:aws:iam::11112222333?:root" holds a wildcard',
    ],
    [
      'NotPrincipal',
      { NotPrincipal: { AWS: 'arn:aws:iam::111122223333:role/Admin' } },
      'NotPrincipal (everyone not listed)',
    ],
  ])('%s grants everyone', (_name, principal, grantee) => {
    const statement = { Sid: 'P', Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', ...principal };
    const result = evaluate(doc(statement));
    expect(publicLabels(result)).toEqual(['P']);
    expect(result.publicStatements[0]!.grantee).toBe(grantee);
  });

  it.each([
    ['one account', { AWS: '444455556666' }],
    ['one role', { AWS: ['arn:aws:iam::111122223333:role/App'] }],
    ['a service', { Service: 'logs.amazonaws.com' }],
    ['a service "*"', { Service: '*' }],
    ['a federated provider', { Federated: 'cognito-identity.amazonaws.com' }],
    ['a canonical user "*"', { CanonicalUser: '*' }],
  ])('%s does not', (_name, principal) => {
    const statement = { Sid: 'P', Effect: 'Allow', Principal: principal, Action: 'kms:*', Resource: '*' };
    expect(evaluate(doc(statement)).verdict).toBe('PASSED');
  });
});

describe('KMS.5 rule 3: at least one KMS action', () => {
  it.each([
    ['kms:*', { Action: 'kms:*' }, kmsActions.length],
    ['*', { Action: '*' }, kmsActions.length],
    ['case-insensitive KMS:decrypt', { Action: 'KMS:decrypt' }, 1],
    ['kms:ReEncrypt*', { Action: ['kms:ReEncrypt*'] }, 2],
    ['NotAction s3:*', { NotAction: 's3:*' }, kmsActions.length],
    ['NotAction kms:Decrypt', { NotAction: ['kms:Decrypt'] }, kmsActions.length - 1],
  ])('%s opens KMS actions', (_name, actions, count) => {
    const statement = { Sid: 'P', Effect: 'Allow', Principal: '*', Resource: '*', ...actions };
    const result = evaluate(doc(statement));
    expect(result.verdict).toBe('FAILED');
    expect(result.publicStatements[0]!.actions).toHaveLength(count);
  });

  it('reports actions expanded against the KMS list, in canonical spelling', () => {
    const statement = {
      Sid: 'P',
      Effect: 'Allow',
      Principal: '*',
      Action: ['KMS:reencrypt*', 'kms:Decrypt', 's3:GetObject'],
      Resource: '*',
    };
    expect(evaluate(doc(statement)).publicStatements[0]!.actions).toEqual([
      'kms:Decrypt',
      'kms:ReEncryptFrom',
      'kms:ReEncryptTo',
    ]);
  });

  it.each([
    ['s3:GetObject', { Action: 's3:GetObject' }],
    ['NotAction kms:*', { NotAction: 'kms:*' }],
    ['NotAction *', { NotAction: '*' }],
    ['an action KMS does not have', { Action: 'kms:NoSuchAction' }],
  ])('%s opens none', (_name, actions) => {
    const statement = { Sid: 'P', Effect: 'Allow', Principal: '*', Resource: '*', ...actions };
    expect(evaluate(doc(statement)).verdict).toBe('PASSED');
  });
});

describe('KMS.5 rule 4: conditions that restrict', () => {
  it.each([
    ['StringEquals aws:PrincipalAccount', { StringEquals: { 'aws:PrincipalAccount': '111122223333' } }],
    ['StringEquals kms:CallerAccount', { StringEquals: { 'kms:CallerAccount': '111122223333' } }],
    [
      'StringEqualsIgnoreCase aws:PrincipalOrgID',
      { StringEqualsIgnoreCase: { 'aws:PrincipalOrgID': 'o-abc123def4' } },
    ],
    ['StringLike aws:SourceVpce', { StringLike: { 'aws:SourceVpce': 'vpce-0abc1234' } }],
    [
      'ArnEquals aws:PrincipalArn',
      { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/App' } },
    ],
    ['ArnLike aws:SourceArn', { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::bucket' } }],
    ['IpAddress aws:SourceIp', { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } }],
    [
      'ForAnyValue:StringEquals aws:PrincipalOrgPaths',
      { 'ForAnyValue:StringEquals': { 'aws:PrincipalOrgPaths': 'o-a/r-b/ou-c/' } },
    ],
    ['key in another case', { StringEquals: { 'AWS:PRINCIPALACCOUNT': '111122223333' } }],
    ['operator in another case', { stringequals: { 'aws:SourceVpc': 'vpc-1234' } }],
    [
      'one restricting entry among others',
      {
        Bool: { 'aws:SecureTransport': 'true' },
        StringEquals: { 'aws:SourceAccount': '111122223333', 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
      },
    ],
  ])('%s restricts', (_name, condition) => {
    expect(evaluate(doc(open(condition))).verdict).toBe('PASSED');
  });

  it.each([
    ['KEY_NOT_RESTRICTING', { StringEquals: { 'aws:PrincipalTag/team': 'blue' } }],
    ['VIA_SERVICE', { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } }],
    ['NEGATED_OPERATOR', { StringNotEquals: { 'aws:PrincipalAccount': '111122223333' } }],
    ['NEGATED_OPERATOR', { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/App' } }],
    ['NEGATED_OPERATOR', { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }],
    ['IF_EXISTS_OPERATOR', { StringEqualsIfExists: { 'aws:PrincipalAccount': '111122223333' } }],
    [
      'IF_EXISTS_OPERATOR',
      { 'ForAnyValue:StringEqualsIfExists': { 'aws:PrincipalAccount': '111122223333' } },
    ],
    ['FOR_ALL_VALUES', { 'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': 'o-abc123def4' } }],
    ['NULL_OPERATOR', { Null: { 'aws:PrincipalOrgID': 'false' } }],
    ['BOOL_OPERATOR', { Bool: { 'aws:SourceVpce': 'true' } }],
    ['NUMERIC_OPERATOR', { NumericEquals: { 'aws:SourceAccount': '111122223333' } }],
    ['DATE_OPERATOR', { DateGreaterThan: { 'aws:SourceAccount': '2020-01-01T00:00:00Z' } }],
    ['OTHER_OPERATOR', { BinaryEquals: { 'aws:SourceAccount': 'QmluYXJ5' } }],
    ['NO_VALUE', { StringEquals: { 'aws:PrincipalAccount': [] } }],
    ['VALUE_NOT_STRING', { StringEquals: { 'aws:PrincipalAccount': 111122223333 } }],
    ['EMPTY_VALUE', { StringEquals: { 'aws:PrincipalAccount': '' } }],
    ['WILDCARD_VALUE', { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/App' } }],
    ['WILDCARD_VALUE', { StringEquals: { 'aws:PrincipalAccount': ['111122223333', '44445555666?'] } }],
    ['VARIABLE_VALUE', { StringEquals: { 'aws:PrincipalAccount': '${aws:ResourceAccount}' } }],
    ['OPEN_CIDR', { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '0.0.0.0/0'] } }],
    ['OPEN_CIDR', { IpAddress: { 'aws:SourceIp': '::/0' } }],
  ])('%s does not restrict (%j)', (code, condition) => {
    const gap = onlyGap(evaluate(doc(open(condition))));
    expect(gap.code).toBe(code);
    const [operator, block] = Object.entries(condition)[0]!;
    expect(gap.operator).toBe(operator);
    expect(gap.key).toBe(Object.keys(block)[0]);
    expect(gap.why.length).toBeGreaterThan(10);
  });

  it('names every non-restricting entry and why, in the reason', () => {
    const result = evaluate(
      doc(
        open({
          StringLike: { 'aws:PrincipalOrgID': 'o-*' },
          StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
          StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1' },
        }),
      ),
    );
    const gaps = result.publicStatements[0]!.conditions as ConditionGap[];
    expect(gaps.map((g) => g.code)).toEqual(['WILDCARD_VALUE', 'VIA_SERVICE', 'IF_EXISTS_OPERATOR']);
    expect(result.reason).toContain('StringLike aws:PrincipalOrgID: value "o-*" holds a wildcard');
    expect(result.reason).toContain('StringEquals kms:ViaService:');
    expect(result.reason).toContain('StringEqualsIfExists aws:SourceVpce:');
  });

  it('a /0 prefix is only open for aws:SourceIp; other /32s and keys are fixed values', () => {
    expect(evaluate(doc(open({ IpAddress: { 'aws:SourceIp': '10.0.0.1/32' } })))).toMatchObject({
      verdict: 'PASSED',
    });
    expect(evaluate(doc(open({ StringEquals: { 'aws:SourceVpce': 'vpce-0/0' } })))).toMatchObject({
      verdict: 'PASSED',
    });
  });

  it('${...} is literal text in a 2008-10-17 document, so there it is a fixed value', () => {
    const condition = { StringEquals: { 'aws:PrincipalAccount': '${aws:ResourceAccount}' } };
    expect(evaluate({ Version: '2008-10-17', Statement: [open(condition)] }).verdict).toBe('PASSED');
    expect(evaluate({ Version: '2012-10-17', Statement: [open(condition)] }).verdict).toBe('FAILED');
  });

  it('the restricting keys are data: a caller may pass its own list', () => {
    const condition = { StringEquals: { 'aws:PrincipalTag/team': 'blue' } };
    expect(evaluate(doc(open(condition))).verdict).toBe('FAILED');
    expect(evaluate(doc(open(condition)), ['aws:PrincipalTag/team']).verdict).toBe('PASSED');
    // kms:ViaService names a service, never a caller, whatever the list says.
    const via = { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } };
    expect(evaluate(doc(open(via)), ['kms:ViaService']).verdict).toBe('FAILED');
  });

  it('an empty Condition block is no condition', () => {
    expect(evaluate(doc(open({}))).publicStatements[0]!.conditions).toBe('no condition');
  });
});

describe('KMS.5 rule 5: unconditional Denys on everyone remove actions', () => {
  const allowAll = {
    Sid: 'Open',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: ['kms:Decrypt', 'kms:Encrypt'],
    Resource: '*',
  };

  it('a Deny of every action removes the statement', () => {
    expect(
      evaluate(doc(allowAll, { Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*' })).verdict,
    ).toBe('PASSED');
  });

  it('a Deny with NotPrincipal counts as everyone too', () => {
    const deny = {
      Effect: 'Deny',
      NotPrincipal: { AWS: 'arn:aws:iam::111122223333:role/Admin' },
      Action: '*',
      Resource: '*',
    };
    expect(evaluate(doc(allowAll, deny)).verdict).toBe('PASSED');
  });

  it('a partial Deny leaves the remaining actions public', () => {
    const result = evaluate(
      doc(allowAll, { Effect: 'Deny', Principal: '*', Action: 'KMS:DECRYPT', Resource: '*' }),
    );
    expect(result.verdict).toBe('FAILED');
    expect(result.publicStatements[0]!.actions).toEqual(['kms:Encrypt']);
    expect(result.reason).toContain('opens kms:Encrypt to everyone');
  });

  it('Denys add up across statements, NotAction included', () => {
    const result = evaluate(
      doc(
        allowAll,
        { Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*' },
        { Effect: 'Deny', Principal: { AWS: ['*'] }, NotAction: 'kms:Decrypt', Resource: '*' },
      ),
    );
    expect(result.verdict).toBe('PASSED');
  });

  it('a Deny with a Condition removes nothing', () => {
    const deny = {
      Effect: 'Deny',
      Principal: '*',
      Action: 'kms:*',
      Resource: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    };
    expect(publicLabels(evaluate(doc(allowAll, deny)))).toEqual(['Open']);
  });

  it('a Deny on specific principals removes nothing', () => {
    const deny = {
      Effect: 'Deny',
      Principal: { AWS: 'arn:aws:iam::111122223333:role/App' },
      Action: 'kms:*',
      Resource: '*',
    };
    expect(publicLabels(evaluate(doc(allowAll, deny)))).toEqual(['Open']);
  });
});

describe('KMS.5 document shapes', () => {
  it('accepts Statement as one object and labels a statement without Sid by its index', () => {
    const { Sid: _sid, ...statement } = open();
    const result = evaluate({ Version: '2012-10-17', Statement: statement });
    expect(publicLabels(result)).toEqual(['#0']);
    expect(result.reason).toContain('statement #0 opens kms:Decrypt');
  });

  it('reads JSON text and URL-encoded JSON text the same as the object', () => {
    const document = doc(open({ StringLike: { 'aws:PrincipalArn': '*' } }));
    const expected = evaluate(document);
    expect(evaluate(JSON.stringify(document))).toEqual(expected);
    expect(evaluate(encodeURIComponent(JSON.stringify(document)))).toEqual(expected);
  });

  it('lists several public statements in document order', () => {
    const result = evaluate(doc(open(undefined, 'B'), open(undefined, 'A')));
    expect(publicLabels(result)).toEqual(['B', 'A']);
    expect(result.reason.split('\n')[0]).toBe('FAILED: 2 statements open KMS actions to everyone.');
  });

  it.each([
    ['not JSON', '{"Version": "2012-10-17", "Statement": [', 'INVALID_JSON'],
    ['a number', 42, 'INVALID_DOCUMENT'],
    ['null', null, 'INVALID_DOCUMENT'],
    ['no Statement', { Version: '2012-10-17' }, 'INVALID_DOCUMENT'],
    ['an unknown Version', { Version: '2020-01-01', Statement: [] }, 'INVALID_DOCUMENT'],
    ['a statement that is a string', { Version: '2012-10-17', Statement: ['Allow'] }, 'INVALID_STATEMENT'],
    ['no Effect', doc({ Principal: '*', Action: 'kms:*', Resource: '*' }), 'INVALID_STATEMENT'],
    [
      'Effect "allow"',
      doc({ Effect: 'allow', Principal: '*', Action: 'kms:*', Resource: '*' }),
      'INVALID_STATEMENT',
    ],
    [
      'Action and NotAction',
      doc({ Effect: 'Allow', Principal: '*', Action: 'kms:*', NotAction: 's3:*', Resource: '*' }),
      'INVALID_STATEMENT',
    ],
    [
      'neither Principal nor NotPrincipal',
      doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }),
      'INVALID_STATEMENT',
    ],
    [
      'Principal and NotPrincipal',
      doc({ Effect: 'Allow', Principal: '*', NotPrincipal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }),
      'INVALID_STATEMENT',
    ],
    [
      'Principal a bare ARN',
      doc({ Effect: 'Allow', Principal: 'arn:aws:iam::111122223333:root', Action: 'kms:*', Resource: '*' }),
      'INVALID_STATEMENT',
    ],
    [
      'Principal an empty object',
      doc({ Effect: 'Allow', Principal: {}, Action: 'kms:*', Resource: '*' }),
      'INVALID_STATEMENT',
    ],
    [
      'AWS principal a number',
      doc({ Effect: 'Allow', Principal: { AWS: 111122223333 }, Action: 'kms:*', Resource: '*' }),
      'INVALID_STATEMENT',
    ],
    ['Condition a list', doc({ ...open(), Condition: [] }), 'INVALID_STATEMENT'],
    ['Condition operator a string', doc(open({ StringEquals: 'aws:PrincipalAccount' })), 'INVALID_STATEMENT'],
    [
      'Condition value an object',
      doc(open({ StringEquals: { 'aws:PrincipalAccount': { a: 1 } } })),
      'INVALID_STATEMENT',
    ],
    [
      'Condition value null',
      doc(open({ StringEquals: { 'aws:PrincipalAccount': [null] } })),
      'INVALID_STATEMENT',
    ],
  ])('%s is NOT_AVAILABLE with a parse error, never a crash', (_name, document, code) => {
    const result = evaluate(document);
    expect(result.verdict).toBe('NOT_AVAILABLE');
    expect(result.publicStatements).toEqual([]);
    expect(result.error?.code).toBe(code);
    expect(result.reason).toMatch(/^NOT_AVAILABLE: the key policy could not be parsed: .+\[[A-Z_]+\]$/);
  });

  it('a malformed statement after a public one still makes the document NOT_AVAILABLE', () => {
    const result = evaluate(doc(open(), { Effect: 'Allow', Principal: '*', Action: 'kms:*' }));
    expect(result.verdict).toBe('NOT_AVAILABLE');
    expect(result.error).toMatchObject({ code: 'INVALID_STATEMENT', statement: 2 });
  });
});
