import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadKmsActions } from '../../src/catalog/load.js';
import { evaluateKeyPolicyPublicAccess } from '../../src/policy/key-policy/index.js';

const kmsActions = loadKmsActions();
const evaluate = (document: unknown) => evaluateKeyPolicyPublicAccess(document, { kmsActions });

type Statement = Record<string, unknown> & {
  Sid: string;
  Condition?: Record<string, Record<string, unknown>>;
};

// Pieces drawn from real key policies and from the mistakes KMS.5 is about.
const principal = fc.constantFrom<Record<string, unknown>>(
  { Principal: '*' },
  { Principal: { AWS: '*' } },
  { Principal: { AWS: ['arn:aws:iam::111122223333:role/App', '*'] } },
  { Principal: { AWS: 'arn:aws:iam::*:root' } },
  { Principal: { AWS: 'arn:aws:iam::111122223333:root' } },
  { Principal: { AWS: '444455556666' } },
  { Principal: { Service: 'logs.amazonaws.com' } },
  { Principal: { Federated: 'cognito-identity.amazonaws.com' } },
  { NotPrincipal: { AWS: 'arn:aws:iam::111122223333:role/Admin' } },
);
const actions = fc.constantFrom<Record<string, unknown>>(
  { Action: 'kms:*' },
  { Action: '*' },
  { Action: 'kms:Decrypt' },
  { Action: ['KMS:encrypt', 'kms:GenerateDataKey*'] },
  { Action: ['kms:Get*', 'kms:List*'] },
  { Action: 's3:GetObject' },
  { NotAction: 'kms:Decrypt' },
  { NotAction: 'kms:*' },
  { NotAction: ['s3:*'] },
);
const operator = fc.constantFrom(
  'StringEquals',
  'StringLike',
  'ArnLike',
  'IpAddress',
  'ForAnyValue:StringEquals',
  'ForAllValues:StringEquals',
  'StringNotEquals',
  'StringEqualsIfExists',
  'Null',
  'Bool',
);
const key = fc.constantFrom(
  'aws:PrincipalAccount',
  'AWS:PRINCIPALORGID',
  'aws:SourceVpce',
  'aws:SourceIp',
  'kms:CallerAccount',
  'kms:ViaService',
  'aws:PrincipalTag/team',
  'aws:SecureTransport',
);
const value = fc.constantFrom(
  '111122223333',
  'o-abc123def4',
  'vpce-0abc1234',
  '203.0.113.0/24',
  '0.0.0.0/0',
  '1111*',
  '?11122223333',
  '${aws:PrincipalAccount}',
  '',
  'true',
);
const condition = fc.dictionary(
  operator,
  fc.dictionary(key, fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 3 })), {
    minKeys: 1,
    maxKeys: 2,
  }),
  { minKeys: 1, maxKeys: 2 },
);
const statement = fc
  .record({
    effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
    principal,
    actions,
    condition: fc.option(condition, { freq: 2 }),
  })
  .map(({ effect, principal, actions, condition }) => ({
    Effect: effect,
    ...principal,
    ...actions,
    Resource: '*',
    ...(condition !== null && { Condition: condition }),
  }));
const keyPolicy = fc
  .array(statement, { minLength: 1, maxLength: 6 })
  .map((statements) => statements.map((s, i) => ({ Sid: `S${i}`, ...s }) as Statement));

const documentOf = (statements: Statement[]) => ({ Version: '2012-10-17', Statement: statements });
const labels = (statements: Statement[]) =>
  evaluate(documentOf(statements)).publicStatements.map((s) => s.label);

/** A condition entry that restricts, with a fixed value (no `*`, `?`, `${`, not a /0). */
const restricting = fc.record({
  operator: fc.constantFrom(
    'StringEquals',
    'StringEqualsIgnoreCase',
    'StringLike',
    'ArnEquals',
    'ArnLike',
    'ForAnyValue:StringEquals',
  ),
  key: fc.constantFrom(
    'aws:PrincipalAccount',
    'aws:PrincipalOrgID',
    'AWS:SourceVpce',
    'kms:CallerAccount',
    'aws:PrincipalArn',
  ),
  value: fc.stringMatching(/^[A-Za-z0-9.:-]{1,24}$/),
});

/** The statement with one more condition entry (replacing one with the same operator and key). */
function withEntry(statement: Statement, entry: { operator: string; key: string; value: string }): Statement {
  const conditionBlock = statement.Condition ?? {};
  return {
    ...statement,
    Condition: {
      ...conditionBlock,
      [entry.operator]: { ...conditionBlock[entry.operator], [entry.key]: entry.value },
    },
  };
}

describe('KMS.5 properties over generated key policies', () => {
  it('every generated document is decided, and FAILED exactly when a statement is public', () => {
    fc.assert(
      fc.property(keyPolicy, (statements) => {
        const result = evaluate(documentOf(statements));
        expect(result.verdict).not.toBe('NOT_AVAILABLE');
        expect(result.verdict === 'FAILED').toBe(result.publicStatements.length > 0);
        for (const found of result.publicStatements) {
          expect(found.actions.length).toBeGreaterThan(0);
          expect(result.reason).toContain(`'${found.label}'`);
        }
      }),
    );
  });

  it('adding an unconditional Deny of kms:* on everyone always makes it PASSED', () => {
    const deny = fc.constantFrom<Record<string, unknown>>(
      { Principal: '*', Action: 'kms:*' },
      { Principal: { AWS: '*' }, Action: '*' },
      { NotPrincipal: { AWS: 'arn:aws:iam::111122223333:role/Admin' }, Action: 'KMS:*' },
    );
    fc.assert(
      fc.property(keyPolicy, deny, fc.nat(), (statements, denial, at) => {
        const next = [...statements];
        next.splice(at % (statements.length + 1), 0, {
          Sid: 'DenyAll',
          Effect: 'Deny',
          Resource: '*',
          ...denial,
        });
        expect(evaluate(documentOf(next)).verdict).toBe('PASSED');
      }),
    );
  });

  it('a restricting fixed-value condition removes a public statement; a * in its value brings it back', () => {
    fc.assert(
      fc.property(keyPolicy, restricting, fc.nat(), fc.nat(), (statements, entry, pick, at) => {
        const before = labels(statements);
        fc.pre(before.length > 0);
        const target = before[pick % before.length]!;
        const index = statements.findIndex((s) => s.Sid === target);
        const restricted = statements.map((s, i) => (i === index ? withEntry(s, entry) : s));
        expect(labels(restricted)).toEqual(before.filter((label) => label !== target));

        const position = at % (entry.value.length + 1);
        const wild = `${entry.value.slice(0, position)}*${entry.value.slice(position)}`;
        const reopened = statements.map((s, i) =>
          i === index ? withEntry(s, { ...entry, value: wild }) : s,
        );
        expect(labels(reopened)).toEqual(before);
      }),
    );
  });

  it('statement order does not change which statements are public', () => {
    fc.assert(
      fc.property(keyPolicy, (statements) => {
        const reversed = labels([...statements].reverse());
        expect(reversed).toEqual([...labels(statements)].reverse());
      }),
    );
  });
});
