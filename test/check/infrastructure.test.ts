/**
 * The same verdicts inside CloudFormation templates (JSON and YAML) and Terraform plans as for the bare
 * documents of test/fixtures/policies.jsonl, whose expectations were written by hand from SEMANTICS.md.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { checkText } from '../../src/check/check.js';

interface FixtureCase {
  id: string;
  blockedActions: string[];
  document: Record<string, unknown>;
  coverage: Record<string, string>;
  verdict: string;
}

const cases: FixtureCase[] = readFileSync(new URL('../fixtures/policies.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as FixtureCase);
const options = { blockedActions: cases[0]!.blockedActions, partition: 'aws' };
const logicalId = (index: number) => `Policy${index}`;

/** Each fixture three ways in one template: a managed policy, a role's inline policy, an AWS::IAM::Policy. */
function template(): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  cases.forEach((c, i) => {
    resources[logicalId(i)] = { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: c.document } };
    resources[`Role${i}`] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {},
        Policies: [{ PolicyName: `inline${i}`, PolicyDocument: c.document }],
      },
    };
    resources[`Inline${i}`] = {
      Type: 'AWS::IAM::Policy',
      Properties: { PolicyName: `p${i}`, Roles: [{ Ref: `Role${i}` }], PolicyDocument: c.document },
    };
  });
  return { AWSTemplateFormatVersion: '2010-09-09', Resources: resources };
}

/** The shape of `terraform show -json PLAN`: the policy attribute is a JSON string. */
function plan(): Record<string, unknown> {
  const changes = cases.flatMap((c, i) => [
    {
      address: `aws_iam_policy.p${i}`,
      mode: 'managed',
      type: 'aws_iam_policy',
      name: `p${i}`,
      change: {
        actions: ['create'],
        before: null,
        after: { name: `p${i}`, policy: JSON.stringify(c.document) },
        after_unknown: { arn: true, id: true },
      },
    },
    {
      address: `aws_iam_role.r${i}`,
      mode: 'managed',
      type: 'aws_iam_role',
      name: `r${i}`,
      change: {
        actions: ['create'],
        before: null,
        after: { name: `r${i}`, inline_policy: [{ name: `inline${i}`, policy: JSON.stringify(c.document) }] },
        after_unknown: { arn: true, inline_policy: [{}] },
      },
    },
  ]);
  return { format_version: '1.2', terraform_version: '1.9.0', resource_changes: changes };
}

const verdictsOf = (text: string) => {
  const checked = checkText('input', text, options);
  expect(checked.errors).toEqual([]);
  return new Map(
    checked.results.map((r) => [
      r.name,
      { verdict: r.verdict, coverage: Object.fromEntries(r.actions.map((a) => [a.action, a.coverage])) },
    ]),
  );
};

const expected = (c: FixtureCase) => ({ verdict: c.verdict, coverage: c.coverage });

describe('check-policy inside infrastructure code', () => {
  it('bare documents: the fixtures’ verdicts (the baseline)', () => {
    for (const c of cases) {
      const [result] = checkText(c.id, JSON.stringify(c.document, null, 2), options).results;
      expect({ id: c.id, verdict: result!.verdict }).toEqual({ id: c.id, verdict: c.verdict });
    }
  });

  for (const [format, text] of [
    ['JSON', JSON.stringify(template(), null, 2)],
    ['YAML', stringify(template())],
  ] as const) {
    it(`a CloudFormation template in ${format}: the same verdict for each policy, by logical id`, () => {
      const found = verdictsOf(text);
      expect(found.size).toBe(cases.length * 3);
      cases.forEach((c, i) => {
        expect({ id: c.id, ...found.get(logicalId(i)) }).toEqual({ id: c.id, ...expected(c) });
        expect({ id: c.id, ...found.get(`Role${i}.Policies[0] (inline${i})`) }).toEqual({
          id: c.id,
          ...expected(c),
        });
        expect({ id: c.id, ...found.get(`Inline${i}`) }).toEqual({ id: c.id, ...expected(c) });
      });
    });
  }

  it('a Terraform plan: the same verdict for each policy, by resource address', () => {
    const found = verdictsOf(JSON.stringify(plan()));
    expect(found.size).toBe(cases.length * 2);
    cases.forEach((c, i) => {
      expect({ id: c.id, ...found.get(`aws_iam_policy.p${i}`) }).toEqual({ id: c.id, ...expected(c) });
      expect({ id: c.id, ...found.get(`aws_iam_role.r${i}.inline_policy[0] (inline${i})`) }).toEqual({
        id: c.id,
        ...expected(c),
      });
    });
  });

  it('names the control: KMS.1 for managed policies, KMS.2 for inline ones', () => {
    const controls = new Map(
      checkText('t', JSON.stringify(template()), options).results.map((r) => [r.name, r.control]),
    );
    expect(controls.get('Policy0')).toBe('KMS.1');
    expect(controls.get('Inline0')).toBe('KMS.2');
    expect(controls.get('Role0.Policies[0] (inline0)')).toBe('KMS.2');
  });
});
