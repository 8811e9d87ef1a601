/** The explanation for people and the JSON for programs, from the results of a run. Pure. */
import { explainAction, explainAnalysis } from '../policy/explain.js';
import type { InputResult, InputError } from './check.js';
import type { PolicyResult } from './evaluate.js';
import type { Position } from './source.js';

const at = (position: Position | undefined) => (position ? `:${position.line}:${position.column}` : '');

/** `file:line:column name (KMS.2)` */
export function policyLabel(result: PolicyResult): string {
  return `${result.file}${at(result.position)}${result.name !== undefined ? ` ${result.name}` : ''} (${result.control})`;
}

export function formatError(error: InputError): string {
  return `${error.file}${at(error.position)}: error: ${error.message}`;
}

function explainResult(result: PolicyResult): string {
  // Key policies carry their own explanation (public statements, why conditions do not restrict).
  if (result.explanation !== undefined) {
    const unknowns = result.unknowns.map((u) => `    ${u.path} is known only at deploy time: ${u.value}`);
    return [result.explanation, ...unknowns].join('\n');
  }
  const unknowns = result.unknowns.map(
    (u) =>
      `    ${u.path}${u.position ? ` (line ${u.position.line}, column ${u.position.column})` : ''} is known only at deploy time: ${u.value}`,
  );
  if (result.verdict === 'NOT_AVAILABLE') {
    const explanation = explainAnalysis({ ok: false, verdict: 'NOT_AVAILABLE', error: result.error! });
    const hint =
      result.error?.code === 'TOO_COMPLEX'
        ? '\n  the policy is too complex to decide within the engine’s limits: not a pass; simplify its Resource patterns'
        : '';
    return [`${explanation}${hint}`, ...unknowns].join('\n');
  }
  const lines = result.actions.map((a) => `  - ${a.coverage.padEnd(7)} ${explainAction(a)}`);
  const failing = result.actions.filter((a) => a.coverage === 'ALL').map((a) => a.action);
  let headline: string;
  if (result.verdict === 'UNKNOWN') {
    headline = `UNKNOWN: depends on values known only at deploy time; if they allow the most they could, the policy allows ${failing.join(' and ')} on all KMS keys (worst case below).`;
  } else if (result.verdict === 'FAILED') {
    headline = `FAILED: the policy allows ${failing.join(' and ')} on all KMS keys${unknowns.length ? ', whatever the values known only at deploy time' : ''}.`;
  } else {
    headline = `PASSED: no blocked action is allowed on all KMS keys${unknowns.length ? ', whatever the values known only at deploy time' : ''}.`;
  }
  return [headline, ...lines, ...(unknowns.length ? ['  unknown values:', ...unknowns] : [])].join('\n');
}

export function formatText(
  inputs: readonly InputResult[],
  skipped: readonly string[],
  noun = 'IAM policy',
): string {
  const lines: string[] = [];
  for (const input of inputs) {
    for (const error of input.errors) lines.push(formatError(error));
    if (input.errors.length === 0 && input.results.length === 0)
      lines.push(
        `${input.file}: no ${noun} in this ${input.kind === 'terraform-plan' ? 'plan' : 'template'}`,
      );
    for (const result of input.results) lines.push(`${policyLabel(result)}: ${explainResult(result)}`);
  }
  const results = inputs.flatMap((i) => i.results);
  const count = (verdict: string) => results.filter((r) => r.verdict === verdict).length;
  const errors = inputs.reduce((n, i) => n + i.errors.length, 0);
  if (inputs.length > 1 || skipped.length > 0) {
    lines.push(
      `${inputs.length} inputs, ${results.length} policies: ${count('PASSED')} PASSED, ${count('FAILED')} FAILED, ` +
        `${count('UNKNOWN')} UNKNOWN, ${count('NOT_AVAILABLE')} NOT_AVAILABLE, ${errors} input errors` +
        (skipped.length
          ? `; ${skipped.length} files in directories skipped (no policy, template or plan)`
          : ''),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function formatJson(
  inputs: readonly InputResult[],
  blockedActions: readonly string[],
  skipped: readonly string[],
): string {
  const policies = inputs.flatMap((input) =>
    input.results.map((r) => ({
      file: r.file,
      kind: input.kind,
      ...(r.name !== undefined ? { name: r.name } : {}),
      control: r.control,
      ...(r.position ? { position: r.position } : {}),
      verdict: r.verdict,
      coverage: Object.fromEntries(r.actions.map((a) => [a.action, a.coverage])),
      actions: r.actions,
      ...(r.unknowns.length ? { unknowns: r.unknowns } : {}),
      ...(r.error ? { error: r.error } : {}),
      ...(r.publicStatements ? { publicStatements: r.publicStatements } : {}),
    })),
  );
  return `${JSON.stringify({ blockedActions, policies, errors: inputs.flatMap((i) => i.errors), skipped }, null, 2)}\n`;
}
