/**
 * KMS.5 on snapshots: which keys it decides, the verdict of each key policy as read, and the finding it
 * maps to (AwsKmsKey, CRITICAL from the catalog, evidence of each public statement).
 */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { evaluateKms5 } from '../../src/controls/index.js';
import { toFinding, validateFinding } from '../../src/findings/index.js';
import type { KmsKey } from '../../src/model/snapshot.js';
import { ACCOUNT, kmsKey, kmsSnapshot, params } from './helpers.js';

const catalog = loadCatalog();

const ROOT_ONLY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Root',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
});

const PUBLIC_DECRYPT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Root',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
    {
      Sid: 'OpenDecrypt',
      Effect: 'Allow',
      Principal: '*',
      Action: ['kms:Decrypt', 'kms:DescribeKey'],
      Resource: '*',
      // A wildcard org id pins nobody; kms:ViaService names a service, not a caller.
      Condition: {
        StringLike: { 'aws:PrincipalOrgID': 'o-*' },
        StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
      },
    },
  ],
});

const ORG_ONLY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Org',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdef1234' } },
    },
  ],
});

function key(overrides: Partial<KmsKey>): KmsKey {
  return kmsKey({ rotation: undefined, ...overrides } as Partial<KmsKey>);
}

describe('KMS.5 evaluation', () => {
  it('decides each customer managed key in any state; AWS managed keys get no finding', () => {
    const keys = [
      key({ keyPolicy: { kind: 'document', document: ROOT_ONLY } }),
      key({ keyState: 'PendingDeletion', keyPolicy: { kind: 'document', document: PUBLIC_DECRYPT } }),
      key({ keyState: 'Disabled', keyPolicy: { kind: 'document', document: ORG_ONLY } }),
      key({ keyManager: 'AWS', keyPolicy: { kind: 'document', document: PUBLIC_DECRYPT } }),
    ];
    const results = evaluateKms5(kmsSnapshot(keys), params()['KMS.5']);
    expect(results.map((r) => [r.resource.arn, r.status, r.reasonCode])).toEqual([
      [keys[0]!.arn, 'PASSED', 'KEY_POLICY_NOT_PUBLIC'],
      [keys[1]!.arn, 'FAILED', 'KEY_POLICY_PUBLIC'],
      [keys[2]!.arn, 'PASSED', 'KEY_POLICY_NOT_PUBLIC'],
    ]);
  });

  it('is FAILED, never PASSED, when the key policy cannot be read', () => {
    const unreadable = key({
      keyPolicy: { kind: 'unreadable', code: 'AccessDeniedException', message: 'not authorized' },
    });
    const [result] = evaluateKms5(kmsSnapshot([unreadable]), params()['KMS.5']);
    expect(result).toMatchObject({ status: 'FAILED', reasonCode: 'KEY_POLICY_UNREADABLE' });
    expect(result!.reason).toContain('AccessDeniedException');
  });

  it('gives no result for a key whose policy was not collected (the collection says it is incomplete)', () => {
    expect(evaluateKms5(kmsSnapshot([key({})]), params()['KMS.5'])).toEqual([]);
  });

  it('is NOT_AVAILABLE for a document that cannot be parsed', () => {
    const [result] = evaluateKms5(
      kmsSnapshot([key({ keyPolicy: { kind: 'document', document: '{"Statement": [' } })]),
      params()['KMS.5'],
    );
    expect(result).toMatchObject({ status: 'NOT_AVAILABLE', reasonCode: 'KEY_POLICY_INVALID' });
  });

  it('takes the restricting condition keys from its parameter', () => {
    const snapshot = kmsSnapshot([key({ keyPolicy: { kind: 'document', document: ORG_ONLY } })]);
    const withoutOrg = params({ 'KMS.5': { restrictingConditionKeys: ['aws:SourceVpce'] } })['KMS.5'];
    expect(evaluateKms5(snapshot, withoutOrg).map((r) => r.status)).toEqual(['FAILED']);
    expect(evaluateKms5(snapshot, params()['KMS.5']).map((r) => r.status)).toEqual(['PASSED']);
  });
});

describe('KMS.5 finding', () => {
  const publicKey = key({ keyPolicy: { kind: 'document', document: PUBLIC_DECRYPT } });
  const [result] = evaluateKms5(kmsSnapshot([publicKey]), params()['KMS.5']);
  const finding = toFinding(result!, catalog.get('KMS.5'), {
    productName: 'keywarden',
    companyName: 'Acme',
    now: '2026-12-02T03:00:00.000Z',
  });

  it('is a valid CRITICAL AwsKmsKey finding for KMS.5 without related requirements', () => {
    expect(validateFinding(finding)).toEqual([]);
    expect(finding.Severity?.Label).toBe('CRITICAL');
    expect(finding.FindingProviderFields?.Severity?.Label).toBe('CRITICAL');
    expect(finding.GeneratorId).toBe('keywarden/KMS.5');
    expect(finding.Compliance).toMatchObject({ Status: 'FAILED', SecurityControlId: 'KMS.5' });
    expect(finding.Compliance?.RelatedRequirements).toBeUndefined();
    expect(finding.Resources[0]).toMatchObject({ Type: 'AwsKmsKey', Id: publicKey.arn, Region: 'eu-west-1' });
    expect(finding.Title).toBe('KMS.5 KMS keys should not be publicly accessible');
  });

  it('names the public statement, the actions it opens and why each condition does not restrict', () => {
    const reason = finding.Compliance?.StatusReasons?.[0]?.Description ?? '';
    expect(reason).toContain('OpenDecrypt');
    expect(reason).toContain('kms:Decrypt');
    expect(reason).toContain('aws:PrincipalOrgID');
    expect(reason).toContain('kms:ViaService');
    const statements = result!.evidence['publicStatements'] as {
      label: string;
      actions: string[];
      conditions: { key: string; code: string }[];
    }[];
    expect(statements).toHaveLength(1);
    expect(statements[0]!.label).toBe('OpenDecrypt');
    expect(statements[0]!.actions).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    expect(statements[0]!.conditions.map((c) => [c.key, c.code]).sort()).toEqual([
      ['aws:PrincipalOrgID', 'WILDCARD_VALUE'],
      ['kms:ViaService', 'VIA_SERVICE'],
    ]);
    expect(finding.ProductFields?.['keywarden/Evidence']).toContain('OpenDecrypt');
  });

  it('says there is no condition when a public statement has none', () => {
    const open = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }],
    });
    const [bare] = evaluateKms5(
      kmsSnapshot([key({ keyPolicy: { kind: 'document', document: open } })]),
      params()['KMS.5'],
    );
    expect(bare!.reason).toContain('with no condition');
    expect((bare!.evidence['publicStatements'] as { label: string; conditions: unknown }[])[0]).toMatchObject(
      {
        label: '#0',
        conditions: 'no condition',
      },
    );
  });
});
