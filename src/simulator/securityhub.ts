/** Security Hub (REST-JSON): DescribeHub, EnableSecurityHub, BatchImportFindings, GetFindings. */
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

const REQUIRED = [
  'SchemaVersion',
  'Id',
  'ProductArn',
  'GeneratorId',
  'AwsAccountId',
  'Types',
  'CreatedAt',
  'UpdatedAt',
  'Severity',
  'Title',
  'Description',
  'Resources',
];
const LIMITS: [string, number][] = [
  ['Title', 256],
  ['Description', 1024],
  ['Id', 512],
  ['GeneratorId', 512],
];

function hubFor(call: RestCall, faults: HubFaults) {
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
function rejection(
  finding: Record<string, unknown>,
  call: RestCall,
): { code: string; message: string } | undefined {
  for (const field of REQUIRED) {
    const value = finding[field];
    if (
      value === undefined ||
      value === null ||
      value === '' ||
      (Array.isArray(value) && value.length === 0)
    ) {
      return {
        code: 'InvalidInput',
        message: `Finding does not adhere to Amazon Finding Format. data.${field} is required.`,
      };
    }
  }
  for (const [field, max] of LIMITS) {
    if (String(finding[field]).length > max) {
      return {
        code: 'InvalidInput',
        message: `Finding does not adhere to Amazon Finding Format. data.${field} should NOT be longer than ${max} characters.`,
      };
    }
  }
  if (Buffer.byteLength(JSON.stringify(finding)) > 240 * 1024) {
    return { code: 'FindingSizeExceeded', message: 'Finding size exceeded the maximum of 240 KB.' };
  }
  const expectedArn = `arn:aws:securityhub:${call.region}:${call.caller.accountId}:product/${call.caller.accountId}/default`;
  const arn = String(finding['ProductArn']);
  if (!/^arn:aws[a-z-]*:securityhub:[a-z0-9-]+:\d{12}:product\/[\w.-]+\/[\w.-]+$/.test(arn)) {
    return { code: 'InvalidInput', message: 'Invalid ProductArn.' };
  }
  if (arn !== expectedArn) {
    return {
      code: 'AccessDeniedException',
      message: `Product ${arn} is not enabled for account ${call.caller.accountId} in ${call.region}.`,
    };
  }
  if (finding['AwsAccountId'] !== call.caller.accountId) {
    return {
      code: 'AccessDeniedException',
      message: 'AwsAccountId must be the calling account when the default product ARN is used.',
    };
  }
  return undefined;
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
  for (const raw of findings as Record<string, unknown>[]) {
    const id = String(raw['Id'] ?? '');
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
    const previousStatus = (stored?.['Workflow'] as { Status?: string } | undefined)?.Status ?? 'NEW';
    const compliance = (incoming['Compliance'] as { Status?: string } | undefined)?.Status;
    // Security Hub manages the workflow: PASSED resolves a finding, FAILED reopens a resolved one.
    const workflow =
      compliance === 'PASSED' ? 'RESOLVED' : previousStatus === 'RESOLVED' ? 'NEW' : previousStatus;
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

type StringFilter = { Value?: string; Comparison?: string };

const FILTER_FIELDS: Record<string, (f: StoredFinding) => string | undefined> = {
  Id: (f) => f.Id,
  ProductArn: (f) => f['ProductArn'] as string,
  GeneratorId: (f) => f['GeneratorId'] as string,
  AwsAccountId: (f) => f['AwsAccountId'] as string,
  RecordState: (f) => f['RecordState'] as string,
  ComplianceStatus: (f) => (f['Compliance'] as { Status?: string } | undefined)?.Status,
  ComplianceSecurityControlId: (f) =>
    (f['Compliance'] as { SecurityControlId?: string } | undefined)?.SecurityControlId,
  ProductName: (f) => f['ProductName'] as string,
  Region: (f) => f['Region'] as string,
  WorkflowStatus: (f) => (f['Workflow'] as { Status?: string } | undefined)?.Status,
};

function matches(finding: StoredFinding, filters: Record<string, unknown>): boolean {
  for (const [field, conditions] of Object.entries(filters)) {
    const read = FILTER_FIELDS[field];
    if (read === undefined)
      throw new AwsError('InvalidInputException', `Unsupported filter ${field} (simulator).`, 400);
    const value = read(finding) ?? '';
    const list = conditions as StringFilter[];
    const positive = list.filter(
      (c) => c.Comparison !== 'NOT_EQUALS' && c.Comparison !== 'PREFIX_NOT_EQUALS',
    );
    const negative = list.filter(
      (c) => c.Comparison === 'NOT_EQUALS' || c.Comparison === 'PREFIX_NOT_EQUALS',
    );
    const hit = (c: StringFilter) =>
      c.Comparison === 'PREFIX' || c.Comparison === 'PREFIX_NOT_EQUALS'
        ? value.startsWith(c.Value ?? '')
        : value === c.Value;
    // Within a field: any positive condition (OR), and none of the negative ones.
    if (positive.length > 0 && !positive.some(hit)) return false;
    if (negative.some(hit)) return false;
  }
  return true;
}

export function getFindings(call: RestCall, faults: HubFaults): unknown {
  const hub = hubFor(call, faults);
  const filters = (call.body['Filters'] as Record<string, unknown> | undefined) ?? {};
  const max = Number(call.body['MaxResults'] ?? 100);
  if (!Number.isInteger(max) || max < 1 || max > 100)
    throw new AwsError('InvalidInputException', 'MaxResults must be 1-100.', 400);
  const token = call.body['NextToken'];
  const start =
    token === undefined || token === '' ? 0 : Number(Buffer.from(String(token), 'base64url').toString());
  if (!Number.isInteger(start) || start < 0)
    throw new AwsError('InvalidInputException', 'Invalid NextToken.', 400);
  const all = [...hub.findings.values()]
    .filter((f) => matches(f, filters))
    .sort((a, b) => a.Id.localeCompare(b.Id));
  const slice = all.slice(start, start + max);
  const next = start + max < all.length ? Buffer.from(String(start + max)).toString('base64url') : undefined;
  return { Findings: slice, ...(next ? { NextToken: next } : {}) };
}
