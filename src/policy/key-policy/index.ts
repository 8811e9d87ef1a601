/** KMS.5 key-policy analysis. Pure: no AWS SDK, no I/O; the KMS action list comes from the caller. */
export type * from './types.js';
export { DEFAULT_RESTRICTING_KEYS } from './types.js';
export { evaluateKeyPolicyPublicAccess } from './evaluate.js';
