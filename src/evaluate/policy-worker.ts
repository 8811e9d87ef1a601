/** Worker-thread entry of the policy pool: one task = one document analysed by the pure engine. */
import { analyzePolicy } from '../policy/index.js';
import type { PolicyAnalysis } from '../policy/index.js';
import type { PolicyTask } from './policy-task.js';

export default function analyze(task: PolicyTask): PolicyAnalysis {
  return analyzePolicy(task.document, task.blockedActions, { partition: task.partition });
}
