/** KMS.2 as a module: the inline policies of users, groups and roles, decided by the policy engine. */
import { evaluateKms2 } from './kms2.js';
import { collected, defineControl } from './module.js';
import type { ParamEnvironment, ParamResult } from './params.js';
import { Reader } from './params.js';

export interface Kms2Params {
  blockedActionsPatterns: string[];
  blockedActions: string[];
  excludeRoleByManagementAccount: boolean;
}

const PARAMETERS = ['blockedActionsPatterns', 'excludeRoleByManagementAccount'] as const;

export function resolveKms2Params(input: unknown, env: ParamEnvironment): ParamResult<Kms2Params> {
  const reader = new Reader('KMS.2', input, PARAMETERS);
  const { patterns, actions } = reader.blockedActions(env);
  const excludeRoleByManagementAccount = reader.boolean('excludeRoleByManagementAccount', false);
  return reader.result({
    blockedActionsPatterns: patterns,
    blockedActions: actions,
    excludeRoleByManagementAccount,
  });
}

export const kms2Module = defineControl({
  id: 'KMS.2',
  runsIn: 'home-region',
  needs: ['iam:authorization-details'],
  changeEvents: [
    'PutRolePolicy',
    'DeleteRolePolicy',
    'PutUserPolicy',
    'DeleteUserPolicy',
    'PutGroupPolicy',
    'DeleteGroupPolicy',
    'DeleteRole',
    'DeleteUser',
    'DeleteGroup',
  ],
  // A scan reads every identity at once; a change re-reads one identity and its inline policies.
  awsActions: [
    'iam:GetAccountAuthorizationDetails',
    ...['User', 'Group', 'Role'].flatMap((kind) => [
      `iam:Get${kind}`,
      `iam:List${kind}Policies`,
      `iam:Get${kind}Policy`,
    ]),
  ],
  parameters: { names: PARAMETERS, resolve: resolveKms2Params },
  checksDocuments: 'identity-policy:inline',
  async evaluate(collection, params: Kms2Params, context) {
    const snapshot = collected(collection.iam, 'iam:authorization-details', 'KMS.2');
    const documents = snapshot.identities.flatMap((identity) =>
      identity.inlinePolicies.map((policy) => policy.document),
    );
    const lookup = await context.analyzePolicies?.(documents, params.blockedActions, snapshot.partition);
    return evaluateKms2(snapshot, params, {
      region: context.region,
      ...(lookup ? { analyses: lookup } : {}),
    });
  },
});
