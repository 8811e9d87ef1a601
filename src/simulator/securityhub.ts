/** Security Hub (REST-JSON): DescribeHub, EnableSecurityHub, BatchImportFindings, GetFindings. */
import { shapeProblems } from './asff.js';
import { findingFilters, sortFindings } from './finding-filters.js';
import { ParamCheck } from './params.js';
import { AwsError } from './protocol.js';
import type { SimSession, SimState, StoredFinding } from './state.js';

export interface RestCall {
  state: SimState;
  caller: SimSession;
  region: string;
  body: Record<string, unknown>;
}

export interface HubFaults {
  /** `<account>/<region>` or `<region>` where Security Hub is not enabled. */
  hubDisabled: Set<string>;
  /** Probability that one finding of a batch fails with a retryable InternalException. */
  failedFindingsRate: number;
  random: () => number;
}

export function hubFor(call: RestCall, faults: HubFaults) {
  const hub = call.state.hub(call.caller.accountId, call.region);
  const disabled =
    !hub.enabled ||
    faults.hubDisabled.has(call.region) ||
    faults.hubDisabled.has(`${call.caller.accountId}/${call.region}`);
  if (disabled) {
    throw new AwsError(
      'InvalidAccessException',
      `Account ${call.caller.accountId} is not subscribed to AWS Security Hub`,
      401,
    );
  }
  return hub;
}

export function describeHub(call: RestCall, faults: HubFaults): unknown {
  hubFor(call, faults);
  return {
    HubArn: `arn:aws:securityhub:${call.region}:${call.caller.accountId}:hub/default`,
    SubscribedAt: '2025-01-15T10:00:00.000Z',
    AutoEnableControls: true,
    ControlFindingGenerator: 'SECURITY_CONTROL',
  };
}

export function enableSecurityHub(call: RestCall, faults: HubFaults): unknown {
  const hub = call.state.hub(call.caller.accountId, call.region);
  if (
    hub.enabled &&
    !faults.hubDisabled.has(call.region) &&
    !faults.hubDisabled.has(`${call.caller.accountId}/${call.region}`)
  ) {
    throw new AwsError('ResourceConflictException', 'Account is already subscribed to Security Hub', 409);
  }
  hub.enabled = true;
  faults.hubDisabled.delete(`${call.caller.accountId}/${call.region}`);
  return {};
}

/** Why a finding is rejected, as AWS puts it in FailedFindings; undefined when it is acceptable. */
function rejection(finding: unknown, call: RestCall): { code: string; message: string } | undefined {
  if (Buffer.byteLength(JSON.stringify(finding) ?? '') > 240 * 1024) {
    return { code: 'FindingSizeExceeded', message: 'Finding size exceeded the maximum of 240 KB.' };
  }
  const shape = shapeProblems(finding);
  if (shape !== undefined)
    return { code: 'InvalidInput', message: `Finding does not adhere to Amazon Finding Format. ${shape}.` };
  const valid = finding as Record<string, unknown>;
  const expectedArn = `arn:aws:securityhub:${call.region}:${call.caller.accountId}:product/${call.caller.accountId}/default`;
  const arn = String(valid['ProductArn']);
  if (!/^arn:aws[a-z-]*:securityhub:[a-z0-9-]+:\d{12}:product\/[\w.-]+\/[\w.-]+$/.test(arn)) {
    return { code: 'InvalidInput', message: 'Invalid ProductArn.' };
  }
  if (arn !== expectedArn) {
    return {
      code: 'AccessDeniedException',
      message: `Product ${arn} is not enabled for account ${call.caller.accountId} in ${call.region}.`,
    };
  }
  if (valid['AwsAccountId'] !== call.caller.accountId) {
    return {
      code: 'AccessDeniedException',
      message: 'AwsAccountId must be the calling account when the default product ARN is used.',
    };
  }
  return undefined;
}

/**
 * The workflow Security Hub sets: PASSED and ARCHIVED resolve a finding; a failing or re-activated
 * finding that was resolved opens again; otherwise the workflow stays as it was.
 */
function nextWorkflow(stored: StoredFinding | undefined, incoming: StoredFinding): string {
  const previous = (stored?.['Workflow'] as { Status?: string } | undefined)?.Status ?? 'NEW';
  const compliance = (incoming['Compliance'] as { Status?: string } | undefined)?.Status;
  if (incoming['RecordState'] === 'ARCHIVED' || compliance === 'PASSED') return 'RESOLVED';
  return previous === 'RESOLVED' ? 'NEW' : previous;
}
/** AWS's cap on one BatchImportFindings request (the partner guide: "up to 6 MB per batch"). */
export const BATCH_IMPORT_MAX_BYTES = 6 * 1024 * 1024;

export function batchImportFindings(call: RestCall, faults: HubFaults): unknown {
  const hub = hubFor(call, faults);
  // The SDK sends the body as JSON.stringify of the input: re-serialising gives the request's size.
  const size = Buffer.byteLength(JSON.stringify(call.body));
  if (size > BATCH_IMPORT_MAX_BYTES) {
    throw new AwsError(
      'InvalidInputException',
      `The request is ${size} bytes, over the maximum of ${BATCH_IMPORT_MAX_BYTES} bytes (6 MB) per batch.`,
      400,
    );
  }
  const findings = call.body['Findings'];
  if (!Array.isArray(findings) || findings.length === 0 || findings.length > 100) {
    throw new AwsError('InvalidInputException', 'Findings must hold between 1 and 100 findings.', 400);
  }
  const failed: { Id: string; ErrorCode: string; ErrorMessage: string }[] = [];
  for (const raw of findings as unknown[]) {
    const rawId = typeof raw === 'object' && raw !== null ? (raw as { Id?: unknown }).Id : undefined;
    const id = typeof rawId === 'string' ? rawId : '';
    const problem = rejection(raw, call);
    if (problem) {
      failed.push({ Id: id, ErrorCode: problem.code, ErrorMessage: problem.message });
      continue;
    }
    if (faults.failedFindingsRate > 0 && faults.random() < faults.failedFindingsRate) {
      failed.push({
        Id: id,
        ErrorCode: 'InternalException',
        ErrorMessage: 'Internal service error (injected).',
      });
      continue;
    }
    const incoming = raw as StoredFinding;
    const stored = hub.findings.get(id);
    // AWS ignores an update whose UpdatedAt is not newer than the stored one.
    if (stored !== undefined && Date.parse(incoming.UpdatedAt) <= Date.parse(stored.UpdatedAt)) continue;
    const workflow = nextWorkflow(stored, incoming);
    hub.findings.set(id, {
      ...incoming,
      RecordState: incoming['RecordState'] ?? 'ACTIVE',
      Workflow: { Status: workflow },
      WorkflowState: workflow === 'RESOLVED' ? 'RESOLVED' : 'NEW',
    });
  }
  return {
    FailedCount: failed.length,
    SuccessCount: findings.length - failed.length,
    FailedFindings: failed,
  };
}

export function getFindings(call: RestCall, faults: HubFaults): unknown {
  const hub = hubFor(call, faults);
  const { max, token } = pageParams(call);
  const matches = findingFilters(call.body['Filters']);
  const sort = sortFindings(call.body['SortCriteria']);
  const all = sort([...hub.findings.values()].filter(matches));
  const { items, next } = tokenPage(all, token, max);
  return { Findings: items, ...(next ? { NextToken: next } : {}) };
}

/** MaxResults (1-100, default 100) and NextToken of a Security Hub list request. */
export function pageParams(call: RestCall): { max: number; token: string | undefined } {
  const check = new ParamCheck('InvalidInputException', 'InvalidInputException');
  const max = check.integer('maxResults', call.body['MaxResults'], 1, 100) ?? 100;
  const token = check.string('nextToken', call.body['NextToken'], 0, 10_000);
  check.done();
  return { max, token };
}

/** One page of a Security Hub list: NextToken is the opaque (base64url) index of the next item. */
export function tokenPage<T>(
  all: readonly T[],
  token: string | undefined,
  max: number,
): { items: T[]; next?: string } {
  const start = token === undefined || token === '' ? 0 : Number(Buffer.from(token, 'base64url').toString());
  if (!Number.isInteger(start) || start < 0 || start > all.length)
    throw new AwsError('InvalidInputException', 'Invalid NextToken.', 400);
  const next = start + max < all.length ? Buffer.from(String(start + max)).toString('base64url') : undefined;
  return { items: all.slice(start, start + max), ...(next ? { next } : {}) };
}
