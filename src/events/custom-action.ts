/**
 * The Security Hub custom action "Re-check (keywarden)": a console user selects findings, chooses it, and
 * Security Hub sends a "Security Hub Findings - Custom Action" event that reaches keywarden's queue
 * (docker/events-member-stackset.yaml forwards the action's events). Created idempotently: an existing
 * action with our id is kept, and a create that loses a race (ResourceConflictException) is success.
 */
import {
  type ActionTargets,
  type SecurityHubClient,
  securityHubActionTargets,
} from '../aws/action-targets.js';

export interface CustomAction {
  /** Security Hub's Id: up to 20 letters and digits; the ARN ends with `action/custom/<id>`. */
  id: string;
  /** Up to 20 characters, shown in the console's Actions menu. */
  name: string;
  description: string;
}

export const KEYWARDEN_CUSTOM_ACTION: CustomAction = {
  id: 'KeywardenRecheck',
  name: 'Re-check (keywarden)',
  description: 'Re-evaluate the selected keywarden findings now, without waiting for the next scan',
};

const ARN_SUFFIX = (id: string) => `:action/custom/${id}`;

/** The action's ARN, creating it first when the account has none with this id in this region. */
export async function ensureActionTarget(
  targets: ActionTargets,
  action: CustomAction = KEYWARDEN_CUSTOM_ACTION,
  signal?: AbortSignal,
): Promise<string> {
  const find = async () => (await targets.list(signal)).find((t) => t.arn.endsWith(ARN_SUFFIX(action.id)));
  const existing = await find();
  if (existing) return existing.arn;
  const created = await targets.create(action, signal);
  if (created !== 'conflict') return created.arn;
  // Someone created it between our list and our create: it exists now.
  const raced = await find();
  if (raced === undefined)
    throw new Error(`custom action ${action.id}: Security Hub reports a conflict but does not list it`);
  return raced.arn;
}

/**
 * Creates (or finds) keywarden's custom action in the client's region of the security account and returns
 * its ARN. Security Hub not enabled there fails with its own error (InvalidAccessException).
 */
export function ensureCustomAction(
  client: SecurityHubClient,
  options: { action?: CustomAction; signal?: AbortSignal } = {},
): Promise<string> {
  return ensureActionTarget(securityHubActionTargets(client), options.action, options.signal);
}
