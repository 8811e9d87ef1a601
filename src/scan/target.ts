/**
 * A change-triggered evaluation of one resource (issue 15): re-read that resource in its account with the
 * member role, evaluate the target's controls through the control modules (so verdicts are the scan's),
 * and import just its findings, keeping CreatedAt/FirstObservedAt. Only a fresh NoSuchEntity /
 * NotFoundException for the resource itself archives its findings; any other error changes nothing and
 * the outcome is `failed`, for the caller to retry.
 */
import type { AwsSecurityFindingFilters } from '@aws-sdk/client-securityhub';
import { IAM_QUOTAS } from '../aws/quotas.js';
import type { ControlId } from '../catalog/control-ids.js';
import { readIdentity, readManagedPolicy } from '../collect/iam-resource.js';
import type { ChangeResource, ChangeTarget } from '../events/targets.js';
import { isGlobal, targetKey } from '../events/targets.js';
import type { AsffFinding } from '../findings/index.js';
import { findingId } from '../findings/index.js';
import type { ImportTarget } from '../importer/importer.js';
import { activeFindings } from '../importer/importer.js';
import type { UnitCollection } from '../model/collection.js';
import type { ControlResult } from '../model/result.js';
import type { UnitError, UnitOutcome } from '../model/scan.js';
import { newOutcome } from '../model/scan.js';
import type { IamSnapshot } from '../model/snapshot.js';
import type { TargetOutcome } from './target-runner.js';
import type { Place, UnitContext } from './unit.js';
import { collectKeyInventory, deliver, evaluateCollected, runUnit, unitError } from './unit.js';

export interface TargetContext extends UnitContext {
  homeRegion: string;
  /** The controls the configuration enables: a target never evaluates another. */
  enabledControls: readonly ControlId[];
}

/** The AWS resource type (as the catalog names it) of each kind of changed resource. */
const RESOURCE_TYPES: Record<Exclude<ChangeResource['kind'], 'account'>, string> = {
  'managed-policy': 'AWS::IAM::Policy',
  user: 'AWS::IAM::User',
  group: 'AWS::IAM::Group',
  role: 'AWS::IAM::Role',
  key: 'AWS::KMS::Key',
};

/**
 * The target's controls that run here: enabled, about this kind of resource (an account-wide target: the
 * global controls), and supported in the region; or why none is left.
 */
function controlsToRun(
  target: ChangeTarget,
  region: string,
  context: TargetContext,
): { controls: ControlId[] } | { skipped: string } {
  const enabled = target.controls.filter((id): id is ControlId =>
    context.enabledControls.includes(id as ControlId),
  );
  if (enabled.length === 0) return { skipped: 'no enabled control' };
  const kind = target.resource.kind;
  const applicable = enabled.filter((id) => {
    const control = context.catalog.get(id);
    return kind === 'account'
      ? control.scope === 'global'
      : control.resourceTypes.includes(RESOURCE_TYPES[kind]);
  });
  if (applicable.length === 0) return { skipped: `no enabled control evaluates a ${kind}` };
  const supported = applicable.filter((id) => !context.catalog.get(id).unsupportedRegions.includes(region));
  if (supported.length === 0) return { skipped: `unsupported region ${region}` };
  return { controls: supported };
}

/** What re-reading the resource gave. */
type Read =
  | { kind: 'found'; collection: UnitCollection; arn: string }
  /** Gone: its findings are those of `arn`, or (an identity whose path is unknown) those `matches` keeps. */
  | { kind: 'gone'; arn: string }
  | { kind: 'gone'; matches: IdentityMatch }
  | { kind: 'failed'; error: UnitError }
  | { kind: 'skipped'; reason: string };

interface IdentityMatch {
  /** `arn:<partition>:iam::<account>:<kind>/`: every ARN of that kind in the account starts so. */
  prefix: string;
  asffType: string;
  name: string;
}

const ASFF_TYPES = { user: 'AwsIamUser', group: 'AwsIamGroup', role: 'AwsIamRole' } as const;

function iamSnapshot(place: Place, context: TargetContext): IamSnapshot {
  return {
    accountId: place.accountId,
    partition: context.partition,
    ...(context.managementAccountId ? { managementAccountId: context.managementAccountId } : {}),
    managedPolicies: [],
    identities: [],
  };
}

async function readIam(
  resource: Exclude<ChangeResource, { kind: 'key' | 'account' }>,
  place: Place,
  controls: ControlId[],
  context: TargetContext,
): Promise<Read> {
  const client = context.clients.iam(place.accountId);
  const options = {
    ...(context.signal ? { signal: context.signal } : {}),
    beforeCall: () =>
      context.limiter.take(`${place.accountId}/iam/reads`, IAM_QUOTAS.ResourceReads, context.signal),
  };
  const snapshot = iamSnapshot(place, context);
  try {
    if (resource.kind === 'managed-policy') {
      // AWS managed policies (account `aws`) are outside KMS.1: nothing of keywarden's is about them.
      if (resource.arn.split(':')[4] === 'aws') return { kind: 'skipped', reason: 'AWS managed policy' };
      const read = await readManagedPolicy(client, resource.arn, options);
      if ('gone' in read) return { kind: 'gone', arn: resource.arn };
      snapshot.managedPolicies.push(read.found);
      return { kind: 'found', collection: { iam: snapshot }, arn: resource.arn };
    }
    const read = await readIdentity(client, resource.kind, resource.name, options);
    if ('gone' in read) {
      const prefix = `arn:${context.partition}:iam::${place.accountId}:${resource.kind}/`;
      return { kind: 'gone', matches: { prefix, asffType: ASFF_TYPES[resource.kind], name: resource.name } };
    }
    snapshot.identities.push(read.found);
    return { kind: 'found', collection: { iam: snapshot }, arn: read.found.arn };
  } catch (error) {
    context.signal?.throwIfAborted();
    return { kind: 'failed', error: unitError('collect', controls, error) };
  }
}

const isAlias = (keyId: string): boolean => keyId.startsWith('alias/');

async function readKey(
  resource: Extract<ChangeResource, { kind: 'key' }>,
  place: Place,
  controls: ControlId[],
  context: TargetContext,
): Promise<Read> {
  const given = { id: resource.arn ?? resource.keyId, ...(resource.arn ? { arn: resource.arn } : {}) };
  const kms = await collectKeyInventory(place, controls, context, [given]);
  context.signal?.throwIfAborted();
  const first = kms.errors[0];
  if (first !== undefined) return { kind: 'failed', error: unitError('collect', controls, first.error) };
  const key = kms.snapshot.keys[0];
  if (key === undefined) {
    // NotFound on an alias says the alias is gone, not which key it named: nothing to archive.
    if (isAlias(resource.keyId)) return { kind: 'skipped', reason: `alias ${resource.keyId} not found` };
    return {
      kind: 'gone',
      arn:
        resource.arn ??
        `arn:${context.partition}:kms:${place.region}:${place.accountId}:key/${resource.keyId}`,
    };
  }
  // A key whose policy refuses DescribeKey is known by what named it: an alias does not name its key.
  if (key.describeRefused !== undefined && isAlias(resource.keyId) && resource.arn === undefined)
    return {
      kind: 'skipped',
      reason: `alias ${resource.keyId} cannot be resolved: ${key.describeRefused.code}`,
    };
  return { kind: 'found', collection: { kms: kms.snapshot }, arn: key.arn };
}

function readResource(
  resource: Exclude<ChangeResource, { kind: 'account' }>,
  place: Place,
  controls: ControlId[],
  context: TargetContext,
): Promise<Read> {
  return resource.kind === 'key'
    ? readKey(resource, place, controls, context)
    : readIam(resource, place, controls, context);
}

/** The active findings of the resource: by their Ids, or (a gone identity) by its type and name. */
function resourceFindings(
  read: Extract<Read, { kind: 'found' | 'gone' }>,
  place: Place,
  controls: ControlId[],
  context: TargetContext,
): (target: ImportTarget) => Promise<Map<string, AsffFinding>> {
  const { productName } = context.importSettings;
  if ('arn' in read) {
    const arn = read.arn;
    const ids = controls.map((controlId) =>
      findingId({
        productName,
        region: place.region,
        accountId: place.accountId,
        controlId,
        resourceArn: arn,
      }),
    );
    const filters: AwsSecurityFindingFilters = { Id: ids.map((Value) => ({ Value, Comparison: 'EQUALS' })) };
    return (target) => activeFindings(target, filters);
  }
  const match = read.matches;
  const filters: AwsSecurityFindingFilters = {
    ResourceType: [{ Value: match.asffType, Comparison: 'EQUALS' }],
    ResourceId: [{ Value: match.prefix, Comparison: 'PREFIX' }],
  };
  // `<prefix>[path/]name`: the name is the last segment, the path may be anything.
  const named = (id: string | undefined) =>
    id !== undefined && id.startsWith(match.prefix) && id.slice(id.lastIndexOf('/') + 1) === match.name;
  return async (target) =>
    new Map([...(await activeFindings(target, filters))].filter(([, f]) => named(f.Resources[0]?.Id)));
}

function outcomeOf(state: TargetOutcome['state'], unit: UnitOutcome, reason?: string): TargetOutcome {
  return {
    state,
    ...(reason !== undefined ? { reason } : {}),
    imported: unit.imported,
    archived: unit.archived,
    errors: unit.errors,
  };
}

const firstMessage = (errors: UnitError[]): string | undefined =>
  errors[0] && `${errors[0].code}: ${errors[0].message}`;

/** The outcome of a target that re-ran a whole unit (an account-wide change). */
function fromUnit(unit: UnitOutcome): TargetOutcome {
  if (unit.destination === 'security-hub-not-enabled')
    return outcomeOf('skipped', unit, 'Security Hub is not enabled');
  if (unit.state === 'done') return outcomeOf('evaluated', unit);
  return outcomeOf('failed', unit, unit.state === 'cancelled' ? 'cancelled' : firstMessage(unit.errors));
}

/** Re-reads the target's resource, evaluates its controls and imports its findings. */
export async function runTarget(target: ChangeTarget, context: TargetContext): Promise<TargetOutcome> {
  const region = isGlobal(target) ? context.homeRegion : target.region;
  const place: Place = { accountId: target.accountId, region };
  const unitId = targetKey(target);
  const selection = controlsToRun(target, region, context);
  if ('skipped' in selection)
    return outcomeOf('skipped', newOutcome(unitId, target.accountId, region, []), selection.skipped);
  const { controls } = selection;
  const resource = target.resource;
  if (resource.kind === 'account')
    return fromUnit(await runUnit({ id: unitId, ...place, controls }, context));

  const unit = newOutcome(unitId, target.accountId, region, controls);
  try {
    return await evaluateAndImport(resource, place, controls, context, unit);
  } catch (error) {
    if (context.signal?.aborted) return outcomeOf('failed', unit, 'cancelled');
    unit.errors.push(unitError('import', [], error));
    return outcomeOf('failed', unit, firstMessage(unit.errors));
  } finally {
    context.clients.release(place.accountId, region);
  }
}

async function evaluateAndImport(
  resource: Exclude<ChangeResource, { kind: 'account' }>,
  place: Place,
  controls: ControlId[],
  context: TargetContext,
  unit: UnitOutcome,
): Promise<TargetOutcome> {
  const read = await readResource(resource, place, controls, context);
  if (read.kind === 'skipped') return outcomeOf('skipped', unit, read.reason);
  if (read.kind === 'failed') {
    unit.errors.push(read.error);
    return outcomeOf('failed', unit, firstMessage(unit.errors));
  }
  let results: ControlResult[] = [];
  if (read.kind === 'found') {
    results = await evaluateCollected(controls, read.collection, place.region, context, (id, error) => {
      unit.errors.push(unitError('evaluate', [id], error));
    });
    // Nothing is imported from an evaluation that did not finish: the retry reads it all again.
    if (unit.errors.length > 0) return outcomeOf('failed', unit, firstMessage(unit.errors));
  }
  // Every control was read completely: what the resource no longer produces (gone, out of a control's
  // scope, or PASSED when PASSED is not imported) is archived, as a scan archives it.
  const complete = new Set(controls);
  await deliver(place, context, results, complete, unit, resourceFindings(read, place, controls, context));
  if (unit.destination === 'security-hub-not-enabled')
    return outcomeOf('skipped', unit, 'Security Hub is not enabled');
  if (unit.errors.length > 0) return outcomeOf('failed', unit, firstMessage(unit.errors));
  return outcomeOf(read.kind === 'gone' ? 'gone' : 'evaluated', unit);
}
