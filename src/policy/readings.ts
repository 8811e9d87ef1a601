/**
 * A document with duplicated members means different things to different readers (JSON.parse keeps the
 * last value, others the first or reject it). keywarden evaluates every reading -- each duplicated member
 * taking each of its values -- and reports the worst verdict: FAILED if any reading fails, otherwise
 * NOT_AVAILABLE if any reading cannot be evaluated, PASSED only when every reading passes.
 *
 * k duplicated members give up to 2^k readings, so at most MAX_READINGS are evaluated, and fewer for a
 * long document: all readings together cost no more than one document of the largest size accepted
 * (MAX_DOCUMENT_CHARS), so duplicates cannot multiply an attacker's CPU time. Beyond that the
 * answer stays sound: FAILED when an evaluated reading fails (its evidence is real), otherwise
 * NOT_AVAILABLE (code AMBIGUOUS), never PASSED for a document not read every way.
 */
import { analyzePolicy as analyzeReading } from './analyze.js';
import { choiceTree, countReadings, readingsOf, scanDuplicates } from './duplicates.js';
import { decodeDocument, MAX_DOCUMENT_CHARS } from './parse.js';
import type { AnalyzeOptions, PolicyAmbiguity, PolicyAnalysis } from './types.js';

export const MAX_READINGS = 32;

/** How reasons name the duplicated members (the first few). */
export function describeDuplicates(members: readonly string[]): string {
  const shown = members.slice(0, 5).join(', ');
  return members.length > 5 ? `${shown} and ${members.length - 5} more` : shown;
}

/** The members a document (JSON text, URL-encoded or not) names twice or more in one object. */
export function duplicateMembersOf(document: unknown): string[] {
  const decoded = decodeDocument(document);
  if (!decoded.ok || decoded.text === undefined) return [];
  return scanDuplicates(decoded.text).duplicates.map((d) => d.path);
}

/** Analyses a policy document (object, JSON text or URL-encoded JSON text); duplicated members included. */
export function analyzePolicy(
  document: unknown,
  blockedActions: readonly string[],
  options: AnalyzeOptions = {},
): PolicyAnalysis {
  const decoded = decodeDocument(document);
  // Objects cannot hold duplicates; undecodable input gets its own error from the analysis.
  if (!decoded.ok || decoded.text === undefined) return analyzeReading(document, blockedActions, options);
  const scan = scanDuplicates(decoded.text);
  if (scan.duplicates.length === 0) return analyzeReading(decoded.value, blockedActions, options);

  const duplicatedMembers = scan.duplicates.map((d) => d.path);
  const members = describeDuplicates(duplicatedMembers);
  let readings: unknown[];
  let total: number;
  try {
    const tree = choiceTree(decoded.text, scan);
    total = countReadings(tree);
    const affordable = Math.floor(MAX_DOCUMENT_CHARS / Math.max(1, decoded.text.length));
    readings = readingsOf(tree, Math.max(2, Math.min(MAX_READINGS, affordable)));
  } catch (error) {
    // Stryker disable next-line ConditionalExpression: only a RangeError can be thrown
    if (!(error instanceof RangeError)) throw error;
    return {
      ok: false,
      verdict: 'NOT_AVAILABLE',
      error: {
        code: 'AMBIGUOUS',
        message: `the document has duplicate keys (${members}) nested too deeply to read every way`,
      },
    };
  }
  const analyses = readings.map((reading) => analyzeReading(reading, blockedActions, options));
  const ambiguity: PolicyAmbiguity = { duplicatedMembers, readings: total, evaluated: analyses.length };
  const failed = analyses.find((a) => a.verdict === 'FAILED');
  if (failed !== undefined && failed.ok) return { ...failed, ambiguity };
  if (total > analyses.length) {
    return {
      ok: false,
      verdict: 'NOT_AVAILABLE',
      error: {
        code: 'AMBIGUOUS',
        message:
          `the document has duplicate keys (${members}) that give ${Number.isFinite(total) ? total : 'too many'} readings; ` +
          `none of the ${analyses.length} evaluated fails, but a document not read every way is not passed`,
      },
    };
  }
  const invalid = analyses.find((a) => !a.ok);
  if (invalid !== undefined && !invalid.ok) {
    return {
      ok: false,
      verdict: 'NOT_AVAILABLE',
      error: {
        ...invalid.error,
        message: `in one reading of its duplicate keys (${members}): ${invalid.error.message}`,
      },
    };
  }
  return { ...(analyses[0] as Extract<PolicyAnalysis, { ok: true }>), ambiguity };
}
