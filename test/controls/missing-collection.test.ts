/**
 * A control evaluated without the collection it needs fails loudly, naming the control and the collection,
 * instead of deciding on nothing (the pipeline marks such controls incomplete before they get here).
 */
import { describe, expect, it } from 'vitest';
import { CONTROL_MODULES } from '../../src/controls/index.js';

const context = { region: 'us-east-1', now: new Date('2026-01-01T00:00:00Z') };

describe.each([
  ['KMS.1', 'iam:authorization-details'],
  ['KMS.2', 'iam:authorization-details'],
  ['KMS.3', 'kms:keys'],
  ['KMS.4', 'kms:keys'],
  ['KMS.5', 'kms:keys'],
] as const)('%s without its collection', (id, collector) => {
  it(`refuses, naming ${collector}`, async () => {
    const evaluate = async () =>
      (CONTROL_MODULES[id].evaluate as (c: object, p: object, x: object) => unknown)({}, {}, context);
    await expect(evaluate()).rejects.toThrow(`${id}: the ${collector} collection is missing`);
  });
});
