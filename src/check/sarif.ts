/**
 * SARIF 2.1.0 for code-scanning UIs: one result per statement that grants a blocked action on every key
 * (error) or on part of the key space (note), at the statement's line and column; a rule per control.
 * Inputs that cannot be read and policies that cannot be decided are results too, so a UI shows them.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import { explainAction, statementLabel } from '../policy/explain.js';
import type { InputResult } from './check.js';
import type { PolicyResult } from './evaluate.js';
import type { Position } from './source.js';

export interface RuleInfo {
  id: string;
  title: string;
  description: string;
  helpUri: string;
  severity: string;
}

const INVALID = 'keywarden/invalid-input';
const UNKNOWN = 'keywarden/unknown-value';

/** Code-scanning UIs want paths relative to the repository (the working directory); others as file URLs. */
export function artifactUri(file: string, cwd: string): string {
  if (file === '-') return 'stdin';
  const rel = relative(cwd, file);
  if (!isAbsolute(file) || (!rel.startsWith('..') && !isAbsolute(rel)))
    return encodeURI((isAbsolute(file) ? rel : file).split(sep).join('/'));
  return pathToFileURL(file).href;
}

function location(uri: string, position: Position | undefined, name?: string): Sarif.Location {
  return {
    physicalLocation: {
      artifactLocation: { uri },
      ...(position ? { region: { startLine: position.line, startColumn: position.column } } : {}),
    },
    ...(name !== undefined ? { logicalLocations: [{ name, kind: 'resource' }] } : {}),
  };
}

function policyResults(result: PolicyResult, uri: string, ruleIndex: Map<string, number>): Sarif.Result[] {
  const out: Sarif.Result[] = [];
  const label = result.name !== undefined ? `${result.name}: ` : '';
  if (result.verdict === 'NOT_AVAILABLE') {
    const statement = result.error?.statement;
    out.push({
      ruleId: INVALID,
      ruleIndex: ruleIndex.get(INVALID)!,
      level: 'error',
      message: {
        text: `${label}the policy could not be evaluated: ${result.error?.message} [${result.error?.code}]`,
      },
      locations: [
        location(
          uri,
          (statement !== undefined ? result.statementPositions[statement] : undefined) ?? result.position,
          result.name,
        ),
      ],
    });
    return out;
  }
  if (result.verdict === 'UNKNOWN') {
    for (const unknown of result.unknowns) {
      out.push({
        ruleId: UNKNOWN,
        ruleIndex: ruleIndex.get(UNKNOWN)!,
        level: 'error',
        message: {
          text: `${label}${unknown.path} is known only at deploy time (${unknown.value}); at its worst the policy allows a blocked action on all KMS keys`,
        },
        locations: [location(uri, unknown.position ?? result.position, result.name)],
      });
    }
  }
  // Key policies: one error per statement that opens KMS actions to everyone.
  for (const statement of result.publicStatements ?? []) {
    const conditions =
      statement.conditions === 'no condition'
        ? 'with no condition'
        : `and no condition restricts it (${statement.conditions.map((c) => `${c.operator} ${c.key}: ${c.why}`).join('; ')})`;
    out.push({
      ruleId: result.control,
      ruleIndex: ruleIndex.get(result.control)!,
      level: 'error',
      message: {
        text: `${label}statement '${statement.label}' opens ${statement.actions.join(', ')} to everyone (${statement.grantee}) ${conditions}`,
      },
      locations: [location(uri, result.statementPositions[statement.index] ?? result.position, result.name)],
      properties: { verdict: result.verdict, statement: statement.label, actions: statement.actions },
    });
  }
  for (const action of result.actions) {
    if (action.coverage === 'NONE') continue;
    for (const ref of action.grantedBy) {
      out.push({
        ruleId: result.control,
        ruleIndex: ruleIndex.get(result.control)!,
        // Only a grant on every key fails the control; a partial grant is shown for review.
        level: action.coverage === 'ALL' && result.verdict === 'FAILED' ? 'error' : 'note',
        message: { text: `${label}${explainAction(action)}` },
        locations: [location(uri, result.statementPositions[ref.index] ?? result.position, result.name)],
        properties: {
          verdict: result.verdict,
          action: action.action,
          coverage: action.coverage,
          statement: statementLabel(ref),
          ...(action.keyGranted !== undefined ? { keyGranted: action.keyGranted } : {}),
          ...(action.keyNotGranted !== undefined ? { keyNotGranted: action.keyNotGranted } : {}),
        },
      });
    }
  }
  return out;
}

export function formatSarif(
  inputs: readonly InputResult[],
  rules: readonly RuleInfo[],
  options: { version: string; cwd: string },
): string {
  const allRules: Sarif.ReportingDescriptor[] = [
    ...rules.map((rule) => ({
      id: rule.id,
      name: rule.id.replace('.', ''),
      shortDescription: { text: rule.title },
      fullDescription: { text: rule.description },
      helpUri: rule.helpUri,
      defaultConfiguration: { level: 'error' as const },
      properties: { severity: rule.severity, tags: ['security', 'iam', 'kms'] },
    })),
    {
      id: INVALID,
      name: 'InvalidInput',
      shortDescription: { text: 'An input or policy could not be read or evaluated' },
      defaultConfiguration: { level: 'error' },
    },
    {
      id: UNKNOWN,
      name: 'UnknownValue',
      shortDescription: { text: 'A value known only at deploy time decides the verdict' },
      defaultConfiguration: { level: 'error' },
    },
  ];
  const ruleIndex = new Map(allRules.map((rule, index) => [rule.id, index]));
  const results: Sarif.Result[] = [];
  for (const input of inputs) {
    const uri = artifactUri(input.file, options.cwd);
    for (const error of input.errors) {
      results.push({
        ruleId: INVALID,
        ruleIndex: ruleIndex.get(INVALID)!,
        level: 'error',
        message: { text: error.message },
        locations: [location(uri, error.position)],
      });
    }
    for (const result of input.results) results.push(...policyResults(result, uri, ruleIndex));
  }
  const log: Sarif.Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'keywarden',
            version: options.version,
            informationUri: 'https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html',
            rules: allRules,
          },
        },
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
