/** Decides one found policy: the engine's verdict, or, with values unknown until deployment, both cases. */
import { analyzePolicy } from '../policy/analyze.js';
import type { PublicStatement } from '../policy/key-policy/index.js';
import type { ActionCoverage, PolicyError } from '../policy/types.js';
import type { FoundPolicy, PolicyControl } from './extract.js';
import type { Position } from './source.js';
import type { UnknownReport } from './result-base.js';
import { resultBase, unknownReports } from './result-base.js';
import { findUnknowns, resolveUnknowns } from './unknowns.js';

export type { UnknownReport } from './result-base.js';

export type CheckVerdict = 'PASSED' | 'FAILED' | 'NOT_AVAILABLE' | 'UNKNOWN';

export interface PolicyResult {
  /** The input as given on the command line (`-` for standard input). */
  file: string;
  name?: string;
  control: PolicyControl;
  position?: Position;
  verdict: CheckVerdict;
  /**
   * The coverage of each blocked action: exact without unknown values; otherwise the best case for a
   * FAILED policy, the worst case for PASSED and UNKNOWN.
   */
  actions: ActionCoverage[];
  /** Where each statement starts, by index (when the input shows it). */
  statementPositions: (Position | undefined)[];
  unknowns: UnknownReport[];
  error?: PolicyError;
  /** Key policies: the verdict explained (statements open to everyone, why conditions do not restrict). */
  explanation?: string;
  /** Key policies: the statements open to everyone. */
  publicStatements?: PublicStatement[];
}

export interface EvaluateOptions {
  blockedActions: readonly string[];
  partition: string;
  locate: (value: unknown) => Position | undefined;
}

export function evaluatePolicy(file: string, found: FoundPolicy, options: EvaluateOptions): PolicyResult {
  const analyze = (document: unknown) =>
    analyzePolicy(document, options.blockedActions, { partition: options.partition });
  const base = resultBase(file, found, options.locate);
  const unknowns = unknownReports(findUnknowns(found.document), options.locate);
  if (unknowns.length === 0) {
    const analysis = analyze(found.document);
    return analysis.ok
      ? { ...base, verdict: analysis.verdict, actions: analysis.actions, unknowns }
      : { ...base, verdict: 'NOT_AVAILABLE', actions: [], unknowns, error: analysis.error };
  }
  const worst = analyze(resolveUnknowns(found.document, 'worst'));
  const best = analyze(resolveUnknowns(found.document, 'best'));
  if (!worst.ok) return { ...base, verdict: 'NOT_AVAILABLE', actions: [], unknowns, error: worst.error };
  if (!best.ok) return { ...base, verdict: 'NOT_AVAILABLE', actions: [], unknowns, error: best.error };
  if (best.verdict === 'FAILED') return { ...base, verdict: 'FAILED', actions: best.actions, unknowns };
  if (worst.verdict === 'PASSED') return { ...base, verdict: 'PASSED', actions: worst.actions, unknowns };
  return { ...base, verdict: 'UNKNOWN', actions: worst.actions, unknowns };
}
