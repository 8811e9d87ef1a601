/**
 * A per-key detail collector: one call per key of the inventory that needs the detail (rotation status,
 * key policy). Each collector decides which keys the detail exists for and which failures are an answer
 * about the key (kept on the key) rather than an incomplete collection.
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import type { KeyDetailCollectorName } from '../model/collection.js';
import type { KmsKey } from '../model/snapshot.js';
import type { CollectionError } from '../aws/errors.js';
import type { KMS_QUOTAS } from '../aws/quotas.js';

/** A KMS operation that is called once per key: each has its quota (a compile error otherwise). */
export type KeyDetailOperation = keyof typeof KMS_QUOTAS;

export interface KeyDetailCollector {
  readonly name: KeyDetailCollectorName;
  /** The KMS operation it calls, for quotas. */
  readonly operation: KeyDetailOperation;
  /** Whether the key has this detail; throws a CollectionError when its metadata cannot tell. */
  appliesTo(key: KmsKey): boolean;
  /** Reads the detail into the key; returns an error when the collection is incomplete for this key. */
  collect(client: KMSClient, key: KmsKey, signal?: AbortSignal): Promise<CollectionError | undefined>;
}
