/**
 * Loads and validates the control catalog and the KMS action list at start-up. An invalid catalog stops
 * keywarden with a message naming the file, the control and the field.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse } from 'yaml';
import { expandActionPatterns } from '../policy/actions.js';
import type { ControlId } from '../model/result.js';
import type { CatalogControl, CatalogFile } from './schema.js';
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

const DEFAULT_CATALOG = fileURLToPath(new URL('../../config/controls.yaml', import.meta.url));
const DEFAULT_KMS_ACTIONS = fileURLToPath(new URL('../../config/kms-actions.yaml', import.meta.url));

/** `/controls/2/severity` -> `controls[2] (KMS.3).severity`. */
function fieldPath(pointer: string, document: unknown): string {
  const parts = pointer.split('/').slice(1);
  let path = '';
  let node: unknown = document;
  for (const part of parts) {
    const index = Number(part);
    node = (node as Record<string, unknown> | undefined)?.[part];
    if (Number.isInteger(index) && part !== '') {
      path += `[${index}]`;
      const id = (node as { id?: unknown } | undefined)?.id;
      if (path.startsWith('controls[') && path.split('[').length === 2 && typeof id === 'string')
        path += ` (${id})`;
    } else {
      path += path === '' ? part : `.${part}`;
    }
  }
  return path || '(document)';
}

/** A readable message: `must be one of A, B` for enumerations, TypeBox's own message otherwise. */
export function describeSchemaError(error: { message: string; schema: TSchema }): string {
  const options = (error.schema as { anyOf?: { const?: unknown }[] }).anyOf;
  if (options?.every((o) => o.const !== undefined))
    return `must be one of ${options.map((o) => String(o.const)).join(', ')}`;
  return error.message.charAt(0).toLowerCase() + error.message.slice(1);
}

function validate<T>(schema: TSchema, document: unknown, source: string): T {
  const first = Value.Errors(schema, document).First();
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

function checkDefaults(
  control: CatalogControl,
  index: number,
  source: string,
  knownActions: readonly string[],
): void {
  control.parameters.forEach((parameter, p) => {
    const where = `${source}: controls[${index}] (${control.id}).parameters[${p}] (${parameter.name}).default`;
    const value = parameter.default;
    const ok =
      value === null ||
      (parameter.type === 'boolean' && typeof value === 'boolean') ||
      (parameter.type === 'integer' && typeof value === 'number') ||
      ((parameter.type === 'stringList' || parameter.type === 'actionPatterns') && Array.isArray(value));
    if (!ok) throw new CatalogError(`${where}: does not fit type ${parameter.type}`);
    if (parameter.type === 'actionPatterns' && Array.isArray(value)) {
      const expanded = expandActionPatterns(value, knownActions);
      if (expanded.unmatched.length > 0 || expanded.actions.length === 0) {
        throw new CatalogError(
          `${where}: no known KMS action matches ${expanded.unmatched.join(', ') || 'the patterns'}`,
        );
      }
    }
  });
}

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
    checkDefaults(control, index, source, knownActions);
  });
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
