/**
 * The simulator's single-resource IAM reads, through the real IAM client over the query protocol: the
 * answers match what GetAccountAuthorizationDetails says about the same resources, and a missing resource
 * is AWS's `NoSuchEntity` (HTTP 404) with AWS's wording. The SDK turns the wire codes `NoSuchEntity` and
 * `InvalidInput` into its modelled `NoSuchEntityException` / `InvalidInputException` only when they are
 * exactly AWS's, so the names below check the wire codes too.
 */
import {
  GetAccountAuthorizationDetailsCommand,
  GetGroupCommand,
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { DEFAULT_EXTERNAL_ID, startSimulator } from '../../src/simulator/index.js';

let sim: RunningSimulator;
let iam: IAMClient;
let accountId: string;

beforeAll(async () => {
  sim = await startSimulator({ organization: { accounts: 2, regions: ['us-east-1'], seed: 5 } });
  accountId = [...sim.state.accounts.keys()].find((id) => id !== sim.state.managementAccountId)!;
  const common = { endpoint: sim.endpoint, region: 'us-east-1', maxAttempts: 1 };
  const sts = new STSClient({ ...common, credentials: sim.hubCredentials });
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${accountId}:role/KeywardenMemberRole`,
      RoleSessionName: 'iam-reads',
      ExternalId: DEFAULT_EXTERNAL_ID,
    }),
  );
  sts.destroy();
  iam = new IAMClient({
    ...common,
    credentials: {
      accessKeyId: c!.AccessKeyId!,
      secretAccessKey: c!.SecretAccessKey!,
      sessionToken: c!.SessionToken!,
    },
  });
});
afterAll(async () => {
  iam.destroy();
  await sim.stop();
});

const account = () => sim.state.account(accountId)!;

async function authorizationDetails() {
  return iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1000 }));
}

describe('GetPolicy and GetPolicyVersion', () => {
  it('answer what GetAccountAuthorizationDetails says about the policy and its default version', async () => {
    const details = await authorizationDetails();
    const listed = details.Policies![0]!;
    const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: listed.Arn }));
    expect(Policy).toMatchObject({
      Arn: listed.Arn,
      PolicyName: listed.PolicyName,
      PolicyId: listed.PolicyId,
      DefaultVersionId: listed.DefaultVersionId,
      AttachmentCount: listed.AttachmentCount,
      PermissionsBoundaryUsageCount: listed.PermissionsBoundaryUsageCount,
    });
    const { PolicyVersion } = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: listed.Arn, VersionId: listed.DefaultVersionId }),
    );
    const version = listed.PolicyVersionList!.find((v) => v.IsDefaultVersion)!;
    expect(PolicyVersion?.IsDefaultVersion).toBe(true);
    // URL-encoded, as IAM sends documents.
    expect(PolicyVersion?.Document).toBe(version.Document);
    expect(JSON.parse(decodeURIComponent(PolicyVersion!.Document!))).toHaveProperty('Statement');
  });

  it('a deleted policy or version is NoSuchEntity (404); a malformed ARN is InvalidInput', async () => {
    const arn = `arn:aws:iam::${accountId}:policy/no-such-policy`;
    await expect(iam.send(new GetPolicyCommand({ PolicyArn: arn }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: `Policy ${arn} does not exist or is not attachable.`,
      $metadata: { httpStatusCode: 404 },
    });
    const policy = account().policies[0]!;
    const existing = `arn:aws:iam::${accountId}:policy${policy.path}${policy.name}`;
    await expect(
      iam.send(new GetPolicyVersionCommand({ PolicyArn: existing, VersionId: 'v9' })),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException', $metadata: { httpStatusCode: 404 } });
    await expect(
      iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::not-an-account:policyx' })),
    ).rejects.toMatchObject({ name: 'InvalidInputException', $metadata: { httpStatusCode: 400 } });
  });
});

describe('users, groups and roles', () => {
  it('Get*, List*Policies and Get*Policy agree with GetAccountAuthorizationDetails', async () => {
    const details = await authorizationDetails();
    const role = details.RoleDetailList!.find((r) => (r.RolePolicyList ?? []).length > 0)!;
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: role.RoleName }));
    expect(Role).toMatchObject({ Arn: role.Arn, RoleId: role.RoleId, Path: role.Path });
    expect(Role?.AssumeRolePolicyDocument).toBe(role.AssumeRolePolicyDocument);
    const names = await iam.send(new ListRolePoliciesCommand({ RoleName: role.RoleName }));
    expect(names.PolicyNames).toEqual(role.RolePolicyList!.map((p) => p.PolicyName));
    expect(names.IsTruncated).toBe(false);
    const first = role.RolePolicyList![0]!;
    const inline = await iam.send(
      new GetRolePolicyCommand({ RoleName: role.RoleName, PolicyName: first.PolicyName }),
    );
    expect(inline).toMatchObject({ RoleName: role.RoleName, PolicyName: first.PolicyName });
    expect(inline.PolicyDocument).toBe(first.PolicyDocument);

    const user = details.UserDetailList!.find((u) => (u.UserPolicyList ?? []).length > 0)!;
    expect((await iam.send(new GetUserCommand({ UserName: user.UserName }))).User?.Arn).toBe(user.Arn);
    const userPolicy = user.UserPolicyList![0]!;
    expect(
      (
        await iam.send(
          new GetUserPolicyCommand({ UserName: user.UserName, PolicyName: userPolicy.PolicyName }),
        )
      ).PolicyDocument,
    ).toBe(userPolicy.PolicyDocument);

    const group = details.GroupDetailList!.find((g) => (g.GroupPolicyList ?? []).length > 0)!;
    expect((await iam.send(new GetGroupCommand({ GroupName: group.GroupName }))).Group?.Arn).toBe(group.Arn);
    const groupPolicy = group.GroupPolicyList![0]!;
    expect(
      (
        await iam.send(
          new GetGroupPolicyCommand({ GroupName: group.GroupName, PolicyName: groupPolicy.PolicyName }),
        )
      ).PolicyDocument,
    ).toBe(groupPolicy.PolicyDocument);
  });

  it('pages List*Policies with Marker and MaxItems', async () => {
    const identity = account().identities.find((i) => i.kind === 'user')!;
    identity.inlinePolicies.push(
      ...['extra-a', 'extra-b', 'extra-c'].map((name) => ({ name, document: { Version: '2012-10-17' } })),
    );
    const all = identity.inlinePolicies.map((p) => p.name);
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await iam.send(
        new ListUserPoliciesCommand({ UserName: identity.name, MaxItems: 2, Marker: marker }),
      );
      expect(page.PolicyNames!.length).toBeLessThanOrEqual(2);
      seen.push(...page.PolicyNames!);
      expect(page.IsTruncated).toBe(page.Marker !== undefined);
      marker = page.Marker;
    } while (marker !== undefined);
    expect(seen).toEqual(all);
  });

  it('a missing identity or inline policy is NoSuchEntity (404) in AWS words', async () => {
    await expect(iam.send(new GetRoleCommand({ RoleName: 'no-such-role' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: 'The role with name no-such-role cannot be found.',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(iam.send(new GetUserCommand({ UserName: 'nobody' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
    await expect(iam.send(new GetGroupCommand({ GroupName: 'nogroup' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
    const role = account().identities.find((i) => i.kind === 'role')!;
    await expect(
      iam.send(new GetRolePolicyCommand({ RoleName: role.name, PolicyName: 'gone-inline' })),
    ).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: 'The role policy with name gone-inline cannot be found.',
      $metadata: { httpStatusCode: 404 },
    });
  });
});
