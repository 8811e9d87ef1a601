/**
 * Why a role is kept in KMS.2's scope (excludeRoleByManagementAccount): the reason names the part of the
 * trust policy that decided, so that a reader of the finding can check it.
 */
import { describe, expect, it } from 'vitest';
import { isAssumableOnlyByManagementAccount } from '../../src/controls/index.js';
import type { PolicyDocumentInput } from '../../src/model/snapshot.js';
import { MANAGEMENT_ACCOUNT } from './helpers.js';

const M = MANAGEMENT_ACCOUNT;
const trust = (...statements: Record<string, unknown>[]) => ({
  Version: '2012-10-17',
  Statement: statements,
});
const allow = (fields: Record<string, unknown>) => ({ Effect: 'Allow', Action: 'sts:AssumeRole', ...fields });

describe('the reason a trust policy does not limit a role to the management account', () => {
  it.each<[string, PolicyDocumentInput | undefined, RegExp]>([
    ['not collected', undefined, /not collected/],
    [
      'no Allow statement',
      trust({ Effect: 'Deny', Principal: { AWS: M }, Action: 'sts:AssumeRole' }),
      /no Allow/,
    ],
    ['NotPrincipal', trust(allow({ NotPrincipal: { AWS: M } })), /NotPrincipal/],
    ['no Principal', trust(allow({})), /has no Principal/],
    ['a string Principal', trust(allow({ Principal: '*' })), /trusts "\*"/],
    ['a list as Principal', trust(allow({ Principal: [M] })), /Principal that is not an object/],
    ['a number as Principal', trust(allow({ Principal: 7 })), /Principal that is not an object/],
    ['an empty Principal', trust(allow({ Principal: {} })), /empty Principal/],
    [
      'a Service principal',
      trust(allow({ Principal: { Service: 'ec2.amazonaws.com' } })),
      /a Service principal/,
    ],
    ['an empty AWS list', trust(allow({ Principal: { AWS: [] } })), /empty AWS principal list/],
    [
      'another account',
      trust(allow({ Principal: { AWS: '111122223333' } })),
      /trusts "111122223333", which is not/,
    ],
    ['a non-string entry', trust(allow({ Principal: { AWS: [M, 7] } })), /trusts 7, which is not/],
    [
      'an object entry',
      trust(allow({ Principal: { AWS: { id: M } } })),
      /which is not the management account/,
    ],
  ])('%s', (_name, policy, why) => {
    const decision = isAssumableOnlyByManagementAccount(policy, M, 'aws');
    expect(decision.onlyManagementAccount).toBe(false);
    expect(decision.why).toMatch(why);
  });

  it('reads an ARN of the partition in use, with its regex characters taken literally', () => {
    const arn = `arn:aws-us-gov:iam::${M}:root`;
    expect(
      isAssumableOnlyByManagementAccount(trust(allow({ Principal: { AWS: arn } })), M, 'aws-us-gov'),
    ).toEqual({
      onlyManagementAccount: true,
    });
    const dotted = `arn:aws.cn:iam::${M}:root`;
    expect(
      isAssumableOnlyByManagementAccount(trust(allow({ Principal: { AWS: dotted } })), M, 'aws.cn')
        .onlyManagementAccount,
    ).toBe(true);
    // In a pattern, "." would match any character: the partition "aws.cn" must not match "awsXcn".
    const lookalike = `arn:awsXcn:iam::${M}:root`;
    expect(
      isAssumableOnlyByManagementAccount(trust(allow({ Principal: { AWS: lookalike } })), M, 'aws.cn')
        .onlyManagementAccount,
    ).toBe(false);
  });
});
