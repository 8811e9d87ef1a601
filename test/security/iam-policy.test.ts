import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { memberRoleActions } from '../../src/scan/member-role.js';

const root = new URL('../../', import.meta.url).pathname;
const SERVICE_PREFIX: Record<string, string> = {
  'client-iam': 'iam',
  'client-kms': 'kms',
  'client-ec2': 'ec2',
  'client-securityhub': 'securityhub',
  'client-organizations': 'organizations',
  'client-sts': 'sts',
  'client-sqs': 'sqs',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/**
 * The IAM action that authorizes an operation. SQS has none for its batch operations: "setting
 * permissions for SendMessage, DeleteMessage, or ChangeMessageVisibility sets permissions for the
 * corresponding batch versions of the actions" (SQS Developer Guide, batch actions).
 */
function iamAction(prefix: string, operation: string): string {
  const batched = /^(SendMessage|DeleteMessage|ChangeMessageVisibility)Batch$/.exec(operation);
  return `${prefix}:${prefix === 'sqs' && batched ? batched[1] : operation}`;
}

/** Every `XxxCommand` the production code sends, as an IAM action (`service:Xxx`). */
function actionsCalledByCode(): Set<string> {
  const actions = new Set<string>();
  for (const file of sourceFiles(join(root, 'src'))) {
    if (file.includes('/simulator/')) continue; // the simulator is not production code
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[a-z0-9]+)'/g)) {
      const prefix = SERVICE_PREFIX[match[2]!];
      if (prefix === undefined) continue;
      for (const name of match[1]!.split(',').map((s) => s.trim())) {
        const command = /^(\w+)Command$/.exec(name);
        if (command && text.includes(`new ${name}(`)) actions.add(iamAction(prefix, command[1]!));
      }
    }
  }
  return actions;
}

function policyActions(document: { Statement: { Action: string | string[] }[] }): Set<string> {
  return new Set(document.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
}

const called = actionsCalledByCode();
// Organizations, the event queue (SQS, in the security account) and the security account's Security Hub
// custom action are used with the hub's credentials; everything else with the member role's.
const HUB_SECURITY_HUB_ACTIONS = new Set([
  'securityhub:CreateActionTarget',
  'securityhub:DescribeActionTargets',
]);
const hubService = (a: string) =>
  a.startsWith('organizations:') || a.startsWith('sqs:') || HUB_SECURITY_HUB_ACTIONS.has(a);
const memberCalled = new Set([...called].filter((a) => !hubService(a) && !a.startsWith('sts:')));
// The custom action's regions: the security account's enabled regions, read with the hub's credentials
// (regions.mode: enabled), as each member account's are read with the member role.
const BOTH_ROLES = new Set(['ec2:DescribeRegions']);
const hubCalled = new Set([
  ...[...called].filter((a) => hubService(a) || BOTH_ROLES.has(a)),
  'sts:AssumeRole',
]);
// The member role's actions as the control modules declare them (plus the pipeline's own).
const derived = memberRoleActions();

describe('shipped IAM policies grant exactly what the code calls', () => {
  it('finds the calls in the code', () => {
    expect(called).toContain('iam:GetAccountAuthorizationDetails');
    expect(called).toContain('securityhub:BatchImportFindings');
    expect(called).toContain('sqs:ReceiveMessage');
  });

  it("the modules' declared actions are exactly what the code calls with the member role", () => {
    // A module that declares less than its collection calls would ship a role that gets AccessDenied.
    expect(derived).toEqual([...memberCalled].sort());
  });

  it('member role policy (JSON) grants exactly the derived set', () => {
    const policy = JSON.parse(readFileSync(join(root, 'docker/iam/member-role-policy.json'), 'utf8'));
    expect([...policyActions(policy)].sort()).toEqual(derived);
  });

  it('member role in the StackSet template, whose trust policy requires the ExternalId', () => {
    const template = parse(readFileSync(join(root, 'docker/member-role-stackset.yaml'), 'utf8'), {
      customTags: [
        { tag: '!Sub', resolve: (v: string) => v },
        { tag: '!Ref', resolve: (v: string) => `REF:${v}` },
        { tag: '!GetAtt', resolve: (v: string) => v },
      ],
    });
    const role = template.Resources.MemberRole.Properties;
    expect([...policyActions(role.Policies[0].PolicyDocument)].sort()).toEqual(derived);
    const trust = role.AssumeRolePolicyDocument.Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0].Condition.StringEquals['sts:ExternalId']).toBe('REF:ExternalId');
    expect(trust[0].Principal.AWS).not.toBe('*');
  });

  it('hub role policy', () => {
    const policy = JSON.parse(readFileSync(join(root, 'docker/iam/hub-role-policy.json'), 'utf8'));
    expect([...policyActions(policy)].sort()).toEqual([...hubCalled].sort());
  });

  it('trust policy example requires the ExternalId', () => {
    const trust = JSON.parse(readFileSync(join(root, 'docker/iam/member-role-trust-policy.json'), 'utf8'));
    // Exactly one statement: the hub role only, sts:AssumeRole only, and only with the ExternalId placeholder.
    expect(trust.Statement).toEqual([
      {
        Sid: 'KeywardenHubOnlyWithExternalId',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::HUB_ACCOUNT_ID:role/KeywardenHubRole' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'EXTERNAL_ID' } },
      },
    ]);
  });
});
