import { describe, expect, it } from 'vitest';
import {
  CONTROL_MODULES,
  collectorsNeeded,
  controlsNeeding,
  evaluateControl,
  keyDetailWanted,
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
  it('has one module per control, keyed by its own id', () => {
    expect(Object.keys(CONTROL_MODULES).sort()).toEqual([...CONTROL_IDS].sort());
    for (const id of CONTROL_IDS) expect(CONTROL_MODULES[id].id).toBe(id);
  });

  it('resolves parameters through each module', () => {
    const env = { knownKmsActions: KNOWN_KMS_ACTIONS };
    expect(CONTROL_MODULES['KMS.1'].parameters.resolve({ blockedActionsPatterns: 'kms:Nope' }, env).ok).toBe(
      false,
    );
    expect(CONTROL_MODULES['KMS.2'].parameters.resolve({}, env)).toEqual({
      ok: true,
      params: {
        blockedActionsPatterns: ['kms:ReEncryptFrom', 'kms:Decrypt'],
        blockedActions: ['kms:Decrypt', 'kms:ReEncryptFrom'],
        excludeRoleByManagementAccount: false,
      },
    });
    expect(CONTROL_MODULES['KMS.3'].parameters.resolve({ kmsKeyIds: 'abc' }, env)).toEqual({
      ok: true,
      params: { kmsKeyIds: ['abc'] },
    });
    expect(CONTROL_MODULES['KMS.4'].parameters.resolve({ maxRotationPeriodDays: 10 }, env).ok).toBe(false);
    // A parameter of another control is unknown here, and the message lists this control's own.
    const other = CONTROL_MODULES['KMS.3'].parameters.resolve({ maxRotationPeriodDays: 100 }, env);
    expect(other).toEqual({
      ok: false,
      errors: [
        {
          controlId: 'KMS.3',
          parameter: 'maxRotationPeriodDays',
          message: 'unknown parameter for KMS.3; known parameters: kmsKeyIds',
        },
      ],
    });
  });

  it('dispatches each control id to its own evaluator', async () => {
    const all = params();
    const iam = iamSnapshot({
      managedPolicies: [managedPolicy('P', ALLOW_DECRYPT_ALL)],
      identities: [identity('user', 'u', { I: ALLOW_DECRYPT_ALL })],
    });
    const kms = kmsSnapshot([
      kmsKey({ keyState: 'PendingDeletion', deletionDate: '2025-03-10T00:00:00Z' }),
      kmsKey({ rotation: { kind: 'disabled' } }),
    ]);
    const context = { region: HOME_REGION, now: new Date('2025-03-01T00:00:00Z') };
    const collection = { iam, kms };
    const kms1 = await evaluateControl('KMS.1', collection, all, context);
    const kms2 = await evaluateControl('KMS.2', collection, all, context);
    const kms3 = await evaluateControl('KMS.3', collection, all, context);
    const kms4 = await evaluateControl('KMS.4', collection, all, context);
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

  it('uses the analyses the scan offers, once per document', async () => {
    const iam = iamSnapshot({ managedPolicies: [managedPolicy('P', ALLOW_DECRYPT_ALL)] });
    const asked: unknown[][] = [];
    const results = await evaluateControl('KMS.1', { iam }, params(), {
      region: HOME_REGION,
      now: new Date(),
      analyzePolicies: (documents) => {
        asked.push([...documents]);
        return Promise.resolve(() => undefined);
      },
    });
    expect(asked).toEqual([[ALLOW_DECRYPT_ALL]]);
    expect(results.map((r) => r.status)).toEqual(['FAILED']);
  });

  it('derives which collections a unit runs and which controls a failed collector leaves incomplete', () => {
    expect([...collectorsNeeded(['KMS.3'])]).toEqual(['kms:keys']);
    expect([...collectorsNeeded(['KMS.1', 'KMS.4'])].sort()).toEqual([
      'iam:authorization-details',
      'kms:keys',
      'kms:rotation',
    ]);
    expect(controlsNeeding('kms:keys', ['KMS.1', 'KMS.3', 'KMS.4'])).toEqual(['KMS.3', 'KMS.4']);
    expect(controlsNeeding('kms:rotation', ['KMS.3', 'KMS.4'])).toEqual(['KMS.4']);
    expect(controlsNeeding('iam:authorization-details', ['KMS.3', 'KMS.4'])).toEqual([]);
  });

  it("asks for a key's rotation only when a control of the unit evaluates it", () => {
    const wanted = keyDetailWanted('kms:rotation', ['KMS.3', 'KMS.4']);
    expect(wanted(kmsKey({}))).toBe(true);
    expect(wanted(kmsKey({ keySpec: 'RSA_2048' }))).toBe(false);
    expect(wanted(kmsKey({ keyManager: 'AWS' }))).toBe(false);
    expect(keyDetailWanted('kms:rotation', ['KMS.3'])(kmsKey({}))).toBe(false);
  });

  it('wants every key for a control that needs the collection but has no per-key scope', () => {
    // KMS.3 needs kms:keys and has no detailsFor: each key is wanted, even one out of KMS.4's scope.
    const wanted = keyDetailWanted('kms:keys', ['KMS.3', 'KMS.4']);
    expect(wanted(kmsKey({ keySpec: 'RSA_2048' }))).toBe(true);
    expect(keyDetailWanted('kms:keys', ['KMS.3'])(kmsKey({ keyManager: 'AWS' }))).toBe(true);
  });
});
