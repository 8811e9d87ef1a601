/**
 * The control modules, listed once. Typed so that every catalog control id has exactly one module (a
 * compile error otherwise) and the parameter types derive from the modules. Everything outside
 * src/controls asks these functions instead of naming a control.
 */
import type { ControlId } from '../catalog/control-ids.js';
import { CONTROL_IDS } from '../catalog/control-ids.js';
import type { CollectorName, UnitCollection } from '../model/collection.js';
import type { ControlResult } from '../model/result.js';
import type { KmsKey } from '../model/snapshot.js';
import { kms1Module } from './kms1.module.js';
import { kms2Module } from './kms2.module.js';
import { kms3Module } from './kms3.module.js';
import { kms4Module } from './kms4.module.js';
import { kms5Module } from './kms5.module.js';
import type { ControlContext, ControlModule, PolicyDocumentKind } from './module.js';
import type { ParamEnvironment, ParameterError, ParamResult } from './params.js';

const MODULES = [kms1Module, kms2Module, kms3Module, kms4Module, kms5Module] as const;

type AnyModule = (typeof MODULES)[number];
type ModuleOf<K extends ControlId> = Extract<AnyModule, { id: K }>;

// A control id without a module (or a module for an unknown id) does not compile.
type MissingModules = Exclude<ControlId, AnyModule['id']>;
const everyControlHasAModule: [MissingModules] extends [never] ? true : MissingModules = true;
void everyControlHasAModule;

/** Each control's resolved parameter type, as its module declares it. */
export type ControlParamsMap = {
  [K in ControlId]: ModuleOf<K> extends ControlModule<infer P, K> ? P : never;
};

/** Resolved parameters of every control. */
export type ResolvedControlParams = { [K in ControlId]: ControlParamsMap[K] };

export const CONTROL_MODULES: { readonly [K in ControlId]: ControlModule<ControlParamsMap[K], K> } =
  Object.fromEntries(MODULES.map((module) => [module.id, module])) as {
    [K in ControlId]: ControlModule<ControlParamsMap[K], K>;
  };

export function controlModule(id: ControlId): ControlModule<unknown> {
  return CONTROL_MODULES[id] as ControlModule<unknown>;
}

/** Evaluates one control with the already resolved parameters of all controls. */
export function evaluateControl<K extends ControlId>(
  id: K,
  collection: UnitCollection,
  params: ResolvedControlParams,
  context: ControlContext,
): ControlResult[] | Promise<ControlResult[]> {
  const module: ControlModule<ControlParamsMap[K], K> = CONTROL_MODULES[id];
  return module.evaluate(collection, params[id], context);
}

/**
 * Resolves the parameters of every control (missing controls get their defaults) and returns every error
 * found, so that one run of the configuration check names all of them.
 */
export function resolveControlParams(
  input: Partial<Record<ControlId, unknown>>,
  env: ParamEnvironment,
): ParamResult<ResolvedControlParams> {
  const params: Partial<Record<ControlId, unknown>> = {};
  const errors: ParameterError[] = [];
  for (const id of CONTROL_IDS) {
    const result = controlModule(id).parameters.resolve(input[id], env);
    if (result.ok) params[id] = result.params;
    else errors.push(...result.errors);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, params: params as ResolvedControlParams };
}

/** The collections the given controls need, in a stable order. */
export function collectorsNeeded(ids: readonly ControlId[]): Set<CollectorName> {
  return new Set(ids.flatMap((id) => controlModule(id).needs));
}

/** The controls (of `ids`) whose collection a failure of `collector` leaves incomplete. */
export function controlsNeeding(collector: CollectorName, ids: readonly ControlId[]): ControlId[] {
  return ids.filter((id) => controlModule(id).needs.includes(collector));
}

/** Whether any of the given controls needs `collector`'s per-key detail for this key. */
export function keyDetailWanted(
  collector: CollectorName,
  ids: readonly ControlId[],
): (key: KmsKey) => boolean {
  const wanting = controlsNeeding(collector, ids).map((id) => controlModule(id).detailsFor);
  return (key) => wanting.some((detailsFor) => detailsFor === undefined || detailsFor(key));
}

/** The controls whose verdict a change (event name or KMS event detail-type) can alter. */
export function controlsChangedBy(event: string): ControlId[] {
  return CONTROL_IDS.filter((id) => controlModule(id).changeEvents.includes(event));
}

/** Every IAM action the controls' collections call in a member account, sorted. */
export function controlAwsActions(): string[] {
  return [...new Set(CONTROL_IDS.flatMap((id) => controlModule(id).awsActions))].sort();
}

/** The control that decides a document kind offline (`check-policy`). */
export function controlForDocuments(kind: PolicyDocumentKind): ControlId {
  const id = CONTROL_IDS.find((control) => controlModule(control).checksDocuments === kind);
  if (id === undefined) throw new Error(`no control decides ${kind} documents`);
  return id;
}

/** The controls `check-policy` can decide offline. */
export function offlineControls(): ControlId[] {
  return CONTROL_IDS.filter((id) => controlModule(id).checksDocuments !== undefined);
}
