/**
 * The importer's less travelled paths, with real SDK clients over HTTP: a cancelled import (the call in
 * question is never sent), the quota bucket of each paced call, which stored findings count as this
 * product's active ones, and answers that leave fields out. The simulator serves the ordinary answers; a
 * one-response endpoint serves the odd ones AWS may give (an error the simulator does not make, a response
 * without FailedFindings, a failure without Id or code).
 */
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AsffFinding } from '../../src/findings/index.js';
import type { ImportTarget } from '../../src/importer/importer.js';
import { activeFindings, hubStatus, importFindings } from '../../src/importer/importer.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { startHubSimulator, stopHubSimulator } from '../helpers/hub.js';
import type { EndpointAnswer } from '../helpers/endpoint.js';
import { withSecurityHubEndpoint } from '../helpers/endpoint.js';
import { handFinding, importTarget } from '../helpers/hand-findings.js';
import { RecordingLimiter } from '../helpers/pacing.js';

const REGION = 'us-east-1';
const OTHER_ACCOUNT = '111122223333';
let aws: RunningSimulator;
let client: SecurityHubClient;
let accountId: string;

function finding(index: number, overrides: Record<string, unknown> = {}): AsffFinding {
  return handFinding({ accountId, region: REGION, index, description: 'import failures test' }, overrides);
}

function target(extra: Partial<ImportTarget> = {}): ImportTarget {
  return importTarget({ client, accountId, region: REGION, limiter: new RecordingLimiter() }, extra);
}

/** A target whose signal is aborted right after the call paced on a key ending in `suffix` got its token. */
function cancelledAfter(suffix: string): ImportTarget {
  const controller = new AbortController();
  const limiter = new RecordingLimiter({ controller, when: (key) => key.endsWith(suffix) });
  return target({ limiter, signal: controller.signal });
}

const hub = () => aws.state.hub(accountId, REGION);
const calls = (operation: string) => aws.counters.byOperation.get(operation) ?? 0;

/** A Security Hub client of an endpoint that gives every request `answer`. */
function withHubEndpoint(answer: EndpointAnswer, use: (client: SecurityHubClient) => Promise<void>) {
  return withSecurityHubEndpoint(REGION, () => answer, use);
}

beforeAll(async () => {
  ({ aws, client, accountId } = await startHubSimulator(REGION));
});
afterAll(() => stopHubSimulator({ aws, client, accountId }));
beforeEach(() => {
  hub().findings.clear();
  aws.counters.reset();
});

describe('hubStatus', () => {
  it('a cancelled check is not sent and rejects', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(hubStatus(target({ signal: controller.signal }))).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(calls('securityhub:DescribeHub')).toBe(0);
  });

  it('ResourceNotFoundException means not enabled, with the code and message', async () => {
    await withHubEndpoint(
      {
        status: 404,
        headers: { 'x-amzn-errortype': 'ResourceNotFoundException' },
        body: { Message: 'no hub here' },
      },
      async (endpointClient) => {
        expect(await hubStatus(target({ client: endpointClient }))).toEqual({
          enabled: false,
          code: 'ResourceNotFoundException',
          message: 'no hub here',
        });
      },
    );
  });
});

describe('activeFindings', () => {
  it("leaves out another product's and another account's findings, and a finding without an Id", async () => {
    const ours = finding(1);
    // In an administrator account's hub: a member account's finding of keywarden, and another product's
    // finding that carries keywarden's GeneratorId.
    const otherAccount = finding(2, { AwsAccountId: OTHER_ACCOUNT });
    const otherProduct = finding(3, {
      ProductArn: `arn:aws:securityhub:${REGION}::product/other-vendor/other-product`,
    });
    const withoutId: Record<string, unknown> = { ...finding(4) };
    delete withoutId['Id'];
    for (const f of [ours, otherAccount, otherProduct]) hub().findings.set(f.Id, f as never);
    hub().findings.set('stored-without-id', withoutId as never);
    const found = await activeFindings(target());
    expect([...found.keys()]).toEqual([ours.Id]);
  });

  it('paces GetFindings on the account and region bucket at 3/s, burst 6', async () => {
    const limiter = new RecordingLimiter();
    await activeFindings(target({ limiter }));
    expect(limiter.byKey()).toEqual([[`${accountId}/${REGION}/GetFindings`, { perSecond: 3, burst: 6 }, 1]]);
  });

  it('cancelled once paced: the page is never asked for', async () => {
    await expect(activeFindings(cancelledAfter('/GetFindings'))).rejects.toMatchObject({
      operation: 'securityhub:GetFindings',
      code: 'AbortError',
    });
    expect(calls('securityhub:GetFindings')).toBe(0);
  });
});

describe('importFindings', () => {
  it('a retryable failure without an Id is reported failed, not dropped from both counts', async () => {
    const failure = { ErrorCode: 'InternalException', ErrorMessage: 'try again' };
    await withHubEndpoint(
      { status: 200, body: { SuccessCount: 1, FailedCount: 1, FailedFindings: [failure] } },
      async (endpointClient) => {
        expect(await importFindings(target({ client: endpointClient }), [finding(1), finding(2)])).toEqual({
          imported: 1,
          failed: [{ id: '', code: 'InternalException', message: 'try again' }],
        });
      },
    );
  });

  it('paces BatchImportFindings on the account and region bucket at 10/s, burst 30', async () => {
    const limiter = new RecordingLimiter();
    expect(await importFindings(target({ limiter }), [finding(1), finding(2)])).toEqual({
      imported: 2,
      failed: [],
    });
    expect(limiter.byKey()).toEqual([
      [`${accountId}/${REGION}/BatchImportFindings`, { perSecond: 10, burst: 30 }, 1],
    ]);
  });

  it('cancelled once paced: the batch is never sent, and the import rejects', async () => {
    await expect(importFindings(cancelledAfter('/BatchImportFindings'), [finding(1)])).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(calls('securityhub:BatchImportFindings')).toBe(0);
    expect(hub().findings.size).toBe(0);
  });

  it('an answer without FailedFindings: every finding imported', async () => {
    await withHubEndpoint(
      { status: 200, body: { SuccessCount: 2, FailedCount: 0 } },
      async (endpointClient) => {
        expect(await importFindings(target({ client: endpointClient }), [finding(1), finding(2)])).toEqual({
          imported: 2,
          failed: [],
        });
      },
    );
  });

  it('a failure without Id, code or message: reported as it came, with the code Unknown, not retried', async () => {
    await withHubEndpoint(
      { status: 200, body: { SuccessCount: 1, FailedCount: 1, FailedFindings: [{}] } },
      async (endpointClient) => {
        expect(await importFindings(target({ client: endpointClient }), [finding(1), finding(2)])).toEqual({
          imported: 1,
          failed: [{ id: '', code: 'Unknown', message: '' }],
        });
      },
    );
  });
});
