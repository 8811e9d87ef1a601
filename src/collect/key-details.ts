/** The per-key detail collectors by name: the scan runs those its unit's controls need. */
import type { KeyDetailCollectorName } from '../model/collection.js';
import type { KeyDetailCollector } from './key-detail.js';
import { keyPolicyCollector } from './kms-key-policy.js';
import { rotationCollector } from './kms-rotation.js';

export const KEY_DETAIL_COLLECTORS: { readonly [N in KeyDetailCollectorName]: KeyDetailCollector } = {
  'kms:rotation': rotationCollector,
  'kms:key-policy': keyPolicyCollector,
};
