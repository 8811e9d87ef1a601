import { describe, expect, it } from 'vitest';
import {
  CONTROL_REGISTRY,
  controlKind,
  evaluateIamControl,
  evaluateKmsControl,
  isIamControl,
  isKmsControl,
} from '../../src/controls/index.js';
import { CONTROL_IDS } from '../../src/model/result.js';
import {
  ALLOW_DECRYPT_ALL,
  HOME_REGION,
  iamSnapshot,
  identity,
  KNOWN_KMS_ACTIONS,
  kmsKey,
  kmsSnapshot,
  managedPolicy,
  params,
} from './helpers.js';

describe('control registry', () => {
  it('has every control with its kind', () => {
    expect(Object.keys(CONTROL_REGISTRY).sort()).toEqual([...CONTROL_IDS].sort());
    expect(CONTROL_IDS.map(controlKind)).toEqual(['iam', 'iam', 'kms', 'kms']);
    expect(CONTROL_IDS.filter(isIamControl)).toEqual(['KMS.1', 'KMS.2']);
    expect(CONTROL_IDS.filter(isKmsControl)).toEqual(['KMS.3', 'KMS.4']);
  });

  it('resolves parameters through each entry', () => {
    const env = { knownKmsActions: KNOWN_KMS_ACTIONS };
    expect(CONTROL_REGISTRY['KMS.1'].resolveParams({ blockedActionsPatterns: 'kms:Nope' }, env).ok).toBe(
      false,
    );
    expect(CONTROL_REGISTRY['KMS.2'].resolveParams({}, env)).toEqual({
      ok: true,
      params: {
        blockedActionsPatterns: ['kms:ReEncryptFrom', 'kms:Decrypt'],
        blockedActions: ['kms:Decrypt', 'kms:ReEncryptFrom'],
        excludeRoleByManagementAccount: false,
      },
    });
    expect(CONTROL_REGISTRY['KMS.3'].resolveParams({ kmsKeyIds: 'abc' }, env)).toEqual({
      ok: true,
      params: { kmsKeyIds: ['abc'] },
    });
    expect(CONTROL_REGISTRY['KMS.4'].resolveParams({ maxRotationPeriodDays: 10 }, env).ok).toBe(false);
  });

  it('dispatches each control id to its own evaluator', () => {
    const all = params();
    const iam = iamSnapshot({
      managedPolicies: [managedPolicy('P', ALLOW_DECRYPT_ALL)],
      identities: [identity('user', 'u', { I: ALLOW_DECRYPT_ALL })],
    });
    const kms = kmsSnapshot([
      kmsKey({ keyState: 'PendingDeletion', deletionDate: '2025-03-10T00:00:00Z' }),
      kmsKey({ rotation: { kind: 'disabled' } }),
    ]);
    const iamContext = { region: HOME_REGION };
    const kmsContext = { now: new Date('2025-03-01T00:00:00Z') };
    const kms1 = evaluateIamControl('KMS.1', iam, all, iamContext);
    const kms2 = evaluateIamControl('KMS.2', iam, all, iamContext);
    const kms3 = evaluateKmsControl('KMS.3', kms, all, kmsContext);
    const kms4 = evaluateKmsControl('KMS.4', kms, all, kmsContext);
    expect(kms1.map((r) => [r.controlId, r.resource.type, r.status])).toEqual([
      ['KMS.1', 'AWS::IAM::Policy', 'FAILED'],
    ]);
    expect(kms2.map((r) => [r.controlId, r.resource.type, r.status])).toEqual([
      ['KMS.2', 'AWS::IAM::User', 'FAILED'],
    ]);
    expect(kms3.map((r) => [r.controlId, r.status])).toEqual([
      ['KMS.3', 'FAILED'],
      ['KMS.3', 'PASSED'],
    ]);
    // The pending-deletion key is out of KMS.4's scope; the other has rotation disabled.
    expect(kms4.map((r) => [r.controlId, r.reasonCode])).toEqual([['KMS.4', 'ROTATION_DISABLED']]);
  });
});
