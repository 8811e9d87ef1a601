/**
 * Loads and validates the control catalog and the KMS action list at start-up. An invalid catalog stops
 * keywarden with a message naming the file, the control and the field.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import { Errors, ValueErrorType } from '@sinclair/typebox/errors';
import { parse } from 'yaml';
import { expandActionPatterns } from '../policy/actions.js';
import type { ControlId } from './control-ids.js';
import { CONTROL_IDS } from './control-ids.js';
import type { CatalogControl, CatalogFile, ControlParameter } from './schema.js';
import { CatalogFileSchema, KmsActionsFileSchema } from './schema.js';

export class CatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogError';
  }
}

export interface Catalog {
  readonly source: string;
  readonly controls: readonly CatalogControl[];
  get(id: ControlId): CatalogControl;
}

// Relative to this module: the same from src/catalog (tsx, tests) and dist/catalog (built package).
const DEFAULT_CATALOG = fileURLToPath(new URL('../../config/controls.yaml', import.meta.url));
const DEFAULT_KMS_ACTIONS = fileURLToPath(new URL('../../config/kms-actions.yaml', import.meta.url));

/** `/controls/2/parameters/0/default` -> `controls[2] (KMS.3).parameters[0] (kmsKeyIds).default`. */
function fieldPath(pointer: string, document: unknown): string {
  const parts = pointer.split('/').slice(1);
  let path = '';
  let node: unknown = document;
  for (const part of parts) {
    node = (node as Record<string, unknown> | undefined)?.[part];
    if (/^\d+$/.test(part)) {
      path += `[${part}]`;
      // Name the control (or parameter) too: an index alone is hard to find in a long file.
      const { id, name } = (typeof node === 'object' && node !== null ? node : {}) as {
        id?: unknown;
        name?: unknown;
      };
      const label = typeof id === 'string' ? id : typeof name === 'string' ? name : undefined;
      if (label !== undefined) path += ` (${label})`;
    } else {
      path += path === '' ? part : `.${part}`;
    }
  }
  return path || '(document)';
}

/**
 * A readable message that never echoes the rejected value (the config loader shares it, and a value there
 * may be a token): `is required` for a missing field, the schema's own `errorMessage`, `must be one of A, B`
 * for enumerations, TypeBox's message otherwise.
 */
export function describeSchemaError(error: {
  message: string;
  schema: TSchema;
  type?: ValueErrorType;
}): string {
  // First: for a missing field the schema (and its errorMessage) is the field's, not the reason.
  if (error.type === ValueErrorType.ObjectRequiredProperty) return 'is required';
  const custom = (error.schema as { errorMessage?: unknown }).errorMessage;
  if (typeof custom === 'string') return custom;
  const options = (error.schema as { anyOf?: { const?: unknown }[] }).anyOf;
  if (options?.every((o) => o.const !== undefined))
    return `must be one of ${options.map((o) => String(o.const)).join(', ')}`;
  return error.message.charAt(0).toLowerCase() + error.message.slice(1);
}

function validate<T>(schema: TSchema, document: unknown, source: string): T {
  // The errors module alone: the whole value module costs the command line's start-up ~0.1-0.3 s.
  const first = Errors(schema, document).First();
  if (first !== undefined)
    throw new CatalogError(`${source}: ${fieldPath(first.path, document)}: ${describeSchemaError(first)}`);
  return document as T;
}

function parseYaml(text: string, source: string): unknown {
  try {
    return parse(text);
  } catch (error) {
    throw new CatalogError(`${source}: not valid YAML: ${(error as Error).message}`);
  }
}

/** Why a parameter's default (or its bounds) does not fit its type; undefined when it fits. */
function defaultProblem(parameter: ControlParameter, knownActions: readonly string[]): string | undefined {
  const { type, minimum, maximum } = parameter;
  const value = parameter.default;
  if (type !== 'integer' && (minimum !== undefined || maximum !== undefined))
    return `minimum/maximum only apply to integer parameters, not ${type}`;
  if (minimum !== undefined && maximum !== undefined && minimum > maximum)
    return `minimum ${minimum} is greater than maximum ${maximum}`;
  switch (type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'does not fit type boolean';
    case 'integer':
      // null: an optional check that stays off unless configured (KMS.4 maxRotationPeriodDays).
      if (value === null) return undefined;
      if (typeof value !== 'number') return 'does not fit type integer';
      if (minimum !== undefined && value < minimum) return `is below the minimum ${minimum}`;
      if (maximum !== undefined && value > maximum) return `is above the maximum ${maximum}`;
      return undefined;
    case 'stringList':
      return Array.isArray(value) ? undefined : 'does not fit type stringList';
    case 'actionPatterns': {
      if (!Array.isArray(value) || value.length === 0)
        return 'does not fit type actionPatterns (a non-empty list of KMS action patterns)';
      // A pattern that matches no action would silently weaken KMS.1/KMS.2.
      const expanded = expandActionPatterns(value, knownActions);
      if (expanded.unmatched.length > 0 || expanded.actions.length === 0)
        return `no known KMS action matches ${expanded.unmatched.join(', ') || 'the patterns'}`;
      return undefined;
    }
  }
}

function checkParameters(
  control: CatalogControl,
  index: number,
  source: string,
  knownActions: readonly string[],
): void {
  const names = new Set<string>();
  control.parameters.forEach((parameter, p) => {
    const where = `${source}: controls[${index}] (${control.id}).parameters[${p}] (${parameter.name})`;
    if (names.has(parameter.name)) throw new CatalogError(`${where}.name: duplicate parameter name`);
    names.add(parameter.name);
    const problem = defaultProblem(parameter, knownActions);
    if (problem !== undefined) throw new CatalogError(`${where}.default: ${problem}`);
  });
}

/** Validates catalog text; `source` names the file in error messages. */
export function parseCatalog(
  text: string,
  source: string,
  knownActions: readonly string[] = loadKmsActions(),
): Catalog {
  const file = validate<CatalogFile>(CatalogFileSchema, parseYaml(text, source), source);
  const seen = new Set<string>();
  file.controls.forEach((control, index) => {
    if (seen.has(control.id))
      throw new CatalogError(`${source}: controls[${index}] (${control.id}).id: duplicate control id`);
    seen.add(control.id);
    checkParameters(control, index, source, knownActions);
  });
  // Every control the code implements needs its metadata: a finding without it could not be mapped.
  const missing = CONTROL_IDS.filter((id) => !seen.has(id));
  if (missing.length > 0)
    throw new CatalogError(
      `${source}: controls: missing ${missing.join(', ')} (the catalog lists every control)`,
    );
  const byId = new Map(file.controls.map((c) => [c.id, c]));
  return {
    source,
    controls: file.controls,
    get(id: ControlId): CatalogControl {
      const control = byId.get(id);
      if (control === undefined) throw new CatalogError(`${source}: no control ${id} in the catalog`);
      return control;
    },
  };
}

const catalogs = new Map<string, Catalog>();
let kmsActions: { path: string; actions: string[] } | undefined;

/** The catalog at `path` (default: the shipped config/controls.yaml), validated once and cached. */
export function loadCatalog(path: string = DEFAULT_CATALOG): Catalog {
  let catalog = catalogs.get(path);
  if (catalog === undefined) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new CatalogError(`cannot read the control catalog ${path}: ${(error as Error).message}`);
    }
    catalog = parseCatalog(text, path);
    catalogs.set(path, catalog);
  }
  return catalog;
}

/** Every KMS action as `kms:Name`, from config/kms-actions.yaml (cached). */
export function loadKmsActions(path: string = DEFAULT_KMS_ACTIONS): string[] {
  if (kmsActions?.path === path) return kmsActions.actions;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CatalogError(`cannot read the KMS action list ${path}: ${(error as Error).message}`);
  }
  const file = validate<{ prefix: string; actions: string[] }>(
    KmsActionsFileSchema,
    parseYaml(text, path),
    path,
  );
  const actions = file.actions.map((name) => `${file.prefix}:${name}`);
  kmsActions = { path, actions };
  return actions;
}
