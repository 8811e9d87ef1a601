/** Which identities KMS.2 evaluates (isInKms2Scope), read from SEMANTICS.md's scope rule. */
import { describe, expect, it } from 'vitest';
import { isInKms2Scope } from '../../src/controls/index.js';
import { ALLOW_DECRYPT_ALL, iamSnapshot, identity, MANAGEMENT_ACCOUNT, params } from './helpers.js';

const snapshot = iamSnapshot({ managementAccountId: MANAGEMENT_ACCOUNT });
const defaults = params()['KMS.2'];
const excluding = params({ 'KMS.2': { excludeRoleByManagementAccount: true } })['KMS.2'];
const trustedByManagementOnly = {
  assumeRolePolicyDocument: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: MANAGEMENT_ACCOUNT }, Action: 'sts:AssumeRole' }],
  },
};

describe('isInKms2Scope', () => {
  it('leaves out an identity without inline policies', () => {
    for (const kind of ['user', 'group', 'role'] as const)
      expect(isInKms2Scope(identity(kind, 'X', {}), snapshot, defaults)).toBe(false);
  });

  it('keeps a role that only the management account can assume while excludeRoleByManagementAccount is off', () => {
    const role = identity('role', 'R', { P: ALLOW_DECRYPT_ALL }, trustedByManagementOnly);
    expect(isInKms2Scope(role, snapshot, defaults)).toBe(true);
    expect(isInKms2Scope(role, snapshot, excluding)).toBe(false);
  });

  it('never excludes users and groups, whatever the parameter', () => {
    for (const kind of ['user', 'group'] as const)
      expect(isInKms2Scope(identity(kind, 'X', { P: ALLOW_DECRYPT_ALL }), snapshot, excluding)).toBe(true);
  });

  it('keeps the role when the management account is not known', () => {
    const role = identity('role', 'R', { P: ALLOW_DECRYPT_ALL }, trustedByManagementOnly);
    expect(isInKms2Scope(role, iamSnapshot(), excluding)).toBe(true);
  });
});
