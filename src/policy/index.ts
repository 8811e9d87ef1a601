/** The IAM policy engine's public surface. Pure: no AWS SDK, no I/O. */
export type * from './types.js';
export { actionMatches, expandActionPatterns, splitActionPatterns } from './actions.js';
export { analyzePolicy, describeDuplicates, duplicateMembersOf, MAX_READINGS } from './readings.js';
export { parsePolicyDocument } from './parse.js';
export type { ParsedPolicy, ParsedStatement } from './parse.js';
export { describeStatement, explainAction, explainAnalysis, statementLabel } from './explain.js';
