/**
 * Runs one unit (account, region, controls): collect -> evaluate -> findings -> import. Results stream
 * from the unit to its import and are dropped afterwards, so memory follows concurrency, not org size.
 */
import type { ScanClients } from '../aws/scan-clients.js';
import type { CatalogControl } from '../catalog/index.js';
import { collectIam } from '../collect/iam.js';
import { KEY_DETAIL_COLLECTORS } from '../collect/key-details.js';
import type { KmsCollection } from '../collect/kms.js';
import { collectKms } from '../collect/kms.js';
import { errorCode, errorMessage } from '../aws/errors.js';
import type { ResolvedControlParams } from '../controls/index.js';
import {
  collectorsNeeded,
  controlModule,
  controlsNeeding,
  evaluateControl,
  keyDetailWanted,
} from '../controls/index.js';
import { analyzeDocuments } from '../evaluate/policy-analyses.js';
import { policyEvaluator } from '../evaluate/policy-pool.js';
import type { AsffFinding } from '../findings/index.js';
import { findingId, toFinding, validateFinding } from '../findings/index.js';
import type { ImportTarget } from '../importer/importer.js';
import { activeFindings, hubStatus, importFindings } from '../importer/importer.js';
import { findingsToArchive } from '../importer/lifecycle.js';
import type { RateLimiter } from '../aws/rate-limit.js';
import { IAM_QUOTAS, KMS_QUOTAS } from '../aws/quotas.js';
import type { CollectorName, KeyDetailCollectorName, UnitCollection } from '../model/collection.js';
import type { ControlId, ControlResult } from '../model/result.js';
import type { ScanUnit } from './plan.js';
import type { UnitError, UnitOutcome } from '../model/scan.js';
import { emptyCounts, newOutcome } from '../model/scan.js';

export interface ImportSettings {
  dryRun: boolean;
  importPassed: boolean;
  archiveResolved: boolean;
  productName: string;
  companyName: string;
}

export interface UnitContext {
  clients: ScanClients;
  catalog: { get(id: ControlId): CatalogControl };
  params: ResolvedControlParams;
  partition: string;
  managementAccountId?: string;
  importSettings: ImportSettings;
  limiter: RateLimiter;
  now: () => Date;
  signal?: AbortSignal;
  /** Receives the findings of a dry run (or a copy of those imported, for reports). */
  findingSink?: (findings: AsffFinding[]) => void | Promise<void>;
}

export function unitError(stage: UnitError['stage'], controls: ControlId[], error: unknown): UnitError {
  return { stage, controls, code: errorCode(error), message: errorMessage(error) };
}

const KEY_DETAILS = Object.keys(KEY_DETAIL_COLLECTORS) as KeyDetailCollectorName[];

/** Where a unit's (or a target's) findings come from and go: an account and region. */
export type Place = Pick<ScanUnit, 'accountId' | 'region'>;

/**
 * The key inventory of an account and region with the per-key details `controls` need: every key
 * (ListKeys), or only `keys` (a change-triggered evaluation of one key).
 */
export function collectKeyInventory(
  place: Place,
  controls: readonly ControlId[],
  context: UnitContext,
  keys?: readonly { id: string; arn?: string }[],
): Promise<KmsCollection> {
  const needed = collectorsNeeded(controls);
  return collectKms(context.clients.kms(place.accountId, place.region), {
    accountId: place.accountId,
    region: place.region,
    partition: context.partition,
    details: KEY_DETAILS.filter((name) => needed.has(name)).map((name) => ({
      collector: KEY_DETAIL_COLLECTORS[name],
      wanted: keyDetailWanted(name, controls),
    })),
    ...(context.signal ? { signal: context.signal } : {}),
    ...(keys ? { keys } : {}),
    beforeDetailCall: (operation) =>
      context.limiter.take(
        `${place.accountId}/${place.region}/kms/${operation}`,
        KMS_QUOTAS[operation],
        context.signal,
      ),
  });
}

/**
 * Runs the collectors the unit's controls need (their declared `needs`); a collector's failure leaves
 * incomplete exactly the controls that need it.
 */
async function collect(
  unit: ScanUnit,
  context: UnitContext,
  fail: (collector: CollectorName, error: unknown) => void,
): Promise<UnitCollection> {
  const needed = collectorsNeeded(unit.controls);
  const collection: UnitCollection = {};
  if (needed.has('iam:authorization-details')) {
    try {
      collection.iam = await collectIam(context.clients.iam(unit.accountId), {
        accountId: unit.accountId,
        partition: context.partition,
        ...(context.managementAccountId ? { managementAccountId: context.managementAccountId } : {}),
        ...(context.signal ? { signal: context.signal } : {}),
        beforeCall: () =>
          context.limiter.take(
            `${unit.accountId}/iam/GetAccountAuthorizationDetails`,
            IAM_QUOTAS.GetAccountAuthorizationDetails,
            context.signal,
          ),
      });
    } catch (error) {
      context.signal?.throwIfAborted();
      fail('iam:authorization-details', error);
    }
  }
  if (needed.has('kms:keys')) {
    const kms = await collectKeyInventory(unit, unit.controls, context);
    context.signal?.throwIfAborted();
    for (const { collector, error } of kms.errors) fail(collector, error);
    // A partial inventory is still evaluated: its controls are marked incomplete, so nothing is archived.
    collection.kms = kms.snapshot;
  }
  return collection;
}

/**
 * Evaluates `controls` on what was collected, through the control modules (verdicts are the scan's
 * wherever they are asked for); a control that cannot be evaluated is reported through `fail`.
 */
export async function evaluateCollected(
  controls: readonly ControlId[],
  collection: UnitCollection,
  region: string,
  context: UnitContext,
  fail: (control: ControlId, error: unknown) => void,
): Promise<ControlResult[]> {
  // Policy analysis runs in the worker pool: a hostile document must not stall this process.
  const evaluator = policyEvaluator();
  const controlContext = {
    region,
    now: context.now(),
    analyzePolicies: (documents: readonly unknown[], blockedActions: readonly string[], partition: string) =>
      analyzeDocuments(documents, blockedActions, partition, evaluator),
  };
  const present = (collector: CollectorName): boolean =>
    collector === 'iam:authorization-details' ? collection.iam !== undefined : collection.kms !== undefined;
  const results = await Promise.all(
    controls.map(async (id) => {
      // A control whose snapshot is missing (its collection failed outright) has nothing to evaluate.
      // Stryker disable next-line MethodExpression: a control's needs are all IAM or all KMS (one snapshot), so some is every
      if (!controlModule(id).needs.every(present)) return [];
      try {
        return await evaluateControl(id, collection, context.params, controlContext);
      } catch (error) {
        // E.g. the policy pool failed: this control is incomplete, the others go on.
        context.signal?.throwIfAborted();
        fail(id, error);
        return [];
      }
    }),
  );
  return results.flat();
}

/** Collects and evaluates the unit's controls; which controls were collected completely. */
async function collectAndEvaluate(
  unit: ScanUnit,
  context: UnitContext,
  errors: UnitError[],
): Promise<{ results: ControlResult[]; complete: Set<ControlId> }> {
  const complete = new Set<ControlId>(unit.controls);
  const collection = await collect(unit, context, (collector, error) => {
    const affected = controlsNeeding(collector, unit.controls);
    errors.push(unitError('collect', affected, error));
    for (const id of affected) complete.delete(id);
  });
  const results = await evaluateCollected(unit.controls, collection, unit.region, context, (id, error) => {
    errors.push(unitError('collect', [id], error));
    complete.delete(id);
  });
  return { results, complete };
}

function countFindings(outcome: UnitOutcome, results: ControlResult[]): void {
  for (const result of results) {
    const counts = (outcome.findings[result.controlId] ??= emptyCounts());
    counts[result.status]++;
  }
}

export async function runUnit(unit: ScanUnit, context: UnitContext): Promise<UnitOutcome> {
  const started = performance.now();
  const outcome = newOutcome(unit.id, unit.accountId, unit.region, unit.controls);
  const errors = outcome.errors;

  try {
    const { results, complete } = await collectAndEvaluate(unit, context, errors);
    countFindings(outcome, results);
    await deliver(unit, context, results, complete, outcome);
  } catch (error) {
    if (context.signal?.aborted) outcome.state = 'cancelled';
    else errors.push(unitError('import', [], error));
  }
  if (outcome.state !== 'cancelled' && errors.length > 0) {
    // Failed: nothing reached Security Hub, or no control could be collected. Otherwise partial.
    const everythingFailed =
      errors.some((e) => e.controls.length === 0) ||
      unit.controls.every((c) => errors.some((e) => e.stage === 'collect' && e.controls.includes(c)));
    outcome.state = everythingFailed ? 'failed' : 'partial';
  }
  context.clients.release(unit.accountId, unit.region);
  outcome.durationMs = Math.round(performance.now() - started);
  return outcome;
}

/**
 * Maps results to ASFF and sends them to the place's Security Hub (or the dry-run sink). `existingFindings`
 * are the active findings the results may replace and the archive may take: every finding of the product
 * in the place for a unit, those of one resource for a change-triggered evaluation.
 */
export async function deliver(
  unit: Place,
  context: UnitContext,
  results: ControlResult[],
  complete: Set<ControlId>,
  outcome: UnitOutcome,
  existingFindings: (target: ImportTarget) => Promise<Map<string, AsffFinding>> = activeFindings,
): Promise<void> {
  const settings = context.importSettings;
  const now = context.now().toISOString();
  const wanted = settings.importPassed ? results : results.filter((r) => r.status !== 'PASSED');
  const mapping = { productName: settings.productName, companyName: settings.companyName, now };
  if (settings.dryRun) {
    outcome.destination = 'dry-run';
    const findings = wanted.map((r) => toFinding(r, context.catalog.get(r.controlId), mapping));
    await context.findingSink?.(findings);
    return;
  }
  const target: ImportTarget = {
    client: context.clients.securityHub(unit.accountId, unit.region),
    accountId: unit.accountId,
    region: unit.region,
    partition: context.partition,
    productName: settings.productName,
    limiter: context.limiter,
    ...(context.signal ? { signal: context.signal } : {}),
  };
  const hub = await hubStatus(target);
  if (!hub.enabled) {
    outcome.destination = 'security-hub-not-enabled';
    outcome.errors.push({
      stage: 'import',
      controls: [],
      code: hub.code,
      message: `Security Hub is not enabled: ${hub.message}`,
    });
    return;
  }
  outcome.destination = 'security-hub';
  const existing = await existingFindings(target);
  const findings: AsffFinding[] = [];
  for (const result of wanted) {
    const id = findingId({
      ...mapping,
      region: result.region,
      accountId: result.accountId,
      controlId: result.controlId,
      resourceArn: result.resource.arn,
    });
    const previous = existing.get(id);
    const finding = toFinding(result, context.catalog.get(result.controlId), {
      ...mapping,
      ...(previous
        ? {
            existing: {
              createdAt: previous.CreatedAt,
              ...(previous.FirstObservedAt ? { firstObservedAt: previous.FirstObservedAt } : {}),
            },
          }
        : {}),
    });
    const problems = validateFinding(finding);
    if (problems.length > 0) {
      // Its Id is missing from what this scan produced: without this its existing finding would be archived.
      complete.delete(result.controlId);
      outcome.importFailed++;
      outcome.errors.push({
        stage: 'import',
        controls: [result.controlId],
        code: 'InvalidFinding',
        message: `${id}: ${problems.join('; ')}`,
      });
      continue;
    }
    findings.push(finding);
  }
  const produced = new Set(findings.map((f) => f.Id));
  const archive = settings.archiveResolved
    ? findingsToArchive(existing, produced, complete, settings.productName, now)
    : [];
  const result = await importFindings(target, [...findings, ...archive]);
  const failedIds = new Set(result.failed.map((f) => f.id));
  outcome.archived = archive.filter((f) => !failedIds.has(f.Id)).length;
  outcome.imported = result.imported - outcome.archived;
  outcome.importFailed += result.failed.length;
  if (result.failed.length > 0) {
    const first = result.failed[0]!;
    const controlOf = new Map(
      [...findings, ...archive].map((f) => [f.Id, f.Compliance?.SecurityControlId as ControlId]),
    );
    const affected = [
      ...new Set(result.failed.map((f) => controlOf.get(f.id)).filter((c) => c !== undefined)),
    ];
    outcome.errors.push({
      stage: 'import',
      controls: affected,
      code: first.code,
      message: `${result.failed.length} findings were not imported (first: ${first.id}: ${first.message})`,
    });
  }
  await context.findingSink?.(findings);
}
