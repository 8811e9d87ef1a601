/** KMS.3 as a module: customer managed keys pending deletion, from the key inventory alone. */
import { evaluateKms3 } from './kms3.js';
import { collected, defineControl } from './module.js';
import type { ParamEnvironment, ParamResult } from './params.js';
import { Reader } from './params.js';
import { KEY_STATE_EVENTS } from './key-events.js';

export interface Kms3Params {
  /** Key ids or key ARNs; empty means every customer managed key. */
  kmsKeyIds: string[];
}

const PARAMETERS = ['kmsKeyIds'] as const;
const KEY_ID = /^[A-Za-z0-9-]+$/;
const KEY_ARN = /^arn:[a-z0-9-]+:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

export function resolveKms3Params(input: unknown, _env?: ParamEnvironment): ParamResult<Kms3Params> {
  const reader = new Reader('KMS.3', input, PARAMETERS);
  const kmsKeyIds = reader.stringList('kmsKeyIds', []);
  const invalid = kmsKeyIds.filter((id) => !KEY_ID.test(id) && !KEY_ARN.test(id));
  if (invalid.length > 0) {
    reader.fail(
      'kmsKeyIds',
      `${invalid.map((id) => `'${id}'`).join(', ')} ${invalid.length === 1 ? 'is' : 'are'} neither a key id ` +
        'nor a key ARN (arn:<partition>:kms:<region>:<account>:key/<key-id>); aliases are not accepted',
    );
  }
  return reader.result({ kmsKeyIds: [...new Set(kmsKeyIds)] });
}

export const kms3Module = defineControl({
  id: 'KMS.3',
  runsIn: 'every-region',
  needs: ['kms:keys'],
  changeEvents: KEY_STATE_EVENTS,
  awsActions: ['kms:ListKeys', 'kms:DescribeKey'],
  parameters: { names: PARAMETERS, resolve: resolveKms3Params },
  evaluate(collection, params: Kms3Params, context) {
    return evaluateKms3(collected(collection.kms, 'kms:keys', 'KMS.3'), params, { now: context.now });
  },
});
