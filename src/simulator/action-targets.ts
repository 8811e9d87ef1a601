/**
 * Security Hub custom actions (REST-JSON): CreateActionTarget, DescribeActionTargets, DeleteActionTarget,
 * and the "Security Hub Findings - Custom Action" event a console user's choice sends to EventBridge.
 */
import { randomUUID } from 'node:crypto';
import { ParamCheck } from './params.js';
import { AwsError } from './protocol.js';
import { type HubFaults, hubFor, pageParams, type RestCall, tokenPage } from './securityhub.js';
import type { SimActionTarget, SimHub, SimState, StoredFinding } from './state.js';

/** Security Hub's quota of custom actions per account and region. */
const MAX_ACTION_TARGETS = 50;
const ACTION_ID = /^[A-Za-z0-9]{1,20}$/;

const targetsOf = (hub: SimHub): Map<string, SimActionTarget> => (hub.actionTargets ??= new Map());

const notFound = (arn: string) =>
  new AwsError('ResourceNotFoundException', `ActionTarget ${arn} not found.`, 404);

export function createActionTarget(call: RestCall, faults: HubFaults): unknown {
  const hub = hubFor(call, faults);
  const check = new ParamCheck('InvalidInputException', 'InvalidInputException');
  const name = check.string('name', call.body['Name'], 1, 20, undefined, true);
  const description = check.string('description', call.body['Description'], 1, 256, undefined, true);
  const id = check.string('id', call.body['Id'], 1, 20, ACTION_ID, true);
  check.done();
  const targets = targetsOf(hub);
  const arn = `arn:aws:securityhub:${call.region}:${call.caller.accountId}:action/custom/${id!}`;
  if (targets.has(arn))
    throw new AwsError('ResourceConflictException', `ActionTarget ${arn} already exists.`, 409);
  if (targets.size >= MAX_ACTION_TARGETS)
    throw new AwsError(
      'LimitExceededException',
      `You can create at most ${MAX_ACTION_TARGETS} custom actions.`,
      429,
    );
  targets.set(arn, { name: name!, description: description! });
  return { ActionTargetArn: arn };
}

export function describeActionTargets(call: RestCall, faults: HubFaults): unknown {
  const hub = hubFor(call, faults);
  const { max, token } = pageParams(call);
  const wanted = call.body['ActionTargetArns'];
  if (wanted !== undefined && (!Array.isArray(wanted) || wanted.some((a) => typeof a !== 'string')))
    throw new AwsError('InvalidInputException', 'ActionTargetArns must be a list of strings.', 400);
  const targets = targetsOf(hub);
  const arns = wanted === undefined || wanted.length === 0 ? [...targets.keys()] : (wanted as string[]);
  for (const arn of arns) if (!targets.has(arn)) throw notFound(arn);
  const { items, next } = tokenPage(arns, token, max);
  const page = items.map((arn) => ({
    ActionTargetArn: arn,
    Name: targets.get(arn)!.name,
    Description: targets.get(arn)!.description,
  }));
  return { ActionTargets: page, ...(next ? { NextToken: next } : {}) };
}

export function deleteActionTarget(call: RestCall, faults: HubFaults, arn: string): unknown {
  const targets = targetsOf(hubFor(call, faults));
  if (!targets.delete(arn)) throw notFound(arn);
  return { ActionTargetArn: arn };
}

/** A finding the console user selected: where it lives and its Id. */
export interface FindingRef {
  accountId: string;
  region: string;
  id: string;
}

export interface FireCustomAction {
  /** The account and region where the action target exists (the administrator account's Security Hub). */
  accountId: string;
  region: string;
  actionTargetArn: string;
  findings: FindingRef[];
  /** One event per finding instead of one event for all (AWS sends an array; both must be accepted). */
  onePerFinding?: boolean;
}

/**
 * The "Security Hub Findings - Custom Action" events for a console user's choice: the full ASFF of the
 * chosen findings (from the member accounts' Security Hubs, as the administrator's aggregated view shows
 * them). Throws when the action or a finding does not exist.
 */
export function customActionEvents(state: SimState, fire: FireCustomAction): Record<string, unknown>[] {
  const account = state.account(fire.accountId);
  if (account === undefined) throw new Error(`fireCustomAction: unknown account ${fire.accountId}`);
  const target = state.hub(fire.accountId, fire.region).actionTargets?.get(fire.actionTargetArn);
  if (target === undefined)
    throw new Error(
      `fireCustomAction: no action target ${fire.actionTargetArn} in ${fire.accountId}/${fire.region}`,
    );
  if (fire.findings.length === 0) throw new Error('fireCustomAction: choose at least one finding');
  const findings: StoredFinding[] = fire.findings.map((ref) => {
    const finding =
      state.account(ref.accountId) === undefined
        ? undefined
        : state.hub(ref.accountId, ref.region).findings.get(ref.id);
    if (finding === undefined)
      throw new Error(`fireCustomAction: no finding ${ref.id} in ${ref.accountId}/${ref.region}`);
    return structuredClone(finding);
  });
  const event = (chosen: StoredFinding[]) => ({
    version: '0',
    id: randomUUID(),
    'detail-type': 'Security Hub Findings - Custom Action',
    source: 'aws.securityhub',
    account: fire.accountId,
    time: `${new Date().toISOString().slice(0, 19)}Z`,
    region: fire.region,
    resources: [fire.actionTargetArn],
    detail: { actionName: target.name, actionDescription: target.description, findings: chosen },
  });
  return fire.onePerFinding ? findings.map((f) => event([f])) : [event(findings)];
}
