import type { AnalyzeOptions, PolicyAnalysis } from './types.js';

/** STUB: replaced by the exact engine. */
export function analyzePolicy(
  _document: unknown,
  _blockedActions: readonly string[],
  _options: AnalyzeOptions = {},
): PolicyAnalysis {
  return {
    ok: false,
    verdict: 'NOT_AVAILABLE',
    error: { code: 'TOO_COMPLEX', message: 'not implemented yet' },
  };
}
