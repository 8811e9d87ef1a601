/**
 * `kms:key-policy`: GetKeyPolicy (PolicyName `default`, the only name KMS has) for each customer managed
 * key. AccessDenied is an answer about the key (its policy is unreadable); anything else, such as
 * throttling, a 5xx or a timeout, leaves the collection incomplete so that nothing is archived.
 */
import { GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { asCollectionError, CollectionError, errorCode, errorMessage } from '../aws/errors.js';
import type { KeyDetailCollector } from './key-detail.js';
import { classifyDetailRefusal, isAccessDenied } from './refusals.js';

export const keyPolicyCollector: KeyDetailCollector = {
  name: 'kms:key-policy',
  operation: 'GetKeyPolicy',
  // AWS managed keys' policies are AWS's to write: only customer managed keys are in scope, and keys
  // whose DescribeKey was refused (an AWS managed key never refuses a role that may call it).
  appliesTo: (key) => key.keyManager === 'CUSTOMER' || key.describeRefused !== undefined,
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
      // Refused by the key's policy: an answer (KMS.5 FAILED). Refused by the role's own IAM or SCPs: the
      // collection is incomplete, like throttling or a 5xx.
      if (isAccessDenied(code)) {
        const message = errorMessage(error);
        const refusal = { keyId: key.keyId, call: 'kms:GetKeyPolicy', code, message };
        if (classifyDetailRefusal(refusal).cause === 'key-policy') {
          key.keyPolicy = { kind: 'unreadable', code, message };
          return undefined;
        }
      }
      return asCollectionError(`kms:GetKeyPolicy ${key.keyId}`, error);
    }
  },
};
