/**
 * Analyses every policy document of an IAM snapshot that KMS.1/KMS.2 may read, through the policy pool,
 * before the (synchronous, pure) controls run; the controls then look the analyses up.
 */
import type { PolicyAnalysisLookup } from '../controls/context.js';
import { defaultVersionOf } from '../controls/kms1.js';
import type { IamSnapshot } from '../model/snapshot.js';
import type { PolicyAnalysis } from '../policy/index.js';
import type { PolicyEvaluator } from './policy-pool.js';

/** Which documents a control reads: KMS.1 managed policies' default versions, KMS.2 inline policies. */
export interface PolicyRequest {
  documents: 'managed' | 'inline';
  blockedActions: readonly string[];
}

export async function analyzeSnapshotPolicies(
  snapshot: IamSnapshot,
  requests: readonly PolicyRequest[],
  evaluator: PolicyEvaluator,
): Promise<PolicyAnalysisLookup> {
  // Action set -> document -> the actions (each document once per action set).
  const tasks = new Map<string, Map<unknown, string[]>>();
  const add = (document: unknown, blockedActions: readonly string[]): void => {
    const key = blockedActions.join('\u0000');
    const documents = tasks.get(key) ?? new Map<unknown, string[]>();
    documents.set(document, [...blockedActions]);
    tasks.set(key, documents);
  };
  for (const request of requests) {
    if (request.documents === 'managed') {
      for (const policy of snapshot.managedPolicies) {
        const version = defaultVersionOf(policy);
        if (version !== undefined) add(version.document, request.blockedActions);
      }
    } else {
      for (const identity of snapshot.identities)
        for (const inline of identity.inlinePolicies) add(inline.document, request.blockedActions);
    }
  }
  // Keyed by the document value itself (text by value, objects by identity), then by the action set.
  const analyses = new Map<unknown, Map<string, PolicyAnalysis>>();
  await Promise.all(
    [...tasks.entries()].flatMap(([key, documents]) =>
      [...documents].map(async ([document, blockedActions]) => {
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
