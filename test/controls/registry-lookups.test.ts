/** The registry's lookups that the event table, the member-role template and check-policy rely on. */
import { describe, expect, it } from 'vitest';
import {
  controlAwsActions,
  controlForDocuments,
  controlsChangedBy,
  offlineControls,
} from '../../src/controls/index.js';

describe('controlsChangedBy', () => {
  it('names the controls whose verdict an event can change', () => {
    expect(controlsChangedBy('CreatePolicyVersion')).toEqual(['KMS.1']);
    expect(controlsChangedBy('PutRolePermissionsBoundary')).toEqual(['KMS.1']);
    expect(controlsChangedBy('PutUserPolicy')).toEqual(['KMS.2']);
    expect(controlsChangedBy('ScheduleKeyDeletion')).toEqual(['KMS.3', 'KMS.4']);
    expect(controlsChangedBy('PutKeyPolicy')).toEqual(['KMS.5']);
    // Every key control sees a new key.
    expect(controlsChangedBy('CreateKey')).toEqual(['KMS.3', 'KMS.4', 'KMS.5']);
  });

  it('names none for an event no control depends on', () => {
    expect(controlsChangedBy('TagResource')).toEqual([]);
    expect(controlsChangedBy('')).toEqual([]);
  });
});

describe('controlAwsActions', () => {
  it('lists each read-only action of the collections once, sorted', () => {
    expect(controlAwsActions()).toEqual([
      'iam:GetAccountAuthorizationDetails',
      // The single-resource reads of change-triggered evaluation (src/collect/iam-resource.ts).
      'iam:GetGroup',
      'iam:GetGroupPolicy',
      'iam:GetPolicy',
      'iam:GetPolicyVersion',
      'iam:GetRole',
      'iam:GetRolePolicy',
      'iam:GetUser',
      'iam:GetUserPolicy',
      'iam:ListGroupPolicies',
      'iam:ListRolePolicies',
      'iam:ListUserPolicies',
      'kms:DescribeKey',
      'kms:GetKeyPolicy',
      'kms:GetKeyRotationStatus',
      'kms:ListKeys',
    ]);
  });
});

describe('offline document checks', () => {
  it('maps each document kind to the control that decides it', () => {
    expect(controlForDocuments('identity-policy:managed')).toBe('KMS.1');
    expect(controlForDocuments('identity-policy:inline')).toBe('KMS.2');
    expect(controlForDocuments('key-policy')).toBe('KMS.5');
  });

  it('refuses a kind no control decides', () => {
    expect(() => controlForDocuments('trust-policy' as never)).toThrow(/no control decides trust-policy/);
  });

  it('lists the controls that decide documents offline', () => {
    expect(offlineControls()).toEqual(['KMS.1', 'KMS.2', 'KMS.5']);
  });
});
