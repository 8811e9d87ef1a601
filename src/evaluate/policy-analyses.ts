/**
 * Analyses every policy document of an IAM snapshot that KMS.1/KMS.2 may read, through the policy pool,
 * before the (synchronous, pure) controls run; the controls then look the analyses up.
 */
import type { PolicyAnalysisLookup } from '../controls/context.js';
import { defaultVersionOf } from '../controls/kms1.js';
import type { IamSnapshot } from '../model/snapshot.js';
import type { PolicyAnalysis } from '../policy/index.js';
import type { PolicyEvaluator } from './policy-pool.js';

export async function analyzeSnapshotPolicies(
  snapshot: IamSnapshot,
  blockedActionSets: readonly (readonly string[])[],
  evaluator: PolicyEvaluator,
): Promise<PolicyAnalysisLookup> {
  const documents = new Set<unknown>();
  for (const policy of snapshot.managedPolicies) {
    const version = defaultVersionOf(policy);
    if (version !== undefined) documents.add(version.document);
  }
  for (const identity of snapshot.identities)
    for (const inline of identity.inlinePolicies) documents.add(inline.document);
  // Keyed by the document value itself (text by value, objects by identity), then by the action set.
  const analyses = new Map<unknown, Map<string, PolicyAnalysis>>();
  const actionSets = [...new Map(blockedActionSets.map((set) => [set.join('\u0000'), [...set]])).entries()];
  await Promise.all(
    [...documents].flatMap((document) =>
      actionSets.map(async ([key, blockedActions]) => {
        const analysis = await evaluator.analyze({ document, blockedActions, partition: snapshot.partition });
        let byActions = analyses.get(document);
        if (byActions === undefined) analyses.set(document, (byActions = new Map()));
        byActions.set(key, analysis);
      }),
    ),
  );
  return (document, blockedActions, partition) =>
    partition === snapshot.partition ? analyses.get(document)?.get(blockedActions.join('\u0000')) : undefined;
}
