/**
 * KMS.5 key-policy analysis (SEMANTICS.md, KMS.5). Pure: no AWS SDK, no I/O; the KMS action list and
 * the restricting condition keys come from the caller (the catalog).
 *
 * Choices where SEMANTICS.md and AWS are silent:
 * - Condition operator names compare case-insensitively, like condition keys (see condition.ts).
 * - `${...}` is a policy variable only in a `2012-10-17` document; before that it is literal text.
 * - A condition value that is a number or boolean is not a fixed string, so it does not restrict;
 *   a nested object or null is a malformed document.
 * - `Resource` is not weighed (in a key policy it names the key itself) but must be present, as KMS
 *   requires; every statement needs exactly one of Principal / NotPrincipal. Otherwise NOT_AVAILABLE.
 * - A Deny with NotPrincipal counts as a Deny on everyone (rule 2's sense of everyone).
 * - An `aws:SourceIp` value is open when its prefix, at the end of the value (whitespace after it allowed),
 *   is the number 0 (`/0`, `/00`); text with more after the prefix (`0.0.0.0/0x`) is no CIDR, so it is
 *   read as a fixed value.
 */
export type * from './types.js';
export { DEFAULT_RESTRICTING_KEYS } from './types.js';
export { evaluateKeyPolicyPublicAccess } from './evaluate.js';
