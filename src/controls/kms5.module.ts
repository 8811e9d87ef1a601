/** KMS.5 as a module: the key policy of each customer managed key, read with GetKeyPolicy. */
import { DEFAULT_RESTRICTING_KEYS } from '../policy/key-policy/index.js';
import { evaluateKms5, isInKms5Scope } from './kms5.js';
import { collected, defineControl } from './module.js';
import type { ParamEnvironment, ParamResult } from './params.js';
import { Reader } from './params.js';

export interface Kms5Params {
  /** Condition keys whose fixed values restrict a statement open to everyone (SEMANTICS.md rule 4). */
  restrictingConditionKeys: string[];
  /** Every KMS action (from the environment): what a statement can open. */
  kmsActions: string[];
}

const PARAMETERS = ['restrictingConditionKeys'] as const;
const CONDITION_KEY = /^[A-Za-z0-9-]+:[A-Za-z0-9]+$/;

export function resolveKms5Params(input: unknown, env: ParamEnvironment): ParamResult<Kms5Params> {
  const reader = new Reader('KMS.5', input, PARAMETERS);
  const keys = reader.stringList('restrictingConditionKeys', DEFAULT_RESTRICTING_KEYS);
  const invalid = keys.filter((key) => !CONDITION_KEY.test(key));
  if (invalid.length > 0) {
    reader.fail(
      'restrictingConditionKeys',
      `${invalid.map((key) => `'${key}'`).join(', ')} ${invalid.length === 1 ? 'is' : 'are'} not a condition ` +
        'key (write them as service:Name, e.g. aws:PrincipalOrgID)',
    );
  }
  // An empty list would make every statement open to everyone public: allowed, it is the strictest reading.
  return reader.result({
    restrictingConditionKeys: [...new Set(keys)],
    kmsActions: [...env.knownKmsActions],
  });
}

export const kms5Module = defineControl({
  id: 'KMS.5',
  runsIn: 'every-region',
  needs: ['kms:keys', 'kms:key-policy'],
  detailsFor: isInKms5Scope,
  changeEvents: ['CreateKey', 'ReplicateKey', 'PutKeyPolicy'],
  awsActions: ['kms:ListKeys', 'kms:DescribeKey', 'kms:GetKeyPolicy'],
  parameters: { names: PARAMETERS, resolve: resolveKms5Params },
  checksDocuments: 'key-policy',
  evaluate(collection, params: Kms5Params) {
    return evaluateKms5(collected(collection.kms, 'kms:keys', 'KMS.5'), params);
  },
});
