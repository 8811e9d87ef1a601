/**
 * Analyses the policy documents a control reads, through the policy pool, before its (synchronous,
 * pure) evaluator runs; the evaluator then looks the analyses up.
 */
import type { PolicyAnalysisLookup } from '../controls/context.js';
import type { PolicyAnalysis } from '../policy/index.js';
import type { PolicyEvaluator } from './policy-pool.js';

export async function analyzeDocuments(
  documents: readonly unknown[],
  blockedActions: readonly string[],
  partition: string,
  evaluator: PolicyEvaluator,
): Promise<PolicyAnalysisLookup> {
  // Keyed by the document value itself (text by value, objects by identity): each document once.
  const analyses = new Map<unknown, PolicyAnalysis>();
  const unique = [...new Set(documents)];
  await Promise.all(
    unique.map(async (document) => {
      analyses.set(
        document,
        await evaluator.analyze({ document, blockedActions: [...blockedActions], partition }),
      );
    }),
  );
  const key = blockedActions.join('\u0000');
  return (document, actions, at) =>
    at === partition && actions.join('\u0000') === key ? analyses.get(document) : undefined;
}
