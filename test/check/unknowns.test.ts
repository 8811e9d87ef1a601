/** Short-form tags, positions and values known only at deploy time, in templates and plans. */
import { describe, expect, it } from 'vitest';
import { checkText, exitCodeOf } from '../../src/check/check.js';

const options = { blockedActions: ['kms:Decrypt', 'kms:ReEncryptFrom'], partition: 'aws' };

const template = (statements: string) => `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Key:
    Type: AWS::KMS::Key
  Managed:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
${statements}`;

const only = (text: string) => {
  const checked = checkText('t.yaml', text, options);
  expect(checked.errors).toEqual([]);
  expect(checked.results).toHaveLength(1);
  return checked.results[0]!;
};

describe('values known only at deploy time', () => {
  it('parses every short-form tag instead of rejecting it, and points at the statement', () => {
    const result = only(
      template(`          - Sid: Tags
            Effect: Allow
            Action: !Join [':', [kms, Decrypt]]
            Resource: !GetAtt Key.Arn
            Condition:
              StringEquals:
                aws:ResourceTag/env: !Ref Env
                kms:ViaService: !Sub 's3.\${AWS::Region}.amazonaws.com'
                x: !Select [0, !Split [',', !ImportValue Other]]
                y: !If [IsProd, !FindInMap [M, a, b], !Base64 c]
                z: !GetAZs ''`),
    );
    expect(result.statementPositions).toEqual([{ line: 11, column: 13 }]);
    expect(result.unknowns.map((u) => u.path)).toEqual(['Statement[0].Action', 'Statement[0].Resource']);
    expect(result.unknowns[1]).toMatchObject({ value: 'Fn::GetAtt ["Key","Arn"]', position: { line: 14 } });
  });

  it('an unknown Resource of an Allow on a blocked action is UNKNOWN (never PASSED) and exits 2', () => {
    const text = template(`          - Effect: Allow
            Action: kms:Decrypt
            Resource: !GetAtt Key.Arn`);
    const checked = checkText('t.yaml', text, options);
    expect(checked.results[0]!.verdict).toBe('UNKNOWN');
    expect(exitCodeOf([checked])).toBe(2);
  });

  it('FAILED whatever the values when another statement already grants every key', () => {
    const result = only(
      template(`          - Effect: Allow
            Action: kms:Decrypt
            Resource: '*'
          - Effect: Allow
            Action: kms:ReEncryptFrom
            Resource: !Ref SomeParameter`),
    );
    expect(result.verdict).toBe('FAILED');
    expect(result.unknowns.map((u) => u.path)).toEqual(['Statement[1].Resource']);
  });

  it('an unknown Deny Resource makes an otherwise FAILED policy UNKNOWN (the Deny may cover every key)', () => {
    const result = only(
      template(`          - Effect: Allow
            Action: kms:*
            Resource: '*'
          - Effect: !If [C, Deny, Allow]
            Action: kms:*
            NotResource: !Ref KeyArn`),
    );
    expect(result.verdict).toBe('UNKNOWN');
  });

  it('PASSED whatever the values when the unknown value cannot reach a blocked action', () => {
    const result = only(
      template(`          - Effect: Allow
            Action: s3:GetObject
            Resource: !Sub 'arn:\${AWS::Partition}:s3:::bucket/*'`),
    );
    expect(result.verdict).toBe('PASSED');
    expect(result.unknowns).toHaveLength(1);
  });

  it('a Terraform policy known only after apply is UNKNOWN, by address', () => {
    const plan = {
      format_version: '1.2',
      resource_changes: [
        {
          address: 'module.app.aws_iam_role_policy.p',
          mode: 'managed',
          type: 'aws_iam_role_policy',
          change: { actions: ['create'], after: { name: 'p' }, after_unknown: { policy: true } },
        },
        {
          address: 'aws_iam_role.r',
          mode: 'managed',
          type: 'aws_iam_role',
          change: {
            actions: ['update'],
            after: { inline_policy: [{ name: 'x' }] },
            after_unknown: { inline_policy: [{ policy: true }] },
          },
        },
        {
          address: 'aws_iam_policy.gone',
          mode: 'managed',
          type: 'aws_iam_policy',
          change: { actions: ['delete'], before: { policy: '{}' }, after: null },
        },
      ],
    };
    const checked = checkText('plan.json', JSON.stringify(plan), options);
    expect(checked.results.map((r) => [r.name, r.verdict])).toEqual([
      ['module.app.aws_iam_role_policy.p', 'UNKNOWN'],
      ['aws_iam_role.r.inline_policy[0] (x)', 'UNKNOWN'],
    ]);
    expect(checked.results[0]!.unknowns[0]!.value).toBe('(known after apply)');
  });
});

describe('bad input', () => {
  it('names the place of a syntax error', () => {
    const checked = checkText(
      'bad.json',
      '{\n  "Version": "2012-10-17",\n  "Statement": [ {"Effect": "Allow",, } ]\n}',
      options,
    );
    expect(checked.results).toEqual([]);
    expect(checked.errors).toHaveLength(1);
    expect(checked.errors[0]!.message).toMatch(/^invalid JSON: /);
    expect(checked.errors[0]!.position).toEqual({ line: 3, column: 37 });
    expect(exitCodeOf([checked])).toBe(2);
  });

  it('names the place of a YAML error', () => {
    const checked = checkText('t.yaml', 'Resources:\n  A: 1\n  A: 2\n', options);
    expect(checked.errors[0]!.message).toMatch(/^invalid YAML: Map keys must be unique/);
    expect(checked.errors[0]!.position).toEqual({ line: 3, column: 3 });
  });

  it('names the resource whose PolicyDocument is missing and goes on with the others', () => {
    const text = JSON.stringify({
      Resources: {
        Broken: { Type: 'AWS::IAM::RolePolicy', Properties: { PolicyName: 'x' } },
        Fine: {
          Type: 'AWS::IAM::UserPolicy',
          Properties: { PolicyDocument: { Version: '2012-10-17', Statement: [] } },
        },
      },
    });
    const checked = checkText('t.json', text, options);
    expect(checked.errors.map((e) => e.message)).toEqual([
      'Resources.Broken (AWS::IAM::RolePolicy): Properties.PolicyDocument is missing',
    ]);
    expect(checked.results.map((r) => [r.name, r.verdict])).toEqual([['Fine', 'PASSED']]);
  });

  it('an invalid statement inside a template is NOT_AVAILABLE at that statement', () => {
    const result = only(
      template(`          - Effect: Allow
            Action: kms:Decrypt
            Resource: '*'
          - Action: kms:Decrypt
            Resource: '*'`),
    );
    expect(result.verdict).toBe('NOT_AVAILABLE');
    expect(result.error).toMatchObject({ code: 'INVALID_STATEMENT', statement: 1 });
    expect(result.statementPositions[1]).toEqual({ line: 14, column: 13 });
  });
});
