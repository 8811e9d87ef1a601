/** `kms:rotation`: GetKeyRotationStatus for the keys a control asks it for. */
import { GetKeyRotationStatusCommand } from '@aws-sdk/client-kms';
import type { RotationStatus } from '../model/snapshot.js';
import { asCollectionError, CollectionError, errorCode, errorMessage } from './errors.js';
import type { KeyDetailCollector } from './key-detail.js';

export const rotationCollector: KeyDetailCollector = {
  name: 'kms:rotation',
  operation: 'GetKeyRotationStatus',
  appliesTo(key) {
    // Which keys can rotate depends on both: without them the collection cannot be complete.
    if (key.keySpec === 'UNKNOWN' || key.origin === 'UNKNOWN') {
      throw new CollectionError(
        'kms:DescribeKey',
        'MissingField',
        `DescribeKey returned no KeySpec or Origin for ${key.keyId}`,
      );
    }
    return true;
  },
  async collect(client, key, signal) {
    try {
      const response = await client.send(new GetKeyRotationStatusCommand({ KeyId: key.keyId }), {
        abortSignal: signal,
      });
      if (!response.KeyRotationEnabled) {
        key.rotation = { kind: 'disabled' };
        return undefined;
      }
      const status: RotationStatus = { kind: 'enabled' };
      if (response.RotationPeriodInDays !== undefined)
        status.rotationPeriodInDays = response.RotationPeriodInDays;
      if (response.NextRotationDate !== undefined)
        status.nextRotationDate = response.NextRotationDate.toISOString();
      key.rotation = status;
      return undefined;
    } catch (error) {
      const code = errorCode(error);
      if (code === 'UnsupportedOperationException') {
        key.rotation = { kind: 'unsupported', message: errorMessage(error) };
        return undefined;
      }
      key.rotation = { kind: 'error', code, message: errorMessage(error) };
      // AccessDenied is an answer about this key (NOT_AVAILABLE); anything else leaves the collection incomplete.
      return /AccessDenied/.test(code)
        ? undefined
        : asCollectionError(`kms:GetKeyRotationStatus ${key.keyId}`, error);
    }
  },
};
