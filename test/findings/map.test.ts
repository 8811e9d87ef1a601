import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import type { AsffFinding } from '../../src/findings/index.js';
import {
  archiveFinding,
  batchFindings,
  findingId,
  toFinding,
  validateFinding,
} from '../../src/findings/index.js';
import type { ControlResult } from '../../src/model/result.js';

const catalog = loadCatalog();
const keyArn = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const result = (overrides: Partial<ControlResult> = {}): ControlResult => ({
  controlId: 'KMS.3',
  resource: {
    arn: keyArn,
    type: 'AWS::KMS::Key',
    asffType: 'AwsKmsKey',
    name: '1234abcd',
    details: { AwsKmsKey: { KeyId: '1234abcd', KeyState: 'PendingDeletion' } },
  },
  accountId: '111122223333',
  region: 'eu-west-1',
  partition: 'aws',
  status: 'FAILED',
  reasonCode: 'KEY_PENDING_DELETION',
  reason: 'The key is scheduled for deletion on 2026-12-05 (7 days left).',
  evidence: { keyState: 'PendingDeletion', daysLeft: 7 },
  ...overrides,
});
const context = { productName: 'keywarden', companyName: 'Acme', now: '2026-11-28T10:00:00.000Z' };

describe('ASFF mapping', () => {
  it('maps a FAILED KMS.3 result with the control severity, types, requirements and resource', () => {
    const finding = toFinding(result(), catalog.get('KMS.3'), context);
    expect(finding).toMatchObject({
      SchemaVersion: '2018-10-08',
      ProductArn: 'arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default',
      GeneratorId: 'keywarden/KMS.3',
      AwsAccountId: '111122223333',
      ProductName: 'keywarden',
      CompanyName: 'Acme',
      Severity: { Label: 'CRITICAL' },
      FindingProviderFields: { Severity: { Label: 'CRITICAL' } },
      Compliance: {
        Status: 'FAILED',
        SecurityControlId: 'KMS.3',
        RelatedRequirements: ['NIST.800-53.r5 SC-12', 'NIST.800-53.r5 SC-12(2)'],
        StatusReasons: [{ ReasonCode: 'KEY_PENDING_DELETION' }],
      },
      Resources: [
        {
          Type: 'AwsKmsKey',
          Id: keyArn,
          Partition: 'aws',
          Region: 'eu-west-1',
          Details: { AwsKmsKey: { KeyId: '1234abcd' } },
        },
      ],
      Remediation: {
        Recommendation: {
          Url: 'https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-3',
        },
      },
      RecordState: 'ACTIVE',
      CreatedAt: context.now,
      UpdatedAt: context.now,
    });
    expect(finding.Types).toContain(
      'Software and Configuration Checks/Industry and Regulatory Standards/NIST 800-53 Controls (USA)',
    );
    expect(finding.Title).toBe('KMS.3 AWS KMS keys should not be deleted unintentionally');
    expect(finding.Description).toMatch(/scheduled for deletion/);
    expect(finding.Workflow).toBeUndefined();
    expect(validateFinding(finding)).toEqual([]);
  });

  it('gives PASSED and NOT_AVAILABLE findings INFORMATIONAL severity', () => {
    for (const status of ['PASSED', 'NOT_AVAILABLE'] as const) {
      const finding = toFinding(result({ status }), catalog.get('KMS.3'), context);
      expect(finding.Severity.Label).toBe('INFORMATIONAL');
      expect(finding.FindingProviderFields?.Severity?.Label).toBe('INFORMATIONAL');
    }
  });

  it('maps KMS.4 with the CIS and PCI DSS types and requirements', () => {
    const finding = toFinding(
      result({ controlId: 'KMS.4', reasonCode: 'ROTATION_DISABLED' }),
      catalog.get('KMS.4'),
      context,
    );
    expect(finding.Severity.Label).toBe('MEDIUM');
    expect(finding.Types).toEqual(
      expect.arrayContaining([
        'Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark',
        'Software and Configuration Checks/Industry and Regulatory Standards/PCI-DSS',
      ]),
    );
    expect(finding.Compliance?.RelatedRequirements).toContain('CIS AWS Foundations Benchmark v1.4.0/3.8');
  });

  it('keeps CreatedAt and FirstObservedAt of the existing finding and moves UpdatedAt', () => {
    const existing = { createdAt: '2026-01-01T00:00:00.000Z', firstObservedAt: '2026-01-02T00:00:00.000Z' };
    const finding = toFinding(result(), catalog.get('KMS.3'), { ...context, existing });
    expect(finding.CreatedAt).toBe(existing.createdAt);
    expect(finding.FirstObservedAt).toBe(existing.firstObservedAt);
    expect(finding.UpdatedAt).toBe(context.now);
    expect(finding.LastObservedAt).toBe(context.now);
  });

  it('has a stable Id that depends only on product, region, account, control and resource', () => {
    const a = toFinding(result(), catalog.get('KMS.3'), context);
    const b = toFinding(result({ status: 'PASSED', reason: 'other' }), catalog.get('KMS.3'), {
      ...context,
      now: '2027-01-01T00:00:00.000Z',
      companyName: 'Other',
    });
    expect(a.Id).toBe(b.Id);
    expect(a.Id).toMatch(/^keywarden\/eu-west-1\/111122223333\/KMS\.3\/[0-9a-f]{64}$/);
    expect(
      findingId({
        productName: 'keywarden',
        region: 'eu-west-1',
        accountId: '111122223333',
        controlId: 'KMS.4',
        resourceArn: keyArn,
      }),
    ).not.toBe(a.Id);
  });

  it('truncates long reasons to the ASFF limits', () => {
    const finding = toFinding(result({ reason: 'x'.repeat(5000) }), catalog.get('KMS.3'), context);
    expect(finding.Description.length).toBeLessThanOrEqual(1024);
    expect(finding.Compliance!.StatusReasons![0]!.Description!.length).toBeLessThanOrEqual(2048);
    expect(validateFinding(finding)).toEqual([]);
  });

  it('archives by re-sending the existing finding as ARCHIVED', () => {
    const finding = toFinding(result(), catalog.get('KMS.3'), context);
    const archived = archiveFinding(finding, '2026-11-29T00:00:00.000Z');
    expect(archived).toMatchObject({
      Id: finding.Id,
      RecordState: 'ARCHIVED',
      UpdatedAt: '2026-11-29T00:00:00.000Z',
      CreatedAt: finding.CreatedAt,
    });
  });
});

describe('ASFF limits and batching', () => {
  const base = toFinding(result(), catalog.get('KMS.3'), context);
  it('reports each broken limit', () => {
    const broken: AsffFinding = {
      ...base,
      Title: 't'.repeat(257),
      Description: 'd'.repeat(1025),
      Id: 'i'.repeat(513),
      GeneratorId: '',
    };
    const problems = validateFinding(broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        'Title is longer than 256 characters',
        'Description is longer than 1024 characters',
        'Id is longer than 512 characters',
        'GeneratorId is required',
      ]),
    );
    const huge: AsffFinding = {
      ...base,
      Resources: [{ ...base.Resources[0]!, Details: { Other: { Blob: 'x'.repeat(250 * 1024) } } }],
    };
    expect(validateFinding(huge).join()).toMatch(/bytes \(limit 245760\)/);
  });
  it('reports arrays past their ASFF limits, a malformed account id and an overlong status reason', () => {
    const crowded: AsffFinding = {
      ...base,
      AwsAccountId: '12345',
      Types: Array.from({ length: 51 }, (_, i) => `Software and Configuration Checks/T${i}`),
      Resources: Array.from({ length: 33 }, () => base.Resources[0]!),
      Compliance: {
        ...base.Compliance!,
        RelatedRequirements: Array.from({ length: 33 }, (_, i) => `NIST.800-53.r5 AC-${i}`),
        StatusReasons: [{ ReasonCode: 'X', Description: 'r'.repeat(2049) }],
      },
    };
    expect(validateFinding(crowded)).toEqual([
      'Types has more than 50 items',
      'Resources has more than 32 items',
      'Compliance.RelatedRequirements has more than 32 items',
      'AwsAccountId is not a 12-digit account id',
      'Compliance.StatusReasons[0].Description is longer than 2048 characters',
    ]);
    expect(validateFinding(base)).toEqual([]);
  });
  it('splits by count and by bytes', () => {
    const many = Array.from({ length: 250 }, (_, i) => ({ ...base, Id: `id-${i}` }));
    expect(batchFindings(many).map((b) => b.length)).toEqual([100, 100, 50]);
    const big = Array.from({ length: 10 }, (_, i) => ({
      ...base,
      Id: `big-${i}`,
      Description: 'x'.repeat(1000),
      ProductFields: { blob: 'y'.repeat(200_000) },
    }));
    const batches = batchFindings(big, { maxBytes: 1024 * 1024 });
    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches)
      expect(Buffer.byteLength(JSON.stringify({ Findings: batch }))).toBeLessThanOrEqual(1024 * 1024);
    expect(batches.flat()).toHaveLength(10);
  });
});
