/** KMS.1 as a module: customer managed policies' default versions, decided by the policy engine. */
import type { IamSnapshot } from '../model/snapshot.js';
import type { PolicyAnalysisLookup } from './context.js';
import { defaultVersionOf, evaluateKms1, isInKms1Scope } from './kms1.js';
import type { ControlContext } from './module.js';
import { collected, defineControl } from './module.js';
import type { ParamEnvironment, ParamResult } from './params.js';
import { Reader } from './params.js';

export interface Kms1Params {
  /** The patterns as configured (kept for reporting). */
  blockedActionsPatterns: string[];
  /** The patterns expanded against the known KMS actions, sorted; what the evaluator checks. */
  blockedActions: string[];
  excludePermissionBoundaryPolicy: boolean;
  /**
   * AWS's literal exemption: skip a boundary policy even when it is also attached as a permissions policy
   * (where it really grants). Off by default: only boundary-only policies are skipped (issue 16).
   */
  exemptBoundaryPoliciesEvenIfAttached: boolean;
}

const PARAMETERS = [
  'blockedActionsPatterns',
  'excludePermissionBoundaryPolicy',
  'exemptBoundaryPoliciesEvenIfAttached',
] as const;

export function resolveKms1Params(input: unknown, env: ParamEnvironment): ParamResult<Kms1Params> {
  const reader = new Reader('KMS.1', input, PARAMETERS);
  const { patterns, actions } = reader.blockedActions(env);
  const excludePermissionBoundaryPolicy = reader.boolean('excludePermissionBoundaryPolicy', true);
  const exemptBoundaryPoliciesEvenIfAttached = reader.boolean('exemptBoundaryPoliciesEvenIfAttached', false);
  return reader.result({
    blockedActionsPatterns: patterns,
    blockedActions: actions,
    excludePermissionBoundaryPolicy,
    exemptBoundaryPoliciesEvenIfAttached,
  });
}

/** The analyses of the documents KMS.1 reads, made ahead (off the event loop) when the scan offers it. */
async function analyses(
  snapshot: IamSnapshot,
  params: Kms1Params,
  context: ControlContext,
): Promise<PolicyAnalysisLookup | undefined> {
  if (context.analyzePolicies === undefined) return undefined;
  const documents = snapshot.managedPolicies
    .filter((policy) => isInKms1Scope(policy, params))
    .flatMap((policy) => defaultVersionOf(policy)?.document ?? []);
  return context.analyzePolicies(documents, params.blockedActions, snapshot.partition);
}

export const kms1Module = defineControl({
  id: 'KMS.1',
  runsIn: 'home-region',
  needs: ['iam:authorization-details'],
  changeEvents: [
    'CreatePolicy',
    'CreatePolicyVersion',
    'SetDefaultPolicyVersion',
    'DeletePolicyVersion',
    'DeletePolicy',
    // Boundary use decides excludePermissionBoundaryPolicy.
    'PutRolePermissionsBoundary',
    'PutUserPermissionsBoundary',
    'DeleteRolePermissionsBoundary',
    'DeleteUserPermissionsBoundary',
  ],
  // A scan reads every policy at once; a change re-reads one policy and its default version.
  awsActions: ['iam:GetAccountAuthorizationDetails', 'iam:GetPolicy', 'iam:GetPolicyVersion'],
  parameters: { names: PARAMETERS, resolve: resolveKms1Params },
  checksDocuments: 'identity-policy:managed',
  async evaluate(collection, params: Kms1Params, context) {
    const snapshot = collected(collection.iam, 'iam:authorization-details', 'KMS.1');
    const lookup = await analyses(snapshot, params, context);
    return evaluateKms1(snapshot, params, {
      region: context.region,
      ...(lookup ? { analyses: lookup } : {}),
    });
  },
});
