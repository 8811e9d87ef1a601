/**
 * The controls' parameters: their resolved shapes, defaults (as on the AWS Security Hub page, see
 * SEMANTICS.md) and resolution from loose input (config file, API body, CLI flags).
 * Resolution reports every problem at once instead of guessing: a typo in a blocked action pattern
 * would otherwise silently weaken KMS.1/KMS.2.
 */
import { expandActionPatterns, splitActionPatterns } from '../policy/index.js';
import type { ControlId } from '../model/result.js';

export const DEFAULT_BLOCKED_ACTIONS_PATTERNS: readonly string[] = ['kms:ReEncryptFrom', 'kms:Decrypt'];
/** AWS accepts a custom rotation period of 90 to 2560 days; the catalog uses the same bounds. */
export const MIN_ROTATION_PERIOD_DAYS = 90;
export const MAX_ROTATION_PERIOD_DAYS = 2560;

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

export interface Kms2Params {
  blockedActionsPatterns: string[];
  blockedActions: string[];
  excludeRoleByManagementAccount: boolean;
}

export interface Kms3Params {
  /** Key ids or key ARNs; empty means every customer managed key. */
  kmsKeyIds: string[];
}

export interface Kms4Params {
  /** keywarden's extra: FAILED when a key rotates less often than this. Undefined = not checked. */
  maxRotationPeriodDays?: number;
}

export interface ControlParamsMap {
  'KMS.1': Kms1Params;
  'KMS.2': Kms2Params;
  'KMS.3': Kms3Params;
  'KMS.4': Kms4Params;
}

/** Resolved parameters of all four controls. */
export type ResolvedControlParams = { [K in ControlId]: ControlParamsMap[K] };

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

const PARAMETER_NAMES: { [K in ControlId]: readonly string[] } = {
  'KMS.1': [
    'blockedActionsPatterns',
    'excludePermissionBoundaryPolicy',
    'exemptBoundaryPoliciesEvenIfAttached',
  ],
  'KMS.2': ['blockedActionsPatterns', 'excludeRoleByManagementAccount'],
  'KMS.3': ['kmsKeyIds'],
  'KMS.4': ['maxRotationPeriodDays'],
};

/** Collects errors for one control while its parameters are read. */
class Reader {
  readonly errors: ParameterError[] = [];
  readonly raw: RawParams;

  constructor(
    readonly controlId: ControlId,
    input: unknown,
  ) {
    this.raw = {};
    if (input === undefined || input === null) return;
    if (typeof input !== 'object' || Array.isArray(input)) {
      this.fail('(parameters)', `parameters must be an object of name -> value, got ${describe(input)}`);
      return;
    }
    this.raw = input as RawParams;
    const known = PARAMETER_NAMES[controlId];
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
    if (typeof number !== 'number' || !Number.isInteger(number)) {
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
    if (patterns.length === 0) {
      this.fail(name, 'must hold at least one KMS action pattern (e.g. kms:Decrypt)');
      return { patterns, actions: [] };
    }
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

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

export function resolveKms1Params(input: unknown, env: ParamEnvironment): ParamResult<Kms1Params> {
  const reader = new Reader('KMS.1', input);
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

export function resolveKms2Params(input: unknown, env: ParamEnvironment): ParamResult<Kms2Params> {
  const reader = new Reader('KMS.2', input);
  const { patterns, actions } = reader.blockedActions(env);
  const excludeRoleByManagementAccount = reader.boolean('excludeRoleByManagementAccount', false);
  return reader.result({
    blockedActionsPatterns: patterns,
    blockedActions: actions,
    excludeRoleByManagementAccount,
  });
}

const KEY_ID = /^[A-Za-z0-9-]+$/;
const KEY_ARN = /^arn:[a-z0-9-]+:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

export function resolveKms3Params(input: unknown, _env?: ParamEnvironment): ParamResult<Kms3Params> {
  const reader = new Reader('KMS.3', input);
  const kmsKeyIds = reader.stringList('kmsKeyIds', []);
  const invalid = kmsKeyIds.filter((id) => !KEY_ID.test(id) && !KEY_ARN.test(id));
  if (invalid.length > 0) {
    reader.fail(
      'kmsKeyIds',
      `${invalid.map((id) => `'${id}'`).join(', ')} ${invalid.length === 1 ? 'is' : 'are'} neither a key id ` +
        'nor a key ARN (arn:<partition>:kms:<region>:<account>:key/<key-id>); aliases are not accepted',
    );
  }
  return reader.result({ kmsKeyIds: [...new Set(kmsKeyIds)] });
}

export function resolveKms4Params(input: unknown, _env?: ParamEnvironment): ParamResult<Kms4Params> {
  const reader = new Reader('KMS.4', input);
  const max = reader.integer('maxRotationPeriodDays', MIN_ROTATION_PERIOD_DAYS, MAX_ROTATION_PERIOD_DAYS);
  return reader.result(max === undefined ? {} : { maxRotationPeriodDays: max });
}

/**
 * Resolves the parameters of all four controls (missing controls get their defaults) and returns every
 * error found, so that one run of the configuration check names all of them.
 */
export function resolveControlParams(
  input: Partial<Record<ControlId, unknown>>,
  env: ParamEnvironment,
): ParamResult<ResolvedControlParams> {
  const kms1 = resolveKms1Params(input['KMS.1'], env);
  const kms2 = resolveKms2Params(input['KMS.2'], env);
  const kms3 = resolveKms3Params(input['KMS.3'], env);
  const kms4 = resolveKms4Params(input['KMS.4'], env);
  if (kms1.ok && kms2.ok && kms3.ok && kms4.ok) {
    return {
      ok: true,
      params: { 'KMS.1': kms1.params, 'KMS.2': kms2.params, 'KMS.3': kms3.params, 'KMS.4': kms4.params },
    };
  }
  const errors = [kms1, kms2, kms3, kms4].flatMap((result) => (result.ok ? [] : result.errors));
  return { ok: false, errors };
}

/** One line per error, e.g. for a CLI message or an HTTP 400 body. */
export function formatParameterErrors(errors: readonly ParameterError[]): string {
  return errors.map((error) => `${error.controlId} ${error.parameter}: ${error.message}`).join('\n');
}
