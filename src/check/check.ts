/** One input's text to its policies' results: parse, find the policies, decide each. Pure. */
import type { PolicyResult } from './evaluate.js';
import { evaluatePolicy } from './evaluate.js';
import type { InputKind } from './extract.js';
import type { ControlId } from '../catalog/control-ids.js';
import { extractKeyPolicies, extractPolicies } from './extract.js';
import { evaluateKeyPolicy } from './key-policy.js';
import type { Position } from './source.js';
import { parseSource } from './source.js';

/** An input that could not be read or understood; the run goes on with the others. */
export interface InputError {
  file: string;
  message: string;
  position?: Position;
}

export interface InputResult {
  file: string;
  kind: InputKind;
  results: PolicyResult[];
  errors: InputError[];
}

export interface CheckOptions {
  blockedActions: readonly string[];
  partition: string;
  /** The control a bare identity policy document is reported as (default: the managed policies'). */
  bareAs?: ControlId;
  /** Check key policies instead of identity policies, as this control would. */
  keyPolicies?: { control: ControlId; kmsActions: readonly string[]; restrictingKeys: readonly string[] };
}

export function checkText(file: string, text: string, options: CheckOptions): InputResult {
  const parsed = parseSource(text);
  if (!parsed.ok) {
    return {
      file,
      kind: 'other',
      results: [],
      errors: [{ file, message: parsed.message, position: parsed.position }],
    };
  }
  const keyPolicies = options.keyPolicies;
  const extracted = keyPolicies
    ? extractKeyPolicies(parsed.value, parsed.positionOf, keyPolicies.control)
    : extractPolicies(parsed.value, parsed.positionOf, options.bareAs);
  return {
    file,
    kind: extracted.kind,
    results: extracted.policies.map((found) =>
      keyPolicies
        ? evaluateKeyPolicy(file, found, { ...keyPolicies, locate: parsed.positionOf })
        : evaluatePolicy(file, found, { ...options, locate: parsed.positionOf }),
    ),
    errors: extracted.problems.map((p) => ({ file, ...p })),
  };
}

/** One exit code for the run: 2 if any input is invalid or undecided, else 1 if any FAILED, else 0. */
export function exitCodeOf(inputs: readonly InputResult[], otherErrors = 0): 0 | 1 | 2 {
  const results = inputs.flatMap((i) => i.results);
  if (otherErrors > 0 || inputs.some((i) => i.errors.length > 0)) return 2;
  if (results.some((r) => r.verdict === 'NOT_AVAILABLE' || r.verdict === 'UNKNOWN')) return 2;
  return results.some((r) => r.verdict === 'FAILED') ? 1 : 0;
}
