/**
 * A control is one module: this interface is everything the rest of the pipeline knows about it. Scan,
 * collect, config, jobs and the shipped IAM policies read these declarations instead of naming controls.
 */
import type { ControlId } from '../catalog/control-ids.js';
import type { CollectorName } from '../model/collection.js';
import type { UnitCollection } from '../model/collection.js';
import type { ControlResult } from '../model/result.js';
import type { KmsKey } from '../model/snapshot.js';
import type { PolicyAnalysisLookup } from './context.js';
import type { ParamEnvironment, ParamResult } from './params.js';

/** `home-region`: once per account, in the configured home region (IAM is global). */
export type RunsIn = 'home-region' | 'every-region';

/** The documents `check-policy` can decide offline, and which control decides each kind. */
export type PolicyDocumentKind = 'identity-policy:managed' | 'identity-policy:inline' | 'key-policy';

/** What evaluation gets besides the collection and the parameters. */
export interface ControlContext {
  /** The unit's region: where the findings go (the home region for home-region controls). */
  region: string;
  /** The scan's clock. */
  now: Date;
  /**
   * Analyses identity policy documents off the event loop (the scan's worker pool). Absent: the control
   * analyses in place. The only reason `evaluate` may be async.
   */
  analyzePolicies?: (
    documents: readonly unknown[],
    blockedActions: readonly string[],
    partition: string,
  ) => Promise<PolicyAnalysisLookup>;
}

export interface ControlParameters<P> {
  /** The parameter names this control accepts (anything else is an error naming these). */
  readonly names: readonly string[];
  resolve(input: unknown, env: ParamEnvironment): ParamResult<P>;
}

export interface ControlModule<P = unknown, Id extends ControlId = ControlId> {
  readonly id: Id;
  readonly runsIn: RunsIn;
  /** The collections its evaluation reads. */
  readonly needs: readonly CollectorName[];
  /**
   * The keys whose per-key details (rotation, key policy) this control needs; absent: every key the
   * detail collector applies to. Keeps per-key calls to the keys a control actually evaluates.
   */
  readonly detailsFor?: (key: KmsKey) => boolean;
  /**
   * The changes that can alter its verdict: CloudTrail event names and KMS's own event detail-types
   * (SEMANTICS.md, "Change-triggered evaluation"). The event consumer's table is derived from these.
   */
  readonly changeEvents: readonly string[];
  /** The IAM actions its collection calls in the member account (the member-role policy is derived). */
  readonly awsActions: readonly string[];
  readonly parameters: ControlParameters<P>;
  /** The document kind `check-policy` decides as this control would; absent: not checkable offline. */
  readonly checksDocuments?: PolicyDocumentKind;
  evaluate(
    collected: UnitCollection,
    params: P,
    context: ControlContext,
  ): ControlResult[] | Promise<ControlResult[]>;
}

/** Declares a module, keeping its id's literal type (the registry maps ids to modules with it). */
export function defineControl<P, const Id extends ControlId>(
  module: ControlModule<P, Id>,
): ControlModule<P, Id> {
  return module;
}

/** The snapshot a control needs, or an error: the scan evaluates a control only when it was collected. */
export function collected<T>(value: T | undefined, collector: CollectorName, id: ControlId): T {
  if (value === undefined) throw new Error(`${id}: the ${collector} collection is missing`);
  return value;
}
