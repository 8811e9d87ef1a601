/** KMS.4 as a module: rotation status of the keys in its scope (the only keys it is asked for). */
import { evaluateKms4, isInKms4Scope } from './kms4.js';
import { collected, defineControl } from './module.js';
import type { ParamEnvironment, ParamResult } from './params.js';
import { Reader } from './params.js';
import { KEY_STATE_EVENTS } from './key-events.js';

export interface Kms4Params {
  /** keywarden's extra: FAILED when a key rotates less often than this. Undefined = not checked. */
  maxRotationPeriodDays?: number;
}

/** AWS accepts a custom rotation period of 90 to 2560 days; the catalog uses the same bounds. */
export const MIN_ROTATION_PERIOD_DAYS = 90;
export const MAX_ROTATION_PERIOD_DAYS = 2560;

const PARAMETERS = ['maxRotationPeriodDays'] as const;

export function resolveKms4Params(input: unknown, _env?: ParamEnvironment): ParamResult<Kms4Params> {
  const reader = new Reader('KMS.4', input, PARAMETERS);
  const max = reader.integer('maxRotationPeriodDays', MIN_ROTATION_PERIOD_DAYS, MAX_ROTATION_PERIOD_DAYS);
  return reader.result(max === undefined ? {} : { maxRotationPeriodDays: max });
}

export const kms4Module = defineControl({
  id: 'KMS.4',
  runsIn: 'every-region',
  needs: ['kms:keys', 'kms:rotation'],
  detailsFor: isInKms4Scope,
  changeEvents: KEY_STATE_EVENTS,
  awsActions: ['kms:ListKeys', 'kms:DescribeKey', 'kms:GetKeyRotationStatus'],
  parameters: { names: PARAMETERS, resolve: resolveKms4Params },
  evaluate(collection, params: Kms4Params) {
    return evaluateKms4(collected(collection.kms, 'kms:keys', 'KMS.4'), params);
  },
});
