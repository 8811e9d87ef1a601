/** What every checked document's result starts with, whichever control decides it. */
import type { FoundPolicy } from './extract.js';
import type { Position } from './source.js';
import type { UnknownValue } from './unknowns.js';
import { describeUnknown } from './unknowns.js';

export interface UnknownReport {
  path: string;
  value: string;
  position?: Position;
}

function statementsOf(document: unknown): unknown[] {
  if (typeof document !== 'object' || document === null) return [];
  const statements = (document as Record<string, unknown>)['Statement'];
  return Array.isArray(statements) ? statements : statements === undefined ? [] : [statements];
}

/** The input, the document's name and place, and where each of its statements starts. */
export function resultBase(
  file: string,
  found: FoundPolicy,
  locate: (value: unknown) => Position | undefined,
) {
  return {
    file,
    ...(found.name !== undefined ? { name: found.name } : {}),
    control: found.control,
    ...(found.position ? { position: found.position } : {}),
    statementPositions: statementsOf(found.document).map((s) => locate(s)),
  };
}

/** The deploy-time values as reported: their path, a description, and where they are. */
export function unknownReports(
  unknowns: readonly UnknownValue[],
  locate: (value: unknown) => Position | undefined,
): UnknownReport[] {
  return unknowns.map((u) => {
    const position = locate(u.value);
    return { path: u.path, value: describeUnknown(u.value), ...(position ? { position } : {}) };
  });
}
