/**
 * What a unit collects, by collector name. Controls declare the names they need; scan/ runs exactly
 * those collectors, and a collector's failure leaves incomplete exactly the controls that need it.
 */
import type { IamSnapshot, KmsSnapshot } from './snapshot.js';

export const COLLECTOR_NAMES = [
  /** One paginated GetAccountAuthorizationDetails (IAM is global: home region only). */
  'iam:authorization-details',
  /** The key inventory: ListKeys once, DescribeKey per key; shared by every key control. */
  'kms:keys',
  /** GetKeyRotationStatus per key (needs the inventory). */
  'kms:rotation',
  /** GetKeyPolicy (`default`) per customer managed key (needs the inventory). */
  'kms:key-policy',
] as const;
export type CollectorName = (typeof COLLECTOR_NAMES)[number];

/** Collectors that add a detail to keys of the inventory, one call per key that needs it. */
export type KeyDetailCollectorName = Exclude<CollectorName, 'iam:authorization-details' | 'kms:keys'>;

/** The snapshots of one unit; a snapshot is absent when no control needed it or its collection failed. */
export interface UnitCollection {
  iam?: IamSnapshot;
  kms?: KmsSnapshot;
}
