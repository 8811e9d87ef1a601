/**
 * Role trust policies for AssumeRole: who may assume a role (the principal) and on what condition (the
 * ExternalId). Only what the simulated roles use is understood; anything else does not grant, so an
 * unexpected document fails closed, as an unmatched statement does at AWS.
 */

export interface AssumeRequest {
  /** `arn:aws:iam::<account>:user/<name>` or `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  callerArn: string;
  callerAccount: string;
  externalId: string | undefined;
}

const list = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function principalMatches(principal: unknown, request: AssumeRequest): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  return list((principal as { AWS?: unknown }).AWS).some((value) => {
    if (typeof value !== 'string') return false;
    if (value === '*') return true;
    if (value === request.callerAccount || value === `arn:aws:iam::${request.callerAccount}:root`)
      return true;
    if (value === request.callerArn) return true;
    // A role principal stands for every session of that role.
    const role = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(value);
    const session = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(request.callerArn);
    return role !== null && session !== null && role[1] === session[1] && role[2] === session[2];
  });
}

function actionMatches(action: unknown): boolean {
  return list(action).some((a) => typeof a === 'string' && /^(\*|sts:\*|sts:assumerole)$/i.test(a));
}

/** True when every condition holds; a condition the simulator does not know does not hold. */
function conditionHolds(condition: unknown, request: AssumeRequest): boolean {
  if (condition === undefined) return true;
  if (typeof condition !== 'object' || condition === null) return false;
  return Object.entries(condition as Record<string, unknown>).every(([operator, entries]) => {
    if (operator !== 'StringEquals' || typeof entries !== 'object' || entries === null) return false;
    return Object.entries(entries as Record<string, unknown>).every(
      ([key, values]) =>
        key.toLowerCase() === 'sts:externalid' &&
        request.externalId !== undefined &&
        list(values).includes(request.externalId),
    );
  });
}

/** Whether the trust policy lets this caller assume the role. */
export function trustAllows(policy: Record<string, unknown>, request: AssumeRequest): boolean {
  const statements = list(policy['Statement']).filter(
    (s): s is Record<string, unknown> => typeof s === 'object' && s !== null,
  );
  const applies = (s: Record<string, unknown>) =>
    actionMatches(s['Action']) &&
    principalMatches(s['Principal'], request) &&
    conditionHolds(s['Condition'], request);
  if (statements.some((s) => s['Effect'] === 'Deny' && applies(s))) return false;
  return statements.some((s) => s['Effect'] === 'Allow' && applies(s));
}
