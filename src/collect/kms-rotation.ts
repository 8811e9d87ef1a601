/** `kms:rotation`: GetKeyRotationStatus for the keys a control asks it for. */
import { GetKeyRotationStatusCommand } from '@aws-sdk/client-kms';
import type { RotationStatus } from '../model/snapshot.js';
import { asCollectionError, CollectionError, errorCode, errorMessage } from '../aws/errors.js';
import type { KeyDetailCollector } from './key-detail.js';
import { classifyDetailRefusal, isAccessDenied } from './refusals.js';

export const rotationCollector: KeyDetailCollector = {
  name: 'kms:rotation',
  operation: 'GetKeyRotationStatus',
  appliesTo(key) {
    // Locked out of DescribeKey: KMS.4 cannot even tell whether the key rotates; its finding says so.
    if (key.describeRefused !== undefined) return false;
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
      // The key's policy refusing the audit role is an answer about this key (KMS.4 WARNING); the role
      // lacking the permission, throttling, 5xx and timeouts leave the collection incomplete.
      if (isAccessDenied(code)) {
        const refusal = {
          keyId: key.keyId,
          call: 'kms:GetKeyRotationStatus',
          code,
          message: errorMessage(error),
        };
        const { cause, why } = classifyDetailRefusal(refusal);
        if (cause === 'key-policy') {
          key.rotation = { kind: 'error', code, message: refusal.message, why };
          return undefined;
        }
      }
      return asCollectionError(`kms:GetKeyRotationStatus ${key.keyId}`, error);
    }
  },
};
