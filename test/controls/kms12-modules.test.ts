/**
 * KMS.1 and KMS.2 as modules (the documents they hand to the scan's analyses, the region and the lookup they
 * pass on), their parameters' control id, and details of their evaluators: the evidence of a missing default
 * version, the partition, the role exclusion and the passing sentence of KMS.2.
 */
import { describe, expect, it } from 'vitest';
import { evaluateControl, evaluateKms1, evaluateKms2, resolveKms2Params } from '../../src/controls/index.js';
import type { PolicyAnalysisLookup } from '../../src/controls/context.js';
import type { ControlId } from '../../src/model/result.js';
import type { IamSnapshot } from '../../src/model/snapshot.js';
import type { PolicyAnalysis } from '../../src/policy/index.js';
import { analyzePolicy } from '../../src/policy/index.js';
import {
  ACCOUNT,
  ALLOW_DECRYPT_ALL,
  ALLOW_ONE_ACCOUNT,
  ALLOW_S3_ONLY,
  doc,
  HOME_REGION,
  iamSnapshot,
  identity,
  KNOWN_KMS_ACTIONS,
  managedPolicy,
  params,
} from './helpers.js';

const REGION = 'eu-central-1';

/** Runs a control with a scan that offers analyses: records the documents asked for and each lookup. */
async function runWithAnalyses(id: ControlId, iam: IamSnapshot) {
  const asked: unknown[][] = [];
  const looked: unknown[] = [];
  const results = await evaluateControl(id, { iam }, params(), {
    region: REGION,
    now: new Date('2025-01-01T00:00:00Z'),
    analyzePolicies: (documents, blockedActions, partition) => {
      asked.push([...documents]);
      const lookup: PolicyAnalysisLookup = (document): PolicyAnalysis => {
        looked.push(document);
        return analyzePolicy(document, blockedActions, { partition });
      };
      return Promise.resolve(lookup);
    },
  });
  return { asked, looked, results };
}

describe('KMS.1 module with the scan analyses', () => {
  it('asks only for the default versions of policies in scope, and uses the analyses offered', async () => {
    const iam = iamSnapshot({
      managedPolicies: [
        managedPolicy('Mine', ALLOW_DECRYPT_ALL),
        managedPolicy('AwsOwned', ALLOW_S3_ONLY, { arn: 'arn:aws:iam::aws:policy/AwsOwned' }),
        managedPolicy('NoVersions', undefined),
      ],
    });
    const { asked, looked, results } = await runWithAnalyses('KMS.1', iam);
    expect(asked).toEqual([[ALLOW_DECRYPT_ALL]]);
    expect(looked).toEqual([ALLOW_DECRYPT_ALL]);
    expect(results.map((r) => [r.resource.arn, r.status, r.region])).toEqual([
      [`arn:aws:iam::${ACCOUNT}:policy/Mine`, 'FAILED', REGION],
      [`arn:aws:iam::${ACCOUNT}:policy/NoVersions`, 'NOT_AVAILABLE', REGION],
    ]);
  });
});

describe('KMS.2 module with the scan analyses', () => {
  it('asks for every inline policy document and uses the analyses offered', async () => {
    const iam = iamSnapshot({
      identities: [
        identity('user', 'u', { A: ALLOW_DECRYPT_ALL, B: ALLOW_S3_ONLY }),
        identity('group', 'g', { C: ALLOW_ONE_ACCOUNT }),
      ],
    });
    const { asked, looked, results } = await runWithAnalyses('KMS.2', iam);
    expect(asked).toEqual([[ALLOW_DECRYPT_ALL, ALLOW_S3_ONLY, ALLOW_ONE_ACCOUNT]]);
    expect(looked).toEqual([ALLOW_DECRYPT_ALL, ALLOW_S3_ONLY, ALLOW_ONE_ACCOUNT]);
    expect(results.map((r) => [r.resource.type, r.status, r.region])).toEqual([
      ['AWS::IAM::User', 'FAILED', REGION],
      ['AWS::IAM::Group', 'PASSED', REGION],
    ]);
  });

  it('names KMS.2 in its parameter errors', () => {
    expect(
      resolveKms2Params(
        { excludeRoleByManagementAccount: 'yes please' },
        { knownKmsActions: KNOWN_KMS_ACTIONS },
      ),
    ).toMatchObject({
      ok: false,
      errors: [{ controlId: 'KMS.2', parameter: 'excludeRoleByManagementAccount' }],
    });
  });
});

describe('KMS.1 without a default version', () => {
  const kms1 = params()['KMS.1'];
  it('keeps the version id it looked for in the evidence, or null', () => {
    const snapshot = iamSnapshot({
      managedPolicies: [
        managedPolicy('Named', undefined, { defaultVersionId: 'v7' }),
        managedPolicy('Unnamed', undefined, { defaultVersionId: undefined }),
      ],
    });
    const results = evaluateKms1(snapshot, kms1, { region: HOME_REGION });
    expect(results.map((r) => r.evidence)).toEqual([
      { defaultVersionId: 'v7', blockedActions: ['kms:Decrypt', 'kms:ReEncryptFrom'] },
      { defaultVersionId: null, blockedActions: ['kms:Decrypt', 'kms:ReEncryptFrom'] },
    ]);
  });
});

describe('KMS.2 evaluator details', () => {
  const kms2 = params()['KMS.2'];
  const context = { region: HOME_REGION };

  it('checks the key space of the snapshot partition', () => {
    const china = doc({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws-cn:kms:*' });
    const snapshot = (partition: string) =>
      iamSnapshot({ partition, identities: [identity('user', 'u', { China: china })] });
    expect(evaluateKms2(snapshot('aws-cn'), kms2, context).map((r) => r.status)).toEqual(['FAILED']);
    expect(evaluateKms2(snapshot('aws'), kms2, context).map((r) => r.status)).toEqual(['PASSED']);
  });

  it('gives no role-exclusion note to a user or a group', () => {
    const snapshot = iamSnapshot({
      identities: [identity('user', 'u', { A: ALLOW_S3_ONLY }), identity('group', 'g', { A: ALLOW_S3_ONLY })],
    });
    const results = evaluateKms2(snapshot, { ...kms2, excludeRoleByManagementAccount: true }, context);
    expect(results).toHaveLength(2);
    for (const result of results) expect(result.evidence).not.toHaveProperty('roleNotExcludedBecause');
  });

  it('names the passing policy with duplicate keys, not the first policy', () => {
    const duplicated =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt",' +
      `"Resource":"arn:aws:kms:*:${ACCOUNT}:key/a","Resource":"arn:aws:kms:*:${ACCOUNT}:key/*"}]}`;
    const snapshot = iamSnapshot({
      identities: [identity('user', 'u', { Plain: ALLOW_S3_ONLY, Dup: duplicated })],
    });
    const [result] = evaluateKms2(snapshot, kms2, context);
    expect(result!.status).toBe('PASSED');
    expect(
      result!.reason.endsWith(
        " Inline policy 'Dup' has duplicate keys (Statement[0].Resource): all 2 readings pass.",
      ),
    ).toBe(true);
  });

  it('shows the witness of a policy where one action is partial and another granted nowhere', () => {
    const partial = doc({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: `arn:aws:kms:*:${ACCOUNT}:key/*`,
    });
    const snapshot = iamSnapshot({ identities: [identity('user', 'u', { Part: partial })] });
    const [result] = evaluateKms2(snapshot, kms2, context);
    expect(result!.status).toBe('PASSED');
    expect(result!.reason).toMatch(
      /^The inline policy of the user does not allow kms:Decrypt or kms:ReEncryptFrom on every KMS key \(in 'Part', kms:Decrypt is granted only on part of the KMS key space, e\.g\. not on arn:aws:kms:[^ ]+, and kms:ReEncryptFrom is not granted at all\)\.$/,
    );
  });
});
