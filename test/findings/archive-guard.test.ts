/** The archive guard (pure): which existing findings a unit may archive, and which it never touches. */
import { describe, expect, it } from 'vitest';
import type { AsffFinding } from '../../src/findings/index.js';
import { findingsToArchive } from '../../src/importer/lifecycle.js';
import type { ControlId } from '../../src/model/result.js';

const NOW = '2026-06-01T00:00:00.000Z';
const ACCOUNT = '111122223333';

function finding(id: string, generatorId: string): AsffFinding {
  return {
    SchemaVersion: '2018-10-08',
    Id: id,
    ProductArn: `arn:aws:securityhub:us-east-1:${ACCOUNT}:product/${ACCOUNT}/default`,
    GeneratorId: generatorId,
    AwsAccountId: ACCOUNT,
    Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
    CreatedAt: '2026-01-01T00:00:00.000Z',
    UpdatedAt: '2026-01-01T00:00:00.000Z',
    Severity: { Label: 'HIGH' },
    Title: id,
    Description: 'archive guard test',
    Resources: [{ Type: 'AwsKmsKey', Id: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${id}` }],
    Compliance: { Status: 'FAILED', SecurityControlId: 'KMS.3' },
    RecordState: 'ACTIVE',
  } as unknown as AsffFinding;
}

const archive = (findings: AsffFinding[], complete: ControlId[]) =>
  findingsToArchive(
    new Map(findings.map((f) => [f.Id, f])),
    new Set(),
    new Set(complete),
    'keywarden',
    NOW,
  ).map((f) => f.Id);

describe('archive guard', () => {
  it("never archives a finding of another generator whose name has this product's length", () => {
    // "keywardex/KMS.3" cut after the length of "keywarden/" reads "KMS.3": only the prefix tells them apart.
    const ours = finding('ours', 'keywarden/KMS.3');
    const lookalike = finding('lookalike', 'keywardex/KMS.3');
    const unprefixed = finding('unprefixed', 'KMS.3/KMS.3');
    expect(archive([ours, lookalike, unprefixed], ['KMS.3'])).toEqual(['ours']);
  });

  it('archives per control: only the controls collected completely', () => {
    const kms1 = finding('kms1', 'keywarden/KMS.1');
    const kms3 = finding('kms3', 'keywarden/KMS.3');
    const kms4 = finding('kms4', 'keywarden/KMS.4');
    expect(archive([kms1, kms3, kms4], ['KMS.3', 'KMS.4'])).toEqual(['kms3', 'kms4']);
  });
});
