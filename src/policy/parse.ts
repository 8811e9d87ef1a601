import type { PolicyError } from './types.js';

export interface ParsedStatement {
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** Exactly one of actions / notActions is set. */
  actions?: string[];
  notActions?: string[];
  /** Exactly one of resources / notResources is set (absent both for trust policies, which use Principal). */
  resources?: string[];
  notResources?: string[];
  principal?: unknown;
  notPrincipal?: unknown;
  hasCondition: boolean;
}

export interface ParsedPolicy {
  version: string;
  statements: ParsedStatement[];
}

export type ParseResult = { ok: true; policy: ParsedPolicy } | { ok: false; error: PolicyError };

/** STUB: replaced by the real parser. */
export function parsePolicyDocument(_input: unknown, _options?: { requireResource?: boolean }): ParseResult {
  return { ok: false, error: { code: 'INVALID_DOCUMENT', message: 'not implemented yet' } };
}
