/**
 * `kms:key-policy`: GetKeyPolicy (PolicyName `default`, the only name KMS has) for each customer managed
 * key. AccessDenied is an answer about the key (its policy is unreadable); anything else, such as
 * throttling, a 5xx or a timeout, leaves the collection incomplete so that nothing is archived.
 */
import { GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { asCollectionError, CollectionError, errorCode, errorMessage } from './errors.js';
import type { KeyDetailCollector } from './key-detail.js';

export const keyPolicyCollector: KeyDetailCollector = {
  name: 'kms:key-policy',
  operation: 'GetKeyPolicy',
  // AWS managed keys' policies are AWS's to write: only customer managed keys are in scope.
  appliesTo: (key) => key.keyManager === 'CUSTOMER',
  async collect(client, key, signal) {
    try {
      const response = await client.send(
        new GetKeyPolicyCommand({ KeyId: key.keyId, PolicyName: 'default' }),
        {
          abortSignal: signal,
        },
      );
      if (response.Policy === undefined) {
        return new CollectionError(
          'kms:GetKeyPolicy',
          'MissingField',
          `GetKeyPolicy returned no Policy for ${key.keyId}`,
        );
      }
      key.keyPolicy = { kind: 'document', document: response.Policy };
      return undefined;
    } catch (error) {
      const code = errorCode(error);
      if (/AccessDenied/.test(code)) {
        key.keyPolicy = { kind: 'unreadable', code, message: errorMessage(error) };
        return undefined;
      }
      return asCollectionError(`kms:GetKeyPolicy ${key.keyId}`, error);
    }
  },
};
