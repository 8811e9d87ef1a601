/**
 * Small policies for the direct tests of the coverage search (coverage-nfa.test.ts,
 * coverage-search.test.ts): one action's Allow and Deny resource sets, the engine's query for them, the
 * same policy as statements for the independent oracle (oracle.ts), and the engine's answer with every
 * witness key checked against that oracle.
 */
import { expect } from 'vitest';
import type { CoverageAnswer, CoverageQuery, ResourceSpec, SearchLimits } from '../../src/policy/coverage.js';
import { decideCoverage } from '../../src/policy/coverage.js';
import { compilePattern } from '../../src/policy/glob.js';
import { keySpaceOf } from '../../src/policy/keyspace.js';
import type { OracleStatement } from './oracle.js';
import { grants, KEY_ARN } from './oracle.js';

export const ACTION = 'kms:Decrypt';
const space = keySpaceOf('aws');

/** A statement's Resource or NotResource list. */
export interface ResourceSet {
  resources?: readonly string[];
  notResources?: readonly string[];
}

export interface SmallPolicy {
  allow: readonly ResourceSet[];
  deny?: readonly ResourceSet[];
}

function resourceSpec(set: ResourceSet): ResourceSpec {
  const sources = set.resources ?? set.notResources ?? [];
  return {
    negated: set.notResources !== undefined,
    patterns: sources.map((source) => compilePattern(source, true)),
  };
}

export function coverageQuery(policy: SmallPolicy, extra: Partial<CoverageQuery> = {}): CoverageQuery {
  return { allow: policy.allow.map(resourceSpec), deny: (policy.deny ?? []).map(resourceSpec), ...extra };
}

export function oracleStatements(policy: SmallPolicy): OracleStatement[] {
  const statement = (effect: 'Allow' | 'Deny', set: ResourceSet): OracleStatement => ({
    Effect: effect,
    Action: [ACTION],
    ...(set.resources ? { Resource: [...set.resources] } : { NotResource: [...set.notResources!] }),
  });
  return [
    ...policy.allow.map((set) => statement('Allow', set)),
    ...(policy.deny ?? []).map((set) => statement('Deny', set)),
  ];
}

/** The engine's answer in the `aws` key space, with each witness checked against the oracle. */
export function decideChecked(
  policy: SmallPolicy,
  extra: Partial<CoverageQuery> = {},
  limits?: SearchLimits,
): CoverageAnswer {
  const answer = decideCoverage(space, coverageQuery(policy, extra), limits);
  const oracle = oracleStatements(policy);
  if (answer.keyGranted !== undefined) {
    expect(answer.keyGranted).toMatch(KEY_ARN);
    expect(grants(oracle, ACTION, answer.keyGranted)).toBe(true);
  }
  if (answer.keyNotGranted !== undefined) {
    expect(answer.keyNotGranted).toMatch(KEY_ARN);
    expect(grants(oracle, ACTION, answer.keyNotGranted)).toBe(false);
  }
  return answer;
}
