/**
 * BatchImportFindings quotas: at most 100 findings and 6 MB per call. Direct checks of the batching, and
 * the importer against the simulator (real SDK client over HTTP), which refuses a request over 6 MB as
 * Security Hub does -- so a cap that is missing or too high fails here.
 */
import { BatchImportFindingsCommand } from '@aws-sdk/client-securityhub';
import type { AwsSecurityFinding, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AsffFinding } from '../../src/findings/index.js';
import { batchFindings, validateFinding } from '../../src/findings/index.js';
import { importFindings } from '../../src/importer/importer.js';
import { LocalRateLimiter } from '../../src/aws/rate-limit.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { handFinding } from '../helpers/hand-findings.js';
import { startHubSimulator, stopHubSimulator } from '../helpers/hub.js';

const MB6 = 6 * 1024 * 1024;
const REGION = 'us-east-1';

/** A valid ASFF finding written out by hand, padded with ProductFields to about `padBytes`. */
function finding(accountId: string, index: number, padBytes = 0): AsffFinding {
  const fields: Record<string, string> = {};
  for (let k = 0; padBytes > 0 && k < Math.ceil(padBytes / 2000); k++) fields[`pad${k}`] = 'p'.repeat(2000);
  return handFinding(
    {
      accountId,
      region: REGION,
      index,
      resourceId: `key-${index}`,
      description: 'a finding of the batching test',
    },
    { ProductFields: fields },
  );
}

const bytes = (batch: readonly AsffFinding[]) => Buffer.byteLength(JSON.stringify({ Findings: batch }));

describe('batchFindings: at most 100 findings and 6 MB per batch', () => {
  it('101 small findings make a batch of 100 and a batch of 1, in order', () => {
    const findings = Array.from({ length: 101 }, (_, i) => finding('111122223333', i));
    const batches = batchFindings(findings);
    expect(batches.map((b) => b.length)).toEqual([100, 1]);
    expect(batches.flat()).toEqual(findings);
  });

  it('exactly 100 findings are one batch, 200 are two', () => {
    const make = (n: number) => Array.from({ length: n }, (_, i) => finding('111122223333', i));
    expect(batchFindings(make(100)).map((b) => b.length)).toEqual([100]);
    expect(batchFindings(make(200)).map((b) => b.length)).toEqual([100, 100]);
    expect(batchFindings([])).toEqual([]);
  });

  it('100 findings of 100 KB (10 MB) are split into requests of at most 6 MB each', () => {
    const findings = Array.from({ length: 100 }, (_, i) => finding('111122223333', i, 100_000));
    for (const f of findings.slice(0, 3)) expect(validateFinding(f)).toEqual([]);
    expect(bytes(findings)).toBeGreaterThan(10_000_000);
    const batches = batchFindings(findings);
    expect(batches.length).toBe(2);
    for (const batch of batches) expect(bytes(batch)).toBeLessThanOrEqual(MB6);
    // The first batch is filled up to the cap (not split into tiny ones).
    expect(bytes(batches[0]!)).toBeGreaterThan(MB6 - 110_000);
    expect(batches.flat()).toEqual(findings);
  });
});

describe('importFindings against the simulator', () => {
  let aws: RunningSimulator;
  let client: SecurityHubClient;
  let accountId: string;

  beforeAll(async () => {
    ({ aws, client, accountId } = await startHubSimulator(REGION));
  });
  afterAll(() => stopHubSimulator({ aws, client, accountId }));

  const target = () => ({
    client,
    accountId,
    region: REGION,
    partition: 'aws',
    productName: 'keywarden',
    limiter: new LocalRateLimiter(),
  });
  const calls = () => aws.counters.byOperation.get('securityhub:BatchImportFindings') ?? 0;
  const stored = () => aws.state.hub(accountId, REGION).findings;

  it('the simulator refuses a request over 6 MB, as Security Hub does', async () => {
    const findings = Array.from({ length: 70 }, (_, i) => finding(accountId, 1000 + i, 100_000));
    expect(bytes(findings)).toBeGreaterThan(MB6);
    await expect(
      client.send(new BatchImportFindingsCommand({ Findings: findings as unknown as AwsSecurityFinding[] })),
    ).rejects.toMatchObject({ name: 'InvalidInputException' });
    expect([...stored().keys()].filter((id) => id.endsWith('key-1000'))).toEqual([]);
  });

  it('imports 10 MB of findings in calls under the cap, every finding once', async () => {
    aws.counters.reset();
    const findings = Array.from({ length: 100 }, (_, i) => finding(accountId, i, 100_000));
    const outcome = await importFindings(target(), findings);
    expect(outcome).toEqual({ imported: 100, failed: [] });
    expect(calls()).toBe(2);
    for (const f of findings) expect(stored().get(f.Id)?.UpdatedAt).toBe(f.UpdatedAt);
  });

  it('imports 101 findings in two calls', async () => {
    aws.counters.reset();
    const findings = Array.from({ length: 101 }, (_, i) => finding(accountId, 2000 + i));
    const outcome = await importFindings(target(), findings);
    expect(outcome).toEqual({ imported: 101, failed: [] });
    expect(calls()).toBe(2);
  });
});
