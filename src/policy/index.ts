/** The IAM policy engine's public surface. Pure: no AWS SDK, no I/O. */
export type * from './types.js';
export { actionMatches, expandActionPatterns, splitActionPatterns } from './actions.js';
export { analyzePolicy } from './analyze.js';
export { parsePolicyDocument } from './parse.js';
export type { ParsedPolicy, ParsedStatement } from './parse.js';
export { describeStatement, explainAction, explainAnalysis, statementLabel } from './explain.js';
