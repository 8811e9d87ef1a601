/**
 * The Security Hub importer against the simulator (real SDK client over HTTP), one behaviour at a time:
 * hub status, reading this product's active findings page by page, retrying what Security Hub failed with
 * a retryable code (and only that), and which existing findings the archive rule picks.
 */
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AsffFinding } from '../../src/findings/index.js';
import type { ImportTarget } from '../../src/importer/importer.js';
import { activeFindings, defaultProductArn, hubStatus, importFindings } from '../../src/importer/importer.js';
import { findingsToArchive } from '../../src/importer/lifecycle.js';
import { LocalRateLimiter } from '../../src/aws/rate-limit.js';
import type { ControlId } from '../../src/model/result.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { withSecurityHubEndpoint } from '../helpers/endpoint.js';
import { handFinding, importTarget } from '../helpers/hand-findings.js';
import { startHubSimulator, stopHubSimulator } from '../helpers/hub.js';

const REGION = 'us-east-1';
let aws: RunningSimulator;
let client: SecurityHubClient;
let accountId: string;

function finding(
  index: number,
  overrides: Partial<Record<keyof AsffFinding, unknown>> = {},
  control: ControlId = 'KMS.3',
): AsffFinding {
  const resourceId = `r-${String(index).padStart(4, '0')}`;
  return handFinding(
    { accountId, region: REGION, index, control, resourceId, description: 'importer test' },
    overrides,
  );
}

function target(extra: Partial<ImportTarget> = {}): ImportTarget {
  return importTarget({ client, accountId, region: REGION, limiter: new LocalRateLimiter() }, extra);
}

const hub = () => aws.state.hub(accountId, REGION);
const importCalls = () => aws.counters.byOperation.get('securityhub:BatchImportFindings') ?? 0;

beforeAll(async () => {
  ({ aws, client, accountId } = await startHubSimulator(REGION));
});
afterAll(() => stopHubSimulator({ aws, client, accountId }));
beforeEach(() => {
  hub().findings.clear();
  aws.faults.hubDisabled.clear();
  aws.faults.failedFindingsRate = 0;
  aws.counters.reset();
});

describe('defaultProductArn', () => {
  it('is the account default product in the region and partition', () => {
    expect(defaultProductArn('aws-cn', 'cn-north-1', '111122223333')).toBe(
      'arn:aws-cn:securityhub:cn-north-1:111122223333:product/111122223333/default',
    );
  });
});

describe('hubStatus', () => {
  it('enabled', async () => {
    expect(await hubStatus(target())).toEqual({ enabled: true });
  });

  it('not enabled is an answer with the code, not an exception', async () => {
    aws.faults.hubDisabled.add(REGION);
    const status = await hubStatus(target());
    expect(status).toMatchObject({ enabled: false, code: 'InvalidAccessException' });
    expect(status.enabled === false && status.message).toMatch(/not subscribed/);
  });

  it('any other failure is thrown', async () => {
    const broken = new SecurityHubClient({
      endpoint: aws.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    await expect(hubStatus(target({ client: broken }))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    broken.destroy();
  });
});

describe('activeFindings', () => {
  it("reads every ACTIVE finding of this product and account, over pages, and nothing else's", async () => {
    const ours = Array.from({ length: 230 }, (_, i) => finding(i));
    const archived = finding(900, { RecordState: 'ARCHIVED' });
    const otherProduct = finding(901, { GeneratorId: 'other-tool/KMS.3', Id: 'other-tool/x' });
    const almostOurs = finding(902, { GeneratorId: 'keywardenX/KMS.3', Id: 'keywardenX/x' });
    for (const f of [...ours, archived, otherProduct, almostOurs]) hub().findings.set(f.Id, f as never);
    const found = await activeFindings(target());
    expect([...found.keys()].sort()).toEqual(ours.map((f) => f.Id).sort());
    expect(found.get(ours[7]!.Id)).toMatchObject({ Id: ours[7]!.Id, CreatedAt: ours[7]!.CreatedAt });
    expect(aws.counters.byOperation.get('securityhub:GetFindings')).toBe(3);
  });

  it('an empty hub reads as no finding in one call', async () => {
    expect((await activeFindings(target())).size).toBe(0);
    expect(aws.counters.byOperation.get('securityhub:GetFindings')).toBe(1);
  });

  it('stops with PaginationLoop when Security Hub hands back a page token it gave before', async () => {
    // An endpoint that always says more is to come with the same token: without the check, an endless loop.
    let calls = 0;
    const page = () => {
      calls++;
      return { status: 200, body: { Findings: [finding(calls)], NextToken: 'same-token' } };
    };
    await withSecurityHubEndpoint(REGION, page, async (endpointClient) => {
      await expect(activeFindings(target({ client: endpointClient }))).rejects.toMatchObject({
        code: 'PaginationLoop',
        operation: 'securityhub:GetFindings',
      });
    });
    // The first page gives the token, the second repeats it: two calls, then the stop.
    expect(calls).toBe(2);
  });
});

describe('importFindings', () => {
  it('imports everything in one call when nothing fails', async () => {
    const findings = Array.from({ length: 5 }, (_, i) => finding(i));
    expect(await importFindings(target(), findings)).toEqual({ imported: 5, failed: [] });
    expect(importCalls()).toBe(1);
    expect([...hub().findings.keys()].sort()).toEqual(findings.map((f) => f.Id).sort());
  });

  it('retries only the findings Security Hub failed with a retryable code, until they are in', async () => {
    aws.faults.failedFindingsRate = 0.5;
    const findings = Array.from({ length: 40 }, (_, i) => finding(i));
    const outcome = await importFindings(target({ findingAttempts: 20 }), findings);
    expect(outcome).toEqual({ imported: 40, failed: [] });
    expect(importCalls()).toBeGreaterThan(1);
    expect(hub().findings.size).toBe(40);
  });

  it('reports what still fails after the attempts, with RetriesExhausted', async () => {
    aws.faults.failedFindingsRate = 1;
    const findings = Array.from({ length: 3 }, (_, i) => finding(i));
    const outcome = await importFindings(target({ findingAttempts: 2 }), findings);
    expect(outcome.imported).toBe(0);
    expect(outcome.failed.map((f) => [f.id, f.code]).sort()).toEqual(
      findings.map((f) => [f.Id, 'RetriesExhausted']).sort(),
    );
    expect(outcome.failed[0]!.message).toBe('still failing after retries');
    expect(importCalls()).toBe(2);
  });

  it('does not retry a finding refused for good, and imports the rest', async () => {
    const good = [finding(1), finding(2)];
    const refused = finding(3, { AwsAccountId: '999999999999' });
    const outcome = await importFindings(target(), [good[0]!, refused, good[1]!]);
    expect(outcome.imported).toBe(2);
    expect(outcome.failed).toEqual([
      { id: refused.Id, code: 'AccessDeniedException', message: expect.stringContaining('AwsAccountId') },
    ]);
    expect(importCalls()).toBe(1);
  });

  it('a call that fails as a whole fails its findings with the error, and the next batch is tried', async () => {
    aws.faults.hubDisabled.add(REGION);
    const findings = Array.from({ length: 101 }, (_, i) => finding(i));
    const outcome = await importFindings(target(), findings);
    expect(outcome.imported).toBe(0);
    expect(outcome.failed).toHaveLength(101);
    expect(new Set(outcome.failed.map((f) => f.code))).toEqual(new Set(['InvalidAccessException']));
    expect(outcome.failed[0]!.message).toMatch(/not subscribed/);
    expect(importCalls()).toBe(2);
  });
});

describe('findingsToArchive', () => {
  const NOW = '2026-06-01T00:00:00.000Z';
  const existing = (findings: AsffFinding[]) => new Map(findings.map((f) => [f.Id, f]));

  it('archives what was not produced again, for controls collected completely, with the time', () => {
    const gone = finding(1);
    const still = finding(2);
    const archived = findingsToArchive(
      existing([gone, still]),
      new Set([still.Id]),
      new Set<ControlId>(['KMS.3']),
      'keywarden',
      NOW,
    );
    expect(archived).toEqual([{ ...gone, RecordState: 'ARCHIVED', UpdatedAt: NOW, LastObservedAt: NOW }]);
  });

  it('keeps LastObservedAt of a finding that has one', () => {
    const gone = finding(1, { LastObservedAt: '2026-01-05T00:00:00.000Z' });
    const [archived] = findingsToArchive(existing([gone]), new Set(), new Set(['KMS.3']), 'keywarden', NOW);
    expect(archived!.LastObservedAt).toBe('2026-01-05T00:00:00.000Z');
  });

  it('archives nothing of a control whose collection was incomplete', () => {
    const kms1 = finding(1, {}, 'KMS.1');
    const kms3 = finding(2, {}, 'KMS.3');
    const archived = findingsToArchive(
      existing([kms1, kms3]),
      new Set(),
      new Set<ControlId>(['KMS.3']),
      'keywarden',
      NOW,
    );
    expect(archived.map((f) => f.Id)).toEqual([kms3.Id]);
    expect(findingsToArchive(existing([kms1, kms3]), new Set(), new Set(), 'keywarden', NOW)).toEqual([]);
  });

  it("never archives another product's finding", () => {
    const other = finding(1, { GeneratorId: 'other/KMS.3' });
    const prefixed = finding(2, { GeneratorId: 'keywardenX/KMS.3' });
    expect(
      findingsToArchive(existing([other, prefixed]), new Set(), new Set(['KMS.3']), 'keywarden', NOW),
    ).toEqual([]);
  });
});
