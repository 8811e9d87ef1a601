/**
 * The simulator's key-policy authorization, decided by hand from AWS's documented rules: an explicit
 * Deny wins, a statement naming the caller allows, one naming the account defers to IAM, else no
 * resource-based policy allows. Messages are AWS's.
 */
import { describe, expect, it } from 'vitest';
import { authorizeKeyRequest, type KeyRequest } from '../../src/simulator/key-policy-auth.js';
import { KEY_POLICY_KINDS, keyPolicyOfKind } from '../../src/simulator/key-policy-kinds.js';
import {
  KEY_CALLS,
  LOCKED_KEY_KINDS,
  lockedKeyPolicy,
  awsManagedKeyPolicy,
  defaultKeyPolicy,
} from '../../src/simulator/key-policies.js';
import { seededRandom } from '../../src/simulator/random.js';

const ACCOUNT = '111122223333';
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const MEMBER_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/KeywardenMemberRole/keywarden-scan`;
const MEMBER_ROLE = `arn:aws:iam::${ACCOUNT}:role/KeywardenMemberRole`;
const ADMIN_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/KeyAdmin/alice`;
const ADMIN_ROLE = `arn:aws:iam::${ACCOUNT}:role/KeyAdmin`;

function request(overrides: Partial<KeyRequest> = {}): KeyRequest {
  return {
    action: 'kms:DescribeKey',
    keyArn: KEY,
    callerArn: MEMBER_SESSION,
    principalArn: MEMBER_ROLE,
    callerAccount: ACCOUNT,
    iamAllows: true,
    ...overrides,
  };
}
const asAdmin = { callerArn: ADMIN_SESSION, principalArn: ADMIN_ROLE };

const root = {
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  Action: 'kms:*',
  Resource: '*',
};
const policy = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });
const denyAllBut = (condition: object) => ({
  Effect: 'Deny',
  Principal: '*',
  Action: 'kms:*',
  Resource: '*',
  Condition: condition,
});

const EXPLICIT = `User: ${MEMBER_SESSION} is not authorized to perform: kms:DescribeKey on resource: ${KEY} with an explicit deny in a resource-based policy`;
const NO_RESOURCE_ALLOW = `User: ${MEMBER_SESSION} is not authorized to perform: kms:DescribeKey on resource: ${KEY} because no resource-based policy allows the kms:DescribeKey action`;

describe('the default key policy delegates to the account', () => {
  it('allows when the role’s IAM policy allows the action', () => {
    expect(authorizeKeyRequest(policy(root), request())).toEqual({ allowed: true, by: 'iam' });
  });

  it('refuses when it does not, naming the identity-based policy', () => {
    expect(authorizeKeyRequest(policy(root), request({ iamAllows: false }))).toEqual({
      allowed: false,
      why: 'no-identity-allow',
      message: `User: ${MEMBER_SESSION} is not authorized to perform: kms:DescribeKey on resource: ${KEY} because no identity-based policy allows the kms:DescribeKey action`,
    });
  });

  it.each([ACCOUNT, `arn:aws:iam::${ACCOUNT}:root`])('the account may be named as %s', (principal) => {
    const document = policy({ ...root, Principal: { AWS: principal } });
    expect(authorizeKeyRequest(document, request())).toMatchObject({ allowed: true, by: 'iam' });
  });
});

describe('explicit denies win', () => {
  it.each([
    ['StringNotEquals', { StringNotEquals: { 'aws:PrincipalArn': ADMIN_ROLE } }],
    ['StringNotLike', { StringNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/KeyAdmin*` } }],
    ['ArnNotEquals', { ArnNotEquals: { 'aws:PrincipalArn': ADMIN_ROLE } }],
    ['ArnNotLike', { ArnNotLike: { 'AWS:PRINCIPALARN': `arn:aws:iam::*:role/KeyAdmin` } }],
    ['two admins listed', { StringNotEquals: { 'aws:PrincipalArn': [ADMIN_ROLE, `${ADMIN_ROLE}2`] } }],
  ])(
    '"Deny everyone except KeyAdmin" (%s) locks the member role out and lets KeyAdmin in',
    (_n, condition) => {
      const document = policy(root, denyAllBut(condition));
      expect(authorizeKeyRequest(document, request())).toEqual({
        allowed: false,
        why: 'explicit-deny',
        message: EXPLICIT,
      });
      expect(authorizeKeyRequest(document, request(asAdmin))).toEqual({ allowed: true, by: 'iam' });
    },
  );

  it('a Deny naming the account applies to its roles, even where a statement names the role', () => {
    const document = policy(
      { Effect: 'Allow', Principal: { AWS: MEMBER_ROLE }, Action: 'kms:*', Resource: '*' },
      { Effect: 'Deny', Principal: { AWS: ACCOUNT }, Action: 'kms:Describe*', Resource: '*' },
    );
    expect(authorizeKeyRequest(document, request())).toMatchObject({ allowed: false, why: 'explicit-deny' });
  });

  it('a Deny with NotPrincipal denies everyone not listed', () => {
    const document = policy(root, {
      Effect: 'Deny',
      NotPrincipal: { AWS: [ADMIN_ROLE, `arn:aws:iam::${ACCOUNT}:root`] },
      Action: 'kms:*',
      Resource: '*',
    });
    expect(authorizeKeyRequest(document, request())).toMatchObject({ allowed: false, why: 'explicit-deny' });
    expect(authorizeKeyRequest(document, request(asAdmin))).toMatchObject({ allowed: true });
  });

  it('a Deny of one action leaves the others (actions match case-insensitively)', () => {
    const document = policy(root, {
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'KMS:getkeyrotationstatus',
      Resource: '*',
    });
    expect(authorizeKeyRequest(document, request())).toMatchObject({ allowed: true });
    expect(authorizeKeyRequest(document, request({ action: 'kms:GetKeyRotationStatus' }))).toMatchObject({
      allowed: false,
      why: 'explicit-deny',
      message: expect.stringContaining('perform: kms:GetKeyRotationStatus on resource'),
    });
  });

  it('a Deny whose condition does not hold removes nothing (the simulator stands in for HTTPS)', () => {
    const document = policy(root, denyAllBut({ Bool: { 'aws:SecureTransport': 'false' } }));
    expect(authorizeKeyRequest(document, request())).toMatchObject({ allowed: true });
  });

  it('a condition on a key the request lacks: positive operators fail, negated and IfExists hold', () => {
    const on = (condition: object) => authorizeKeyRequest(policy(root, denyAllBut(condition)), request());
    expect(on({ StringEquals: { 'aws:SourceVpce': 'vpce-1' } })).toMatchObject({ allowed: true });
    expect(on({ StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } })).toMatchObject({ allowed: false });
    expect(on({ StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1' } })).toMatchObject({ allowed: false });
    expect(on({ Null: { 'aws:SourceVpce': 'true' } })).toMatchObject({ allowed: false });
    expect(on({ Null: { 'aws:SourceVpce': 'false' } })).toMatchObject({ allowed: true });
  });

  it('an operator the simulator does not know fails closed: a Deny applies, an Allow does not', () => {
    const unknown = { NumericLessThan: { 'aws:MultiFactorAuthAge': '300' } };
    expect(authorizeKeyRequest(policy(root, denyAllBut(unknown)), request())).toMatchObject({
      allowed: false,
      why: 'explicit-deny',
    });
    const allow = policy({
      Effect: 'Allow',
      Principal: '*',
      Action: 'kms:*',
      Resource: '*',
      Condition: unknown,
    });
    expect(authorizeKeyRequest(allow, request())).toMatchObject({ allowed: false, why: 'no-resource-allow' });
  });
});

describe('without a statement for the caller or its account', () => {
  it('a policy that allows only another account refuses with "no resource-based policy allows"', () => {
    const document = policy({ ...root, Principal: { AWS: 'arn:aws:iam::999988887777:root' } });
    expect(authorizeKeyRequest(document, request())).toEqual({
      allowed: false,
      why: 'no-resource-allow',
      message: NO_RESOURCE_ALLOW,
    });
  });

  it('a statement naming the role allows by itself, even without IAM permission', () => {
    const document = policy({
      Effect: 'Allow',
      Principal: { AWS: MEMBER_ROLE },
      Action: ['kms:Describe*', 'kms:Get*'],
      Resource: '*',
    });
    expect(authorizeKeyRequest(document, request({ iamAllows: false }))).toEqual({
      allowed: true,
      by: 'key-policy',
    });
    expect(authorizeKeyRequest(document, request({ action: 'kms:ListResourceTags' }))).toMatchObject({
      allowed: false,
      why: 'no-resource-allow',
    });
  });

  it('a condition that pins the caller’s account or organization holds for the caller', () => {
    const pinned = (condition: object) =>
      policy({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*', Condition: condition });
    const context = { 'aws:PrincipalOrgID': 'o-abc' };
    expect(
      authorizeKeyRequest(pinned({ StringEquals: { 'kms:CallerAccount': ACCOUNT } }), request()),
    ).toMatchObject({ allowed: true, by: 'key-policy' });
    expect(
      authorizeKeyRequest(pinned({ StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } }), request({ context })),
    ).toMatchObject({ allowed: true });
    expect(
      authorizeKeyRequest(pinned({ StringEquals: { 'aws:PrincipalOrgID': 'o-xyz' } }), request({ context })),
    ).toMatchObject({ allowed: false, why: 'no-resource-allow' });
    expect(
      authorizeKeyRequest(
        pinned({ StringEquals: { 'aws:PrincipalAccount': '${aws:ResourceAccount}' } }),
        request(),
      ),
    ).toMatchObject({ allowed: true });
  });

  it('a Service principal never names a role', () => {
    const document = policy({ ...root, Principal: { Service: 'logs.amazonaws.com' } });
    expect(authorizeKeyRequest(document, request())).toMatchObject({
      allowed: false,
      why: 'no-resource-allow',
    });
  });

  it('a document that is not a policy allows nothing', () => {
    for (const document of [null, 'text', {}, { Statement: 'x' }])
      expect(authorizeKeyRequest(document, request())).toMatchObject({ allowed: false });
  });
});

describe('the simulator’s own key policies', () => {
  it('AWS’s default policies let the member role read metadata through IAM', () => {
    for (const document of [defaultKeyPolicy(ACCOUNT), awsManagedKeyPolicy(ACCOUNT, 'us-east-1')])
      for (const call of KEY_CALLS)
        expect(authorizeKeyRequest(document, request({ action: `kms:${call}` }))).toEqual({
          allowed: true,
          by: 'iam',
        });
  });

  it('each locked kind refuses exactly the calls it declares; Deny-all-except-KeyAdmin lets KeyAdmin in', () => {
    const random = seededRandom(5);
    for (let round = 0; round < 40; round++) {
      for (const kind of LOCKED_KEY_KINDS) {
        const locked = lockedKeyPolicy(kind, random, ACCOUNT);
        for (const call of KEY_CALLS) {
          const decision = authorizeKeyRequest(locked.document, request({ action: `kms:${call}` }));
          if (locked.refuses.includes(call))
            expect(decision, `${kind} ${call}`).toMatchObject({ allowed: false, why: locked.refusal });
          else expect(decision, `${kind} ${call}`).toMatchObject({ allowed: true });
          if (kind === 'deny-all-except-key-admin') {
            const admin = authorizeKeyRequest(
              locked.document,
              request({ action: `kms:${call}`, ...asAdmin }),
            );
            expect(admin, `${kind} ${call} as KeyAdmin`).toMatchObject({ allowed: true });
          }
        }
      }
    }
  });

  it('of the KMS.5 kinds only the one neutralised by an unconditional Deny locks the member role out', () => {
    const random = seededRandom(9);
    for (let round = 0; round < 40; round++) {
      for (const kind of KEY_POLICY_KINDS) {
        const { document } = keyPolicyOfKind(kind, random, { accountId: ACCOUNT });
        for (const call of KEY_CALLS) {
          const decision = authorizeKeyRequest(document, request({ action: `kms:${call}` }));
          expect(decision.allowed, `${kind} ${call}`).toBe(kind !== 'neutralised-by-deny');
        }
      }
    }
  });
});
