/**
 * Shared parameter resolution from loose input (config file, API body, CLI flags): each control module
 * declares its parameters and reads them with a Reader. Resolution reports every problem at once instead
 * of guessing: a typo in a blocked action pattern would otherwise silently weaken a control.
 */
import { expandActionPatterns, splitActionPatterns } from '../policy/index.js';
import type { ControlId } from '../model/result.js';

export const DEFAULT_BLOCKED_ACTIONS_PATTERNS: readonly string[] = ['kms:ReEncryptFrom', 'kms:Decrypt'];

export interface ParameterError {
  controlId: ControlId;
  parameter: string;
  message: string;
}

export type ParamResult<P> = { ok: true; params: P } | { ok: false; errors: ParameterError[] };

/** What resolution needs from outside: the KMS action list (config/kms-actions.yaml, as `kms:Name`). */
export interface ParamEnvironment {
  knownKmsActions: readonly string[];
}

type RawParams = Record<string, unknown>;

/** Collects errors for one control while its parameters are read. */
export class Reader {
  readonly errors: ParameterError[] = [];
  readonly raw: RawParams;

  constructor(
    readonly controlId: ControlId,
    input: unknown,
    known: readonly string[],
  ) {
    this.raw = {};
    if (input === undefined || input === null) return;
    if (typeof input !== 'object' || Array.isArray(input)) {
      this.fail('(parameters)', `parameters must be an object of name -> value, got ${describe(input)}`);
      return;
    }
    this.raw = input as RawParams;
    for (const name of Object.keys(this.raw)) {
      if (!known.includes(name)) {
        this.fail(name, `unknown parameter for ${controlId}; known parameters: ${known.join(', ')}`);
      }
    }
  }

  fail(parameter: string, message: string): void {
    this.errors.push({ controlId: this.controlId, parameter, message });
  }

  /** Absent, null and '' all mean "use the default", as an empty Config rule parameter does. */
  value(name: string): unknown {
    const value = this.raw[name];
    return value === null || value === '' ? undefined : value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.value(name);
    if (value === undefined) return fallback;
    if (typeof value === 'boolean') return value;
    // Config rule parameters are strings: accept "true"/"false" in any case.
    if (typeof value === 'string') {
      const lowered = value.trim().toLowerCase();
      if (lowered === 'true') return true;
      if (lowered === 'false') return false;
    }
    this.fail(name, `must be true or false, got ${describe(value)}`);
    return fallback;
  }

  /** A list of strings, or one comma-separated string. */
  stringList(name: string, fallback: readonly string[]): string[] {
    const value = this.value(name);
    if (value === undefined) return [...fallback];
    if (typeof value === 'string') return splitActionPatterns(value);
    if (Array.isArray(value) && value.every((item): item is string => typeof item === 'string')) {
      return splitActionPatterns(value);
    }
    this.fail(name, `must be a list of strings or a comma-separated string, got ${describe(value)}`);
    return [...fallback];
  }

  integer(name: string, min: number, max: number): number | undefined {
    const value = this.value(name);
    if (value === undefined) return undefined;
    const number = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
    if (!isInteger(number)) {
      this.fail(name, `must be an integer, got ${describe(value)}`);
      return undefined;
    }
    if (number < min || number > max) {
      this.fail(name, `must be between ${min} and ${max}, got ${number}`);
      return undefined;
    }
    return number;
  }

  /** Blocked action patterns, expanded; a pattern that matches no known KMS action is an error. */
  blockedActions(env: ParamEnvironment): { patterns: string[]; actions: string[] } {
    const name = 'blockedActionsPatterns';
    const patterns = this.stringList(name, DEFAULT_BLOCKED_ACTIONS_PATTERNS);
    // An empty list expands to no action and no unmatched pattern: this is then the only error.
    if (patterns.length === 0)
      this.fail(name, 'must hold at least one KMS action pattern (e.g. kms:Decrypt)');
    const expanded = expandActionPatterns(patterns, env.knownKmsActions);
    if (expanded.unmatched.length > 0) {
      const list = expanded.unmatched.map((pattern) => `'${pattern}'`).join(', ');
      this.fail(
        name,
        `${list} ${expanded.unmatched.length === 1 ? 'matches' : 'match'} no known KMS action ` +
          '(write them as kms:ActionName, e.g. kms:Decrypt or kms:ReEncrypt*)',
      );
    }
    return { patterns, actions: expanded.actions };
  }

  result<P>(params: P): ParamResult<P> {
    return this.errors.length > 0 ? { ok: false, errors: this.errors } : { ok: true, params };
  }
}

/** Number.isInteger as a type guard: false for anything that is not a number. */
function isInteger(value: unknown): value is number {
  return Number.isInteger(value);
}

function describe(value: unknown): string {
  // Stryker disable next-line ConditionalExpression,StringLiteral: never given null (a null object or value reads as not set).
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** One line per error, e.g. for a CLI message or an HTTP 400 body. */
export function formatParameterErrors(errors: readonly ParameterError[]): string {
  return errors.map((error) => `${error.controlId} ${error.parameter}: ${error.message}`).join('\n');
}
