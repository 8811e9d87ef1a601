/**
 * Findings and import targets for the importer's tests, written out by hand (not built by the mapping
 * under test): a valid KMS.3-shaped ASFF finding per index, and the importer's target for one account.
 */
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { RateLimiter } from '../../src/aws/rate-limit.js';
import type { AsffFinding } from '../../src/findings/index.js';
import type { ImportTarget } from '../../src/importer/importer.js';
import type { ControlId } from '../../src/model/result.js';

export interface HandFinding {
  accountId: string;
  region: string;
  /** Tells the findings apart: the resource id and the timestamps (i milliseconds after 2026-01-01). */
  index: number;
  description: string;
  control?: ControlId;
  /** The key id in the resource ARN and the finding Id; default `r-<index>`. */
  resourceId?: string;
}

export function handFinding(
  { accountId, region, index, description, control = 'KMS.3', resourceId = `r-${index}` }: HandFinding,
  overrides: Partial<Record<keyof AsffFinding, unknown>> = {},
): AsffFinding {
  const at = new Date(Date.UTC(2026, 0, 1) + index).toISOString();
  return {
    SchemaVersion: '2018-10-08',
    Id: `keywarden/${region}/${accountId}/${control}/${resourceId}`,
    ProductArn: `arn:aws:securityhub:${region}:${accountId}:product/${accountId}/default`,
    GeneratorId: `keywarden/${control}`,
    AwsAccountId: accountId,
    Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
    CreatedAt: at,
    UpdatedAt: at,
    Severity: { Label: 'HIGH' },
    Title: `finding ${index}`,
    Description: description,
    Resources: [{ Type: 'AwsKmsKey', Id: `arn:aws:kms:${region}:${accountId}:key/${resourceId}` }],
    Compliance: { Status: 'FAILED', SecurityControlId: control },
    RecordState: 'ACTIVE',
    ...overrides,
  } as AsffFinding;
}

export function importTarget(
  base: { client: SecurityHubClient; accountId: string; region: string; limiter: RateLimiter },
  extra: Partial<ImportTarget> = {},
): ImportTarget {
  return { ...base, partition: 'aws', productName: 'keywarden', ...extra };
}
