/**
 * Who refused a key read (issue 16): the key's own policy (a locked key: a finding about that key) or the
 * member role (an IAM or SCP problem: one unit error, no per-key findings). Pure: decided only from what
 * the calls answered.
 *
 * The rule:
 * 1. A refusal whose message names the caller's side ("no identity-based policy allows", an explicit deny
 *    in a service control policy, permissions boundary or session policy) is the role's, whatever else
 *    the unit answered: IAM and SCPs apply to the role, not to one key.
 * 2. A refusal that names the key's side ("resource-based policy") is a locked key.
 * 3. A message that says neither is decided by evidence: if some key of the unit was readable
 *    (DescribeKey answered; AWS managed keys always do for a role that holds the IAM permission), the role
 *    has the permission and the key's policy locks it out; if no key was readable, the role is presumed at
 *    fault (one unit error, nothing archived: the conservative side).
 */

export type RefusalCause = 'key-policy' | 'member-role';

export interface KeyRefusal {
  keyId: string;
  /** The refused call, e.g. `kms:DescribeKey`. */
  call: string;
  code: string;
  message: string;
}

export interface RefusalClassification {
  cause: RefusalCause;
  /** Why, in one sentence, for the finding or the unit error. */
  why: string;
}

const ROLE_SIDE = /identity-based policy|service control policy|permissions boundary|session policy/i;
const KEY_SIDE = /resource-based policy|key policy/i;

export function isAccessDenied(code: string): boolean {
  return /AccessDenied/.test(code);
}

/** Classifies one refusal, given how many keys of the same unit answered the same call. */
export function classifyRefusal(refusal: KeyRefusal, readableKeys: number): RefusalClassification {
  if (ROLE_SIDE.test(refusal.message))
    return {
      cause: 'member-role',
      why: `the member role itself may not call ${refusal.call} (AWS says an identity-side policy refuses it)`,
    };
  if (KEY_SIDE.test(refusal.message))
    return {
      cause: 'key-policy',
      why: `the key's policy refuses the audit role ${refusal.call} (AWS names a resource-based policy)`,
    };
  if (readableKeys > 0)
    return {
      cause: 'key-policy',
      why:
        `the key's policy refuses the audit role ${refusal.call}: ${readableKeys} other ` +
        `key${readableKeys === 1 ? '' : 's'} of the same account and region answered it`,
    };
  return {
    cause: 'member-role',
    why: `no key of the account and region answered ${refusal.call}, so the member role is presumed to lack the permission`,
  };
}

/**
 * A refused per-key detail call (GetKeyRotationStatus, GetKeyPolicy) on a key that answered DescribeKey:
 * only an identity-side message makes it the role's; otherwise the key's policy refuses that one call
 * (the previous answer, AccessDenied as a fact about the key, stays the default).
 */
export function classifyDetailRefusal(refusal: KeyRefusal): RefusalClassification {
  if (ROLE_SIDE.test(refusal.message)) return classifyRefusal(refusal, 0);
  return {
    cause: 'key-policy',
    why: `the key's policy refuses the audit role ${refusal.call} (DescribeKey on the same key was answered)`,
  };
}
