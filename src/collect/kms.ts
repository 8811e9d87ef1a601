/**
 * Collects one account and region's KMS keys: ListKeys, DescribeKey for each, and GetKeyRotationStatus
 * only for keys in KMS.4's scope. Per-key failures are recorded against the controls they affect, so a
 * partial collection never archives findings.
 */
import type { KeyMetadata, KMSClient } from '@aws-sdk/client-kms';
import { DescribeKeyCommand, GetKeyRotationStatusCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import pLimit from 'p-limit';
import type { ControlId } from '../model/result.js';
import type { KmsKey, KmsSnapshot, RotationStatus } from '../model/snapshot.js';
import { asCollectionError, CollectionError, errorCode, errorMessage } from '../aws/errors.js';
import { paginate } from '../aws/paginate.js';

export interface KmsCollectionContext {
  accountId: string;
  region: string;
  partition: string;
  /** Collect rotation status (KMS.4 enabled for this unit). */
  rotation: boolean;
  /** Decides which keys need GetKeyRotationStatus (KMS.4's scope). */
  inRotationScope: (key: KmsKey) => boolean;
  /** Concurrent DescribeKey / GetKeyRotationStatus calls within this unit. */
  concurrency?: number;
  signal?: AbortSignal;
}

export interface UnitCollectionError {
  /** The controls whose collection this error leaves incomplete. */
  controls: ControlId[];
  error: CollectionError;
}

export interface KmsCollection {
  snapshot: KmsSnapshot;
  errors: UnitCollectionError[];
}

const KEY_CONTROLS: ControlId[] = ['KMS.3', 'KMS.4'];

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

async function rotationOf(client: KMSClient, key: KmsKey, signal?: AbortSignal): Promise<RotationStatus> {
  const response = await client.send(new GetKeyRotationStatusCommand({ KeyId: key.keyId }), {
    abortSignal: signal,
  });
  if (!response.KeyRotationEnabled) return { kind: 'disabled' };
  const status: RotationStatus = { kind: 'enabled' };
  if (response.RotationPeriodInDays !== undefined)
    status.rotationPeriodInDays = response.RotationPeriodInDays;
  if (response.NextRotationDate !== undefined)
    status.nextRotationDate = response.NextRotationDate.toISOString();
  return status;
}

export async function collectKms(client: KMSClient, context: KmsCollectionContext): Promise<KmsCollection> {
  const snapshot: KmsSnapshot = {
    accountId: context.accountId,
    region: context.region,
    partition: context.partition,
    keys: [],
  };
  const errors: UnitCollectionError[] = [];
  const listed: { id: string; arn: string }[] = [];
  try {
    const pages = paginate(
      'kms:ListKeys',
      (Marker) => client.send(new ListKeysCommand({ Limit: 1000, Marker }), { abortSignal: context.signal }),
      (page) => ({ token: page.NextMarker, truncated: page.Truncated }),
    );
    for await (const page of pages) {
      for (const entry of page.Keys ?? []) {
        if (entry.KeyId !== undefined) listed.push({ id: entry.KeyId, arn: entry.KeyArn ?? '' });
      }
    }
  } catch (error) {
    errors.push({ controls: KEY_CONTROLS, error: asCollectionError('kms:ListKeys', error) });
    return { snapshot, errors };
  }

  const limit = pLimit(context.concurrency ?? 8);
  await Promise.all(
    listed.map((entry) =>
      limit(async () => {
        let key: KmsKey;
        try {
          const response = await client.send(new DescribeKeyCommand({ KeyId: entry.id }), {
            abortSignal: context.signal,
          });
          if (response.KeyMetadata === undefined) throw new Error('DescribeKey returned no KeyMetadata');
          key = toKey(
            response.KeyMetadata,
            entry.id,
            entry.arn ||
              `arn:${context.partition}:kms:${context.region}:${context.accountId}:key/${entry.id}`,
          );
        } catch (error) {
          // Deleted between ListKeys and DescribeKey: the key is simply gone.
          if (errorCode(error) === 'NotFoundException') return;
          errors.push({
            controls: KEY_CONTROLS,
            error: asCollectionError(`kms:DescribeKey ${entry.id}`, error),
          });
          return;
        }
        if (context.rotation && (key.keySpec === 'UNKNOWN' || key.origin === 'UNKNOWN')) {
          // KMS.4's scope depends on both: without them that control cannot be complete here.
          errors.push({
            controls: ['KMS.4'],
            error: new CollectionError(
              'kms:DescribeKey',
              'MissingField',
              `DescribeKey returned no KeySpec or Origin for ${entry.id}`,
            ),
          });
        } else if (context.rotation && context.inRotationScope(key)) {
          try {
            key.rotation = await rotationOf(client, key, context.signal);
          } catch (error) {
            const code = errorCode(error);
            if (code === 'UnsupportedOperationException') {
              key.rotation = { kind: 'unsupported', message: errorMessage(error) };
            } else {
              key.rotation = { kind: 'error', code, message: errorMessage(error) };
              // AccessDenied is an answer about this key (NOT_AVAILABLE); anything else leaves KMS.4 incomplete.
              if (!/AccessDenied/.test(code)) {
                errors.push({
                  controls: ['KMS.4'],
                  error: asCollectionError(`kms:GetKeyRotationStatus ${entry.id}`, error),
                });
              }
            }
          }
        }
        snapshot.keys.push(key);
      }),
    ),
  );
  // Keys arrive in completion order; sort for stable output.
  snapshot.keys.sort((a, b) => a.arn.localeCompare(b.arn));
  return { snapshot, errors };
}
