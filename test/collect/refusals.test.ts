/** Who refused a key read: the key's policy or the member role (issue 16). Pure. */
import { describe, expect, it } from 'vitest';
import { classifyDetailRefusal, classifyRefusal, isAccessDenied } from '../../src/collect/refusals.js';

const ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const CALLER = 'arn:aws:sts::111122223333:assumed-role/KeywardenMemberRole/keywarden';
// AWS's wordings (and the simulator's, src/simulator/key-policy-auth.ts).
const EXPLICIT_DENY = `User: ${CALLER} is not authorized to perform: kms:DescribeKey on resource: ${ARN} with an explicit deny in a resource-based policy`;
const NO_RESOURCE_ALLOW = `User: ${CALLER} is not authorized to perform: kms:DescribeKey on resource: ${ARN} because no resource-based policy allows the kms:DescribeKey action`;
const NO_IDENTITY_ALLOW = `User: ${CALLER} is not authorized to perform: kms:DescribeKey on resource: ${ARN} because no identity-based policy allows the kms:DescribeKey action`;
const SCP_DENY = `User: ${CALLER} is not authorized to perform: kms:DescribeKey on resource: ${ARN} with an explicit deny in a service control policy`;
const BARE = `User: ${CALLER} is not authorized to perform: kms:DescribeKey`;

const refusal = (message: string) => ({
  keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
  call: 'kms:DescribeKey',
  code: 'AccessDeniedException',
  message,
});

describe('classifyRefusal', () => {
  it.each([
    ['explicit deny in the key policy, other keys readable', EXPLICIT_DENY, 3, 'key-policy'],
    ['explicit deny in the key policy, no key readable', EXPLICIT_DENY, 0, 'key-policy'],
    ['no resource-based allow (another account only)', NO_RESOURCE_ALLOW, 0, 'key-policy'],
    ['no identity-based allow, no key readable', NO_IDENTITY_ALLOW, 0, 'member-role'],
    ['no identity-based allow even if other keys were readable', NO_IDENTITY_ALLOW, 5, 'member-role'],
    ['an SCP deny', SCP_DENY, 0, 'member-role'],
    ['an unworded refusal while other keys were readable', BARE, 2, 'key-policy'],
    ['an unworded refusal and no key readable: the role, conservatively', BARE, 0, 'member-role'],
  ])('%s', (_name, message, readable, cause) => {
    expect(classifyRefusal(refusal(message), readable).cause).toBe(cause);
  });

  it('says which case it was', () => {
    expect(classifyRefusal(refusal(BARE), 2).why).toBe(
      "the key's policy refuses the audit role kms:DescribeKey: 2 other keys of the same account and region answered it",
    );
    expect(classifyRefusal(refusal(NO_IDENTITY_ALLOW), 0).why).toMatch(
      /^the member role itself may not call kms:DescribeKey/,
    );
    expect(classifyRefusal(refusal(BARE), 0).why).toMatch(/presumed to lack the permission/);
    expect(classifyRefusal(refusal(EXPLICIT_DENY), 0).why).toMatch(/resource-based policy/);
  });
});

describe('classifyDetailRefusal (the key answered DescribeKey)', () => {
  it.each([
    [EXPLICIT_DENY, 'key-policy'],
    [BARE, 'key-policy'],
    [NO_IDENTITY_ALLOW, 'member-role'],
    [SCP_DENY, 'member-role'],
  ])('%s', (message, cause) => {
    expect(classifyDetailRefusal({ ...refusal(message), call: 'kms:GetKeyRotationStatus' }).cause).toBe(
      cause,
    );
  });
});

describe('isAccessDenied', () => {
  it.each([
    ['AccessDeniedException', true],
    ['AccessDenied', true],
    ['KMSInvalidStateException', false],
    ['ThrottlingException', false],
  ])('%s -> %s', (code, expected) => {
    expect(isAccessDenied(code)).toBe(expected);
  });
});
