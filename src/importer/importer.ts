/**
 * Security Hub import for one (account, region), with that account's credentials: check the hub, read
 * the active findings this product made (to keep CreatedAt and know what to archive), send batches within
 * the quotas, and retry what can be retried. Errors are returned per unit, never thrown past it.
 */
import type {
  AwsSecurityFinding,
  AwsSecurityFindingFilters,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import {
  BatchImportFindingsCommand,
  DescribeHubCommand,
  GetFindingsCommand,
} from '@aws-sdk/client-securityhub';
import pRetry from 'p-retry';
import { paginate } from '../aws/paginate.js';
import type { AsffFinding } from '../findings/index.js';
import { batchFindings } from '../findings/index.js';
import type { RateLimiter } from '../aws/rate-limit.js';
import { SECURITY_HUB_QUOTAS } from '../aws/quotas.js';

export interface ImportTarget {
  client: SecurityHubClient;
  accountId: string;
  region: string;
  partition: string;
  productName: string;
  limiter: RateLimiter;
  signal?: AbortSignal;
  /** Attempts for findings that Security Hub rejected with a retryable code. */
  findingAttempts?: number;
}

export interface FailedFinding {
  id: string;
  code: string;
  message: string;
}

export interface ImportOutcome {
  imported: number;
  failed: FailedFinding[];
}

export type HubStatus = { enabled: true } | { enabled: false; code: string; message: string };

/** Codes Security Hub puts in FailedFindings that a later attempt may fix. */
const RETRYABLE_FINDING_CODES = new Set([
  'InternalException',
  'InternalFailure',
  'ServiceUnavailable',
  'ThrottlingException',
  'TooManyRequestsException',
  'LimitExceededException',
]);

export function defaultProductArn(partition: string, region: string, accountId: string): string {
  return `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

/** DescribeHub: a hub that is not enabled is an answer for this unit, not a crash. */
export async function hubStatus(target: ImportTarget): Promise<HubStatus> {
  try {
    await target.client.send(new DescribeHubCommand({}), { abortSignal: target.signal });
    return { enabled: true };
  } catch (error) {
    // Stryker disable next-line StringLiteral: any name but the two below rethrows the error, '' as 'UnknownError'
    const name = error instanceof Error ? error.name : 'UnknownError';
    if (name === 'InvalidAccessException' || name === 'ResourceNotFoundException') {
      return { enabled: false, code: name, message: (error as Error).message };
    }
    throw error;
  }
}

/**
 * The ACTIVE findings this product generated in the account and region, by Id; `narrower` filters (e.g.
 * the Ids of one resource's findings) select among them.
 */
export async function activeFindings(
  target: ImportTarget,
  narrower: AwsSecurityFindingFilters = {},
): Promise<Map<string, AsffFinding>> {
  const filters: AwsSecurityFindingFilters = {
    ...narrower,
    ProductArn: [
      { Value: defaultProductArn(target.partition, target.region, target.accountId), Comparison: 'EQUALS' },
    ],
    GeneratorId: [{ Value: `${target.productName}/`, Comparison: 'PREFIX' }],
    AwsAccountId: [{ Value: target.accountId, Comparison: 'EQUALS' }],
    RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
  };
  const found = new Map<string, AsffFinding>();
  // GetFindings has no truncation flag: NextToken alone says more is to come, and paginate stops on a
  // token it has seen before (a page loop) instead of looping or ending early.
  const pages = paginate(
    'securityhub:GetFindings',
    async (token) => {
      await target.limiter.take(
        `${target.accountId}/${target.region}/GetFindings`,
        SECURITY_HUB_QUOTAS.GetFindings,
        target.signal,
      );
      return target.client.send(
        new GetFindingsCommand({ Filters: filters, MaxResults: 100, NextToken: token }),
        { abortSignal: target.signal },
      );
    },
    (page) => ({ token: page.NextToken }),
  );
  for await (const page of pages) {
    // Stryker disable next-line ArrayDeclaration: a string in place of the empty list has no Id and is skipped below
    for (const finding of page.Findings ?? []) {
      if (finding.Id !== undefined) found.set(finding.Id, finding as unknown as AsffFinding);
    }
  }
  return found;
}

/** Some findings of a batch failed with a code that a later attempt may fix. */
class RetryableFindingsError extends Error {
  constructor(count: number) {
    super(`${count} findings failed with a retryable error`);
    // Stryker disable next-line StringLiteral: the error never leaves sendBatch, which tells it by instanceof
    this.name = 'RetryableFindingsError';
  }
}

/** Sends one batch, retrying the findings Security Hub failed with a retryable code. */
async function sendBatch(target: ImportTarget, batch: AsffFinding[], outcome: ImportOutcome): Promise<void> {
  let pending = batch;
  await pRetry(
    async () => {
      await target.limiter.take(
        `${target.accountId}/${target.region}/BatchImportFindings`,
        SECURITY_HUB_QUOTAS.BatchImportFindings,
        target.signal,
      );
      const response = await target.client.send(
        new BatchImportFindingsCommand({ Findings: pending as unknown as AwsSecurityFinding[] }),
        { abortSignal: target.signal },
      );
      const failures = response.FailedFindings ?? [];
      outcome.imported += pending.length - failures.length;
      const retry = new Set<string>();
      for (const failure of failures) {
        // A failure without an Id names no finding to send again: it is reported as it came, not dropped.
        // Stryker disable next-line StringLiteral: a missing code is not retryable, as '' or any other text
        if (failure.Id !== undefined && RETRYABLE_FINDING_CODES.has(failure.ErrorCode ?? ''))
          retry.add(failure.Id);
        else
          outcome.failed.push({
            id: failure.Id ?? '',
            code: failure.ErrorCode ?? 'Unknown',
            message: failure.ErrorMessage ?? '',
          });
      }
      pending = pending.filter((finding) => retry.has(finding.Id));
      if (pending.length > 0) throw new RetryableFindingsError(pending.length);
    },
    {
      retries: (target.findingAttempts ?? 4) - 1,
      minTimeout: 200,
      factor: 2,
      signal: target.signal,
      // A call-level error was already retried by the SDK: only per-finding failures come back here.
      shouldRetry: ({ error }) => error instanceof RetryableFindingsError,
    },
  ).catch((error: unknown) => {
    target.signal?.throwIfAborted();
    const exhausted = error instanceof RetryableFindingsError;
    // Either Security Hub kept failing some findings, or the call itself failed after the SDK's own
    // retries: the findings still pending are reported failed, and the next batch is tried all the same.
    // p-retry rejects with an Error (it wraps anything else in a TypeError), and a cancellation was
    // rethrown above: what is left is an Error.
    const failure = error as Error;
    const code = exhausted ? 'RetriesExhausted' : failure.name;
    const message = exhausted ? 'still failing after retries' : failure.message;
    for (const finding of pending) outcome.failed.push({ id: finding.Id, code, message });
  });
}

/** Imports findings in batches of at most 100 findings and 6 MB, within 10 calls/s, burst 30. */
export async function importFindings(target: ImportTarget, findings: AsffFinding[]): Promise<ImportOutcome> {
  const outcome: ImportOutcome = { imported: 0, failed: [] };
  for (const batch of batchFindings(findings)) await sendBatch(target, batch, outcome);
  return outcome;
}
