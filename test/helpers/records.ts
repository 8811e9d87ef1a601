/** Scan and finding records as the stores keep them, for the store tests. */
import type { FindingRecord, ScanRecord } from '../../src/store/types.js';
import type { ScanScope } from '../../src/model/scope.js';

export const scanRecord = (
  id: string,
  createdAt = new Date().toISOString(),
  scope: ScanScope = { regions: ['us-east-1'] },
): ScanRecord => ({
  id,
  trigger: 'api',
  scope,
  state: 'running',
  createdAt,
  progress: { done: 0, total: 4 },
});

export const findingRecord = (
  n: number,
  controlId: FindingRecord['controlId'],
  status: FindingRecord['status'],
): FindingRecord => ({
  id: `f${n}`,
  controlId,
  status,
  accountId: '111122223333',
  region: 'us-east-1',
  resourceArn: `arn:aws:kms:us-east-1:111122223333:key/${n}`,
  resourceType: 'AwsKmsKey',
  title: 't',
  reason: 'r',
  recordState: 'ACTIVE',
});
