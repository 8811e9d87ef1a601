/** KMS.5 rule 2: does a key policy statement's principal mean everyone? */
import type { PolicyError } from '../types.js';

export type GranteeResult =
  | {
      ok: true;
      /** How the statement names everyone, or undefined when it names specific principals. */ everyone?: string;
    }
  | { ok: false; error: PolicyError };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `"*"`, or an object whose members (AWS, Service, ...) are a string or a non-empty list of strings. */
function principalValues(
  value: unknown,
  field: string,
  index: number,
): { ok: true; wildcard: boolean; members: Map<string, string[]> } | { ok: false; error: PolicyError } {
  const invalid = (message: string) => ({
    ok: false as const,
    error: { code: 'INVALID_STATEMENT' as const, message, statement: index },
  });
  if (value === '*') return { ok: true, wildcard: true, members: new Map() };
  if (!isPlainObject(value)) return invalid(`${field} must be "*" or an object of principals`);
  const members = new Map<string, string[]>();
  for (const [member, raw] of Object.entries(value)) {
    const list = typeof raw === 'string' ? [raw] : raw;
    if (!Array.isArray(list) || list.length === 0 || list.some((item) => typeof item !== 'string')) {
      return invalid(`${field}.${member} must be a string or a non-empty list of strings`);
    }
    members.set(member, list as string[]);
  }
  if (members.size === 0) return invalid(`${field} names no principal`);
  return { ok: true, wildcard: false, members };
}

/**
 * Everyone means: `Principal: "*"`, an `AWS` value that is `"*"` or holds `*` or `?`, or any NotPrincipal
 * (an Allow with NotPrincipal grants everyone not listed; a Deny with it denies everyone not listed).
 * Service, Federated and CanonicalUser principals name callers AWS vouches for, so they never do alone.
 */
export function statementGrantee(principal: unknown, notPrincipal: unknown, index: number): GranteeResult {
  const hasPrincipal = principal !== undefined;
  const hasNotPrincipal = notPrincipal !== undefined;
  if (hasPrincipal && hasNotPrincipal) {
    return {
      ok: false,
      error: {
        code: 'INVALID_STATEMENT',
        message: 'statement has both Principal and NotPrincipal',
        statement: index,
      },
    };
  }
  if (!hasPrincipal && !hasNotPrincipal) {
    // KMS rejects such a key policy; deciding it either way would be a guess.
    return {
      ok: false,
      error: {
        code: 'INVALID_STATEMENT',
        message: 'statement has neither Principal nor NotPrincipal (every key policy statement needs one)',
        statement: index,
      },
    };
  }
  const field = hasPrincipal ? 'Principal' : 'NotPrincipal';
  const values = principalValues(hasPrincipal ? principal : notPrincipal, field, index);
  if (!values.ok) return values;
  if (hasNotPrincipal) return { ok: true, everyone: 'NotPrincipal (everyone not listed)' };
  if (values.wildcard) return { ok: true, everyone: 'Principal "*"' };
  // Stryker disable next-line ArrayDeclaration: the mutant's "Stryker was here" holds no * or ?, so it grants no one, as [] does
  for (const value of values.members.get('AWS') ?? []) {
    if (value === '*') return { ok: true, everyone: 'AWS principal "*"' };
    if (/[*?]/.test(value))
      return { ok: true, everyone: `AWS principal ${JSON.stringify(value)} holds a wildcard` };
  }
  return { ok: true };
}
