/**
 * `kms:keys`: one account and region's key inventory (ListKeys once, DescribeKey for each key), then the
 * per-key detail collectors the unit's controls asked for, each only for the keys that need it. Failures
 * are reported by collector, so the scan marks incomplete exactly the controls that need that collector
 * and a partial collection never archives findings.
 */
import type { KeyMetadata, KMSClient } from '@aws-sdk/client-kms';
import { DescribeKeyCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import pLimit from 'p-limit';
import type { CollectorName } from '../model/collection.js';
import type { KmsKey, KmsSnapshot } from '../model/snapshot.js';
import { asCollectionError, CollectionError, errorCode, errorMessage } from '../aws/errors.js';
import { paginate } from '../aws/paginate.js';
import type { KeyDetailCollector, KeyDetailOperation } from './key-detail.js';
import type { KeyRefusal } from './refusals.js';
import { classifyRefusal, isAccessDenied } from './refusals.js';

/** A detail collector and the keys the unit's controls need its detail for. */
export interface KeyDetailRequest {
  collector: KeyDetailCollector;
  wanted: (key: KmsKey) => boolean;
}

export interface KmsCollectionContext {
  accountId: string;
  region: string;
  partition: string;
  /** The per-key details to collect (none: the inventory alone). */
  details: readonly KeyDetailRequest[];
  /** Concurrent per-key calls (DescribeKey and details) within this unit. */
  concurrency?: number;
  signal?: AbortSignal;
  /** Waits for the quota of a per-key detail operation before each call. */
  beforeDetailCall?: (operation: KeyDetailOperation) => Promise<void>;
  /**
   * Read these keys (a key id or alias, with the key's ARN when known) instead of listing the region's
   * keys: a change-triggered evaluation re-reads one key.
   */
  keys?: readonly { id: string; arn?: string }[];
}

export interface UnitCollectionError {
  /** The collector whose collection this error leaves incomplete. */
  collector: CollectorName;
  error: CollectionError;
}

export interface KmsCollection {
  snapshot: KmsSnapshot;
  errors: UnitCollectionError[];
  /** Keys (as listed or given) whose DescribeKey answered NotFoundException: they no longer exist. */
  notFound: string[];
}

function toKey(metadata: KeyMetadata, fallbackId: string, fallbackArn: string): KmsKey {
  // Without its manager or state a key cannot be placed in or out of scope: guessing could archive a
  // finding for a key that still exists, so the collection is reported incomplete instead.
  const missing = (['KeyManager', 'KeyState'] as const).filter((field) => metadata[field] === undefined);
  if (missing.length > 0) {
    throw new CollectionError(
      'kms:DescribeKey',
      'MissingField',
      `DescribeKey returned no ${missing.join(', ')} for ${fallbackId}`,
    );
  }
  const key: KmsKey = {
    keyId: metadata.KeyId ?? fallbackId,
    arn: metadata.Arn ?? fallbackArn,
    // Enum values newer than this code are kept as text: the controls treat them conservatively.
    keyManager: metadata.KeyManager!,
    keyState: metadata.KeyState!,
    keySpec: metadata.KeySpec ?? metadata.CustomerMasterKeySpec ?? 'UNKNOWN',
    origin: metadata.Origin ?? 'UNKNOWN',
  };
  if (metadata.KeyUsage !== undefined) key.keyUsage = metadata.KeyUsage;
  if (metadata.Description !== undefined) key.description = metadata.Description;
  if (metadata.CreationDate !== undefined) key.creationDate = metadata.CreationDate.toISOString();
  if (metadata.DeletionDate !== undefined) key.deletionDate = metadata.DeletionDate.toISOString();
  if (metadata.PendingDeletionWindowInDays !== undefined) {
    key.pendingDeletionWindowInDays = metadata.PendingDeletionWindowInDays;
  }
  if (metadata.CustomKeyStoreId !== undefined) key.customKeyStoreId = metadata.CustomKeyStoreId;
  if (metadata.MultiRegion !== undefined) key.multiRegion = metadata.MultiRegion;
  if (metadata.Enabled !== undefined) key.enabled = metadata.Enabled;
  return key;
}

export async function collectKms(client: KMSClient, context: KmsCollectionContext): Promise<KmsCollection> {
  const snapshot: KmsSnapshot = {
    accountId: context.accountId,
    region: context.region,
    partition: context.partition,
    keys: [],
  };
  const errors: UnitCollectionError[] = [];
  const notFound: string[] = [];
  let listed: { id: string; arn: string }[];
  try {
    listed = context.keys
      ? context.keys.map((key) => ({ id: key.id, arn: key.arn ?? '' }))
      : await listKeys(client, context.signal);
  } catch (error) {
    errors.push({ collector: 'kms:keys', error: asCollectionError('kms:ListKeys', error) });
    return { snapshot, errors, notFound };
  }

  const limit = pLimit(context.concurrency ?? 8);
  // Every DescribeKey first: who refused a key (its policy or the role) is decided from the whole unit.
  const refused: { entry: { id: string; arn: string }; refusal: KeyRefusal }[] = [];
  await Promise.all(
    listed.map((entry) =>
      limit(async () => {
        try {
          const response = await client.send(new DescribeKeyCommand({ KeyId: entry.id }), {
            abortSignal: context.signal,
          });
          if (response.KeyMetadata === undefined) throw new Error('DescribeKey returned no KeyMetadata');
          snapshot.keys.push(toKey(response.KeyMetadata, entry.id, arnOf(entry, context)));
        } catch (error) {
          const code = errorCode(error);
          // Deleted between ListKeys and DescribeKey: the key is simply gone.
          if (code === 'NotFoundException') {
            notFound.push(entry.id);
            return;
          }
          if (isAccessDenied(code)) {
            const refusal = { keyId: entry.id, call: 'kms:DescribeKey', code, message: errorMessage(error) };
            refused.push({ entry, refusal });
            return;
          }
          errors.push({
            collector: 'kms:keys',
            error: asCollectionError(`kms:DescribeKey ${entry.id}`, error),
          });
        }
      }),
    ),
  );
  const readable = snapshot.keys.length;
  const classified = refused.map((r) => ({ ...r, ...classifyRefusal(r.refusal, readable) }));
  const byRole = classified.filter((r) => r.cause === 'member-role');
  if (byRole.length > 0) {
    // The role, not the keys: one error for the operator, no per-key findings, nothing archived.
    const first = byRole[0]!;
    errors.push({
      collector: 'kms:keys',
      error: new CollectionError(
        'kms:DescribeKey',
        first.refusal.code,
        `the member role cannot read keys: ${first.why}; ${byRole.length} of ${listed.length} listed ` +
          `key${listed.length === 1 ? '' : 's'} refused (first: ${first.refusal.message})`,
      ),
    });
    snapshot.keys = [];
    return { snapshot, errors, notFound };
  }
  for (const { entry, refusal, why } of classified)
    snapshot.keys.push(refusedKey(entry, refusal, why, context));

  await Promise.all(
    snapshot.keys.map((key) =>
      limit(async () => {
        for (const { collector, wanted } of context.details) {
          const error = await collectDetail(client, key, collector, wanted, context);
          if (error !== undefined) errors.push({ collector: collector.name, error });
        }
      }),
    ),
  );
  // Keys arrive in completion order; sort for stable output.
  snapshot.keys.sort((a, b) => a.arn.localeCompare(b.arn));
  return { snapshot, errors, notFound };
}

async function listKeys(client: KMSClient, signal?: AbortSignal): Promise<{ id: string; arn: string }[]> {
  const listed: { id: string; arn: string }[] = [];
  const pages = paginate(
    'kms:ListKeys',
    (Marker) => client.send(new ListKeysCommand({ Limit: 1000, Marker }), { abortSignal: signal }),
    (page) => ({ token: page.NextMarker, truncated: page.Truncated }),
  );
  for await (const page of pages) {
    for (const entry of page.Keys ?? []) {
      if (entry.KeyId !== undefined) listed.push({ id: entry.KeyId, arn: entry.KeyArn ?? '' });
    }
  }
  return listed;
}

function arnOf(entry: { id: string; arn: string }, context: KmsCollectionContext): string {
  return entry.arn || `arn:${context.partition}:kms:${context.region}:${context.accountId}:key/${entry.id}`;
}

/** A listed key whose policy refused DescribeKey: what ListKeys said, its metadata unknown. */
function refusedKey(
  entry: { id: string; arn: string },
  refusal: KeyRefusal,
  why: string,
  context: KmsCollectionContext,
): KmsKey {
  return {
    keyId: entry.id,
    arn: arnOf(entry, context),
    keyManager: 'UNKNOWN',
    keyState: 'UNKNOWN',
    keySpec: 'UNKNOWN',
    origin: 'UNKNOWN',
    describeRefused: { code: refusal.code, message: refusal.message, why },
  };
}

async function collectDetail(
  client: KMSClient,
  key: KmsKey,
  collector: KeyDetailCollector,
  wanted: (key: KmsKey) => boolean,
  context: KmsCollectionContext,
): Promise<CollectionError | undefined> {
  try {
    if (!collector.appliesTo(key) || !wanted(key)) return undefined;
  } catch (error) {
    return asCollectionError(collector.name, error);
  }
  await context.beforeDetailCall?.(collector.operation);
  return collector.collect(client, key, context.signal);
}
