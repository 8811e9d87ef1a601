/**
 * KMS.2's `excludeRoleByManagementAccount` ("Exclude a role if it is only assumable by organization
 * management account"): decided from the role's trust policy. A role is excluded only when we can show
 * that every Allow statement trusts nothing but the management account; any doubt keeps it in scope.
 */
import type { PolicyDocumentInput } from '../model/snapshot.js';
import { describeDuplicates, duplicateMembersOf, parsePolicyDocument } from '../policy/index.js';

export interface TrustDecision {
  onlyManagementAccount: boolean;
  /** Why not, when it is not (for evidence). */
  why?: string;
}

const no = (why: string): TrustDecision => ({ onlyManagementAccount: false, why });

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** The account id itself, its root ARN, or any IAM ARN (user, role...) of that account. */
function isManagementPrincipal(value: string, managementAccountId: string, partition: string): boolean {
  if (value === managementAccountId) return true;
  const iamArn = new RegExp(
    `^arn:${escapeRegExp(partition)}:iam::${escapeRegExp(managementAccountId)}:(root|[A-Za-z-]+/.+)$`,
  );
  return iamArn.test(value) && !value.includes('*') && !value.includes('?');
}

/** Checks one statement's Principal; returns the reason it is not only the management account. */
function principalProblem(
  principal: unknown,
  managementAccountId: string,
  partition: string,
): string | undefined {
  if (principal === undefined) return 'an Allow statement has no Principal';
  if (typeof principal === 'string') return `an Allow statement trusts ${JSON.stringify(principal)}`;
  if (typeof principal !== 'object' || principal === null || Array.isArray(principal)) {
    return 'an Allow statement has a Principal that is not an object';
  }
  const entries = Object.entries(principal);
  if (entries.length === 0) return 'an Allow statement has an empty Principal';
  for (const [kind, value] of entries) {
    // Service, Federated and CanonicalUser principals are not the management account.
    if (kind !== 'AWS') return `an Allow statement trusts a ${kind} principal`;
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (values.length === 0) return 'an Allow statement has an empty AWS principal list';
    for (const item of values) {
      if (typeof item !== 'string' || !isManagementPrincipal(item, managementAccountId, partition)) {
        return `an Allow statement trusts ${JSON.stringify(item)}, which is not the management account`;
      }
    }
  }
  return undefined;
}

export function isAssumableOnlyByManagementAccount(
  trustPolicy: PolicyDocumentInput | undefined,
  managementAccountId: string,
  partition: string,
): TrustDecision {
  if (trustPolicy === undefined) return no('the trust policy was not collected');
  const parsed = parsePolicyDocument(trustPolicy, { requireResource: false });
  if (!parsed.ok) return no(`the trust policy could not be parsed: ${parsed.error.message}`);
  // Readers resolve duplicated members differently: that doubt keeps the role in scope.
  const duplicates = duplicateMembersOf(trustPolicy);
  if (duplicates.length > 0)
    return no(`the trust policy has duplicate keys (${describeDuplicates(duplicates)})`);
  const allows = parsed.policy.statements.filter((statement) => statement.effect === 'Allow');
  if (allows.length === 0) return no('the trust policy has no Allow statement');
  for (const statement of allows) {
    // NotPrincipal in an Allow trusts everyone but the listed principals.
    if (statement.notPrincipal !== undefined) return no('an Allow statement uses NotPrincipal');
    const problem = principalProblem(statement.principal, managementAccountId, partition);
    if (problem !== undefined) return no(problem);
  }
  return { onlyManagementAccount: true };
}
