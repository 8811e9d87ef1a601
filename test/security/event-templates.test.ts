/**
 * The set-up templates for change events (docker/events-*.yaml): the EventBridge rules forward exactly the
 * events of src/events/table.ts, and the security account's bus, queue and dead-letter queue are wired.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../src/check/source.js';
import { changeTargets, eventNamesOf } from '../../src/events/index.js';
import { KEYWARDEN_CUSTOM_ACTION } from '../../src/events/custom-action.js';

const root = new URL('../../', import.meta.url).pathname;

// CloudFormation templates are free-form: the tests read them at any depth.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
type Template = {
  Resources: Record<string, Loose>;
  Parameters: Record<string, Loose>;
  Conditions?: Record<string, Loose>;
};

function template(file: string): Template {
  const parsed = parseSource(readFileSync(join(root, 'docker', file), 'utf8'));
  if (!parsed.ok) throw new Error(`${file}:${parsed.position.line}: ${parsed.message}`);
  return parsed.value as Template;
}

/** EventBridge pattern matching, for the parts of the syntax the templates use. */
function matches(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    const present = Object.hasOwn(event, field) && event[field] !== undefined;
    const actual = event[field];
    if (Array.isArray(expected)) {
      return expected.some((option) => {
        if (typeof option === 'object' && option !== null && 'exists' in option)
          return (option as { exists: boolean }).exists === present;
        if (!present) return false;
        return Array.isArray(actual) ? actual.includes(option) : actual === option;
      });
    }
    return (
      present &&
      typeof actual === 'object' &&
      actual !== null &&
      matches(expected as Record<string, unknown>, actual as Record<string, unknown>)
    );
  });
}

const member = template('events-member-stackset.yaml');
const security = template('events-security-account.yaml');
const rules = Object.entries(member.Resources).filter(([, r]) => r.Type === 'AWS::Events::Rule');
const rule = (name: string) => member.Resources[name].Properties;

const fixturesDir = join(root, 'test/fixtures/events');
const fixtures = readdirSync(fixturesDir).map((file) => ({
  file,
  event: JSON.parse(readFileSync(join(fixturesDir, file), 'utf8')) as Record<string, unknown>,
}));

describe('member StackSet: the rules forward exactly the table of changes', () => {
  it("IAM calls: the table's IAM event names, in the IAM events region only, failed calls left out", () => {
    const iam = rule('IamApiCallsRule');
    expect(iam.EventPattern.source).toEqual(['aws.iam']);
    expect(iam.EventPattern.detail.eventSource).toEqual(['iam.amazonaws.com']);
    expect([...iam.EventPattern.detail.eventName].sort()).toEqual(eventNamesOf('cloudtrail-iam').sort());
    expect(iam.EventPattern.detail.errorCode).toEqual([{ exists: false }]);
    expect(member.Resources.IamApiCallsRule.Condition).toBe('IsIamEventsRegion');
    expect(member.Conditions!.IsIamEventsRegion).toEqual({
      'Fn::Equals': [{ Ref: 'AWS::Region' }, { Ref: 'IamEventsRegion' }],
    });
    expect(member.Parameters.IamEventsRegion.Default).toBe('us-east-1');
  });

  it("KMS calls and KMS's own events: the table's KMS names, in every region", () => {
    const calls = rule('KmsApiCallsRule');
    expect(calls.EventPattern.detail.eventSource).toEqual(['kms.amazonaws.com']);
    expect([...calls.EventPattern.detail.eventName].sort()).toEqual(eventNamesOf('cloudtrail-kms').sort());
    expect(calls.EventPattern.detail.errorCode).toEqual([{ exists: false }]);
    expect([...rule('KmsKeyEventsRule').EventPattern['detail-type']].sort()).toEqual(
      eventNamesOf('kms-service').sort(),
    );
    expect(member.Resources.KmsApiCallsRule.Condition).toBeUndefined();
    expect(member.Resources.KmsKeyEventsRule.Condition).toBeUndefined();
  });

  it('every rule targets the central bus through a role that may only put events there', () => {
    const bus = {
      'Fn::Sub':
        'arn:${AWS::Partition}:events:${CentralRegion}:${SecurityAccountId}:event-bus/${CentralBusName}',
    };
    expect(rules.length).toBe(4);
    for (const [, r] of rules) {
      expect(r.Properties.Targets).toEqual([
        { Id: 'central-bus', Arn: bus, RoleArn: { 'Fn::GetAtt': ['ForwarderRole', 'Arn'] } },
      ]);
    }
    const statements = member.Resources.ForwarderRole.Properties.Policies[0].PolicyDocument.Statement;
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: bus }]);
  });

  it('each change fixture is forwarded by exactly one rule; failed calls and other events by none', () => {
    const patterns = rules.map(([name, r]) => ({ name, pattern: r.Properties.EventPattern }));
    // The custom action rule names the action by a CloudFormation !Sub: match it on the resolved ARN.
    const resolved = (p: Record<string, unknown>) =>
      JSON.parse(
        JSON.stringify(p).replace(
          /\{"Fn::Sub":"arn:\$\{AWS::Partition\}:securityhub:\$\{AWS::Region\}:\$\{AWS::AccountId\}:action\/custom\/\$\{CustomActionId\}"\}/,
          '"arn:aws:securityhub:us-east-1:111122223333:action/custom/KeywardenRecheck"',
        ),
      );
    for (const { file, event } of fixtures) {
      const matching = patterns.filter(({ pattern }) => matches(resolved(pattern), event)).map((p) => p.name);
      expect(matching, file).toHaveLength(1);
      expect(changeTargets(event), file).toHaveProperty('targets');
    }
    const failed = fixtures.find((f) => f.file === 'PutRolePolicy.json')!.event as {
      detail: Record<string, unknown>;
    };
    const failedCall = { ...failed, detail: { ...failed.detail, errorCode: 'AccessDenied' } };
    expect(patterns.filter(({ pattern }) => matches(resolved(pattern), failedCall))).toEqual([]);
    const attach = { ...failed, detail: { ...failed.detail, eventName: 'AttachRolePolicy' } };
    expect(patterns.filter(({ pattern }) => matches(resolved(pattern), attach))).toEqual([]);
  });
});

describe('security account: bus, queue, dead-letter queue', () => {
  const r = security.Resources;

  it('only accounts of the organization may put events on the bus', () => {
    const policy = r.OrganizationMayPutEvents.Properties;
    expect(policy.EventBusName).toEqual({ Ref: 'EventBus' });
    expect(policy.Statement).toMatchObject({
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Resource: { 'Fn::GetAtt': ['EventBus', 'Arn'] },
      Condition: { StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } } },
    });
  });

  it('the queue redrives to the dead-letter queue after MaxReceiveCount receives', () => {
    expect(r.EventQueue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
      maxReceiveCount: { Ref: 'MaxReceiveCount' },
    });
    expect(security.Parameters.MaxReceiveCount).toMatchObject({
      Type: 'Number',
      MinValue: 1,
      MaxValue: 1000,
    });
    expect(r.DeadLetterQueue.Type).toBe('AWS::SQS::Queue');
    // Long polling by default, and a dead-letter queue that keeps messages as long as SQS allows.
    expect(r.EventQueue.Properties.ReceiveMessageWaitTimeSeconds).toBe(20);
    expect(r.DeadLetterQueue.Properties.MessageRetentionPeriod).toBe(1209600);
  });

  it("a rule on the bus sends AWS's events of the forwarded kinds to the queue, and only it may", () => {
    const toQueue = r.ToEventQueue.Properties;
    expect(toQueue.EventBusName).toEqual({ Ref: 'EventBus' });
    expect(toQueue.Targets).toEqual([
      { Id: 'keywarden-event-queue', Arn: { 'Fn::GetAtt': ['EventQueue', 'Arn'] } },
    ]);
    const forwarded = new Set(rules.flatMap(([, rr]) => rr.Properties.EventPattern.source));
    expect([...toQueue.EventPattern.source].sort()).toEqual([...forwarded].sort());
    const detailTypes = new Set(rules.flatMap(([, rr]) => rr.Properties.EventPattern['detail-type']));
    expect([...toQueue.EventPattern['detail-type']].sort()).toEqual([...detailTypes].sort());
    for (const { file, event } of fixtures) expect(matches(toQueue.EventPattern, event), file).toBe(true);
    const statement = r.EventQueuePolicy.Properties.PolicyDocument.Statement;
    expect(r.EventQueuePolicy.Properties.Queues).toEqual([{ Ref: 'EventQueue' }]);
    expect(statement).toEqual([
      {
        Sid: 'OnlyTheKeywardenRuleSends',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': ['EventQueue', 'Arn'] },
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['ToEventQueue', 'Arn'] } } },
      },
    ]);
  });
});

describe('the console re-check reaches the queue', () => {
  it("the security account forwards only keywarden's custom action, whose id the code creates", () => {
    expect(member.Parameters.CustomActionId.Default).toBe(KEYWARDEN_CUSTOM_ACTION.id);
    expect(member.Resources.CustomActionRule.Condition).toBe('IsSecurityAccount');
    const actionArn = (id: string) => `arn:aws:securityhub:eu-west-1:111122223333:action/custom/${id}`;
    // The rule's !Sub, resolved for the security account 111122223333 in eu-west-1.
    const pattern = JSON.parse(
      JSON.stringify(rule('CustomActionRule').EventPattern).replace(
        /\{"Fn::Sub":"arn:\$\{AWS::Partition\}:securityhub:\$\{AWS::Region\}:\$\{AWS::AccountId\}:action\/custom\/\$\{CustomActionId\}"\}/,
        JSON.stringify(actionArn(member.Parameters.CustomActionId.Default)),
      ),
    );
    const fixture = fixtures.find((f) => f.file === 'custom-action-array.json')!.event;
    const ours = { ...fixture, region: 'eu-west-1', resources: [actionArn(KEYWARDEN_CUSTOM_ACTION.id)] };
    const another = { ...ours, resources: [actionArn('SomeoneElses')] };
    expect(matches(pattern, ours)).toBe(true);
    expect(matches(pattern, another)).toBe(false);
    expect(matches(security.Resources.ToEventQueue.Properties.EventPattern, ours)).toBe(true);
    expect(KEYWARDEN_CUSTOM_ACTION.name.length).toBeLessThanOrEqual(20);
  });
});
