/**
 * The controls keywarden knows: the only literal list of their ids. Everything else (config schema,
 * scope schema, registry, reports) is built from it, so a control is added here once.
 */
export const CONTROL_IDS = ['KMS.1', 'KMS.2', 'KMS.3', 'KMS.4', 'KMS.5'] as const;
export type ControlId = (typeof CONTROL_IDS)[number];
