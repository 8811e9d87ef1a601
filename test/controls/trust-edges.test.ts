/**
 * Trust policies at the edges of what JSON allows (KMS.2's excludeRoleByManagementAccount): a null
 * Principal, a list nested in the AWS list, duplicated members. Each keeps the role in scope.
 */
import { describe, expect, it } from 'vitest';
import { isAssumableOnlyByManagementAccount } from '../../src/controls/index.js';
import { MANAGEMENT_ACCOUNT } from './helpers.js';

const M = MANAGEMENT_ACCOUNT;
const ROOT = `arn:aws:iam::${M}:root`;
const trust = (principal: unknown) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: principal }],
});

describe('trust policies at the edges of JSON', () => {
  it('a null Principal is not an object (and does not throw)', () => {
    expect(isAssumableOnlyByManagementAccount(trust(null), M, 'aws')).toEqual({
      onlyManagementAccount: false,
      why: 'an Allow statement has a Principal that is not an object',
    });
  });

  it('a list nested in the AWS list is not a principal, even if it holds the root ARN', () => {
    // ["arn:...:root"] reads as "arn:...:root" when turned into a string: it must not pass for it.
    expect(isAssumableOnlyByManagementAccount(trust({ AWS: [[ROOT]] }), M, 'aws')).toEqual({
      onlyManagementAccount: false,
      why: `an Allow statement trusts ["${ROOT}"], which is not the management account`,
    });
  });

  it('the same root ARN without nesting is the management account', () => {
    expect(isAssumableOnlyByManagementAccount(trust({ AWS: [ROOT] }), M, 'aws')).toEqual({
      onlyManagementAccount: true,
    });
  });

  it('a duplicated member keeps the role in scope, even when both copies name the management account', () => {
    const text =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",' +
      `"Principal":{"AWS":"${M}"},"Principal":{"AWS":"${M}"}}]}`;
    expect(isAssumableOnlyByManagementAccount(text, M, 'aws')).toEqual({
      onlyManagementAccount: false,
      why: 'the trust policy has duplicate keys (Statement[0].Principal)',
    });
  });
});
