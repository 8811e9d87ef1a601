/**
 * Decides one found key policy offline, as the key-policy control would in an account. A value known only
 * at deploy time is UNKNOWN (never PASSED): who a key policy opens to can hang on any of its values.
 */
import { evaluateKeyPolicyPublicAccess } from '../policy/key-policy/index.js';
import type { PolicyResult } from './evaluate.js';
import type { FoundPolicy } from './extract.js';
import type { Position } from './source.js';
import type { UnknownValue } from './unknowns.js';
import { isUnknown } from './unknowns.js';
import { resultBase, unknownReports } from './result-base.js';

export interface KeyPolicyCheckOptions {
  kmsActions: readonly string[];
  restrictingKeys: readonly string[];
  locate: (value: unknown) => Position | undefined;
}

/** Every value known only at deploy time, anywhere in the document (principals and conditions decide too). */
function unknownsIn(value: unknown, path: string, found: UnknownValue[] = []): UnknownValue[] {
  if (isUnknown(value)) found.push({ path: path || '(the whole policy document)', value });
  else if (Array.isArray(value)) value.forEach((item, i) => unknownsIn(item, `${path}[${i}]`, found));
  else if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value)) unknownsIn(item, path ? `${path}.${key}` : key, found);
  return found;
}

export function evaluateKeyPolicy(
  file: string,
  found: FoundPolicy,
  options: KeyPolicyCheckOptions,
): PolicyResult {
  const base = { ...resultBase(file, found, options.locate), actions: [] };
  const unknowns = unknownReports(unknownsIn(found.document, ''), options.locate);
  if (unknowns.length > 0) {
    return {
      ...base,
      verdict: 'UNKNOWN',
      unknowns,
      explanation:
        'UNKNOWN: the key policy holds values known only at deploy time; check the deployed key policy with a scan.',
    };
  }
  const result = evaluateKeyPolicyPublicAccess(found.document, {
    kmsActions: options.kmsActions,
    restrictingKeys: options.restrictingKeys,
  });
  return {
    ...base,
    verdict: result.verdict,
    unknowns,
    explanation: result.reason,
    publicStatements: result.publicStatements,
    ...(result.error ? { error: result.error } : {}),
  };
}
