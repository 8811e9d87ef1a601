/** ASFF findings: pure mapping, limits and batching. */
export type { AsffFinding, AsffResource, SeverityLabel } from './types.js';
export { ASFF_LIMITS } from './types.js';
export { archiveFinding, defaultProductArn, findingId, generatorId, toFinding, truncate } from './map.js';
export type { FindingIdInput, MappingContext } from './map.js';
export { batchFindings, validateFinding } from './validate.js';
