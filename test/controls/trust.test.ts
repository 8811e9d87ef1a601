import { describe, expect, it } from 'vitest';
import { isAssumableOnlyByManagementAccount } from '../../src/controls/index.js';
import type { PolicyDocumentInput } from '../../src/model/snapshot.js';
import { ACCOUNT, MANAGEMENT_ACCOUNT } from './helpers.js';

const trust = (...statements: Record<string, unknown>[]) => ({
  Version: '2012-10-17',
  Statement: statements,
});
const assume = (principal: unknown, extra: Record<string, unknown> = {}) => ({
  Effect: 'Allow',
  Principal: principal,
  Action: 'sts:AssumeRole',
  ...extra,
});
const M = MANAGEMENT_ACCOUNT;

describe('isAssumableOnlyByManagementAccount', () => {
  it.each<[string, PolicyDocumentInput | undefined, boolean]>([
    ['management account id', trust(assume({ AWS: M })), true],
    ['management account root ARN', trust(assume({ AWS: `arn:aws:iam::${M}:root` })), true],
    ['a role in the management account', trust(assume({ AWS: `arn:aws:iam::${M}:role/OrgAdmin` })), true],
    ['a user in the management account', trust(assume({ AWS: [`arn:aws:iam::${M}:user/alice`, M] })), true],
    [
      'with a Condition (only narrows)',
      trust(assume({ AWS: M }, { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } })),
      true,
    ],
    [
      'plus a Deny for someone else',
      trust(assume({ AWS: M }), { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' }),
      true,
    ],
    ['as URL-encoded JSON text', encodeURIComponent(JSON.stringify(trust(assume({ AWS: M })))), true],
    [
      'two statements, both management',
      trust(assume({ AWS: M }), assume({ AWS: `arn:aws:iam::${M}:root` }, { Action: 'sts:TagSession' })),
      true,
    ],
    ['the member account itself', trust(assume({ AWS: `arn:aws:iam::${ACCOUNT}:root` })), false],
    ['management plus another account', trust(assume({ AWS: [M, ACCOUNT] })), false],
    ['a second statement for another account', trust(assume({ AWS: M }), assume({ AWS: ACCOUNT })), false],
    ['a service principal', trust(assume({ Service: 'ec2.amazonaws.com' })), false],
    ['management and a service', trust(assume({ AWS: M, Service: 'lambda.amazonaws.com' })), false],
    ['a federated principal', trust(assume({ Federated: `arn:aws:iam::${M}:saml-provider/idp` })), false],
    ['everyone', trust(assume('*')), false],
    ['AWS: *', trust(assume({ AWS: '*' })), false],
    ['a wildcard role ARN', trust(assume({ AWS: `arn:aws:iam::${M}:role/*` })), false],
    ['another partition', trust(assume({ AWS: `arn:aws-cn:iam::${M}:root` })), false],
    ['an ARN that only looks alike', trust(assume({ AWS: `arn:aws:iam::${M}0:root` })), false],
    [
      'NotPrincipal',
      trust({ Effect: 'Allow', NotPrincipal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }),
      false,
    ],
    ['no Allow statement', trust({ Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' }), false],
    ['an Allow without Principal', trust({ Effect: 'Allow', Action: 'sts:AssumeRole' }), false],
    ['an empty principal list', trust(assume({ AWS: [] })), false],
    ['malformed JSON', '{"Version":', false],
    ['not collected', undefined, false],
  ])('%s -> %s', (_name, document, expected) => {
    const decision = isAssumableOnlyByManagementAccount(document, M, 'aws');
    expect(decision.onlyManagementAccount).toBe(expected);
    if (!expected) expect(decision.why).toEqual(expect.any(String));
  });
});
