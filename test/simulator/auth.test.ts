/** Authentication and AssumeRole as AWS answers them, seen through the real JS SDK clients. */
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetAccountAuthorizationDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { DescribeHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { DEFAULT_EXTERNAL_ID, startSimulator } from '../../src/simulator/index.js';
import { type Credentials, protocolHeaders, signedFetch } from './signed.js';

let sim: RunningSimulator;
let accounts: string[];
let suspended: string;
const config = (credentials: Credentials, region = 'us-east-1') => ({
  endpoint: sim.endpoint,
  region,
  credentials,
  maxAttempts: 1,
});
const roleArn = (account: string, role = 'KeywardenMemberRole') => `arn:aws:iam::${account}:role/${role}`;

async function assume(
  as: Credentials,
  account: string,
  options: { externalId?: string; role?: string; duration?: number } = {},
): Promise<Credentials> {
  const response = await new STSClient(config(as)).send(
    new AssumeRoleCommand({
      RoleArn: roleArn(account, options.role),
      RoleSessionName: 'auth-test',
      ExternalId: options.externalId ?? DEFAULT_EXTERNAL_ID,
      ...(options.duration ? { DurationSeconds: options.duration } : {}),
    }),
  );
  const c = response.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

beforeAll(async () => {
  sim = await startSimulator({ organization: { accounts: 5, regions: ['us-east-1'], seed: 4 } });
  accounts = [...sim.state.accounts.values()].filter((a) => a.status === 'ACTIVE').map((a) => a.id);
  suspended = [...sim.state.accounts.values()].find((a) => a.status === 'SUSPENDED')!.id;
});
afterAll(async () => sim.stop());

describe('signatures', () => {
  it('accepts the key pair the simulator issued to the hub', async () => {
    const identity = await new STSClient(config(sim.hubCredentials)).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(sim.state.managementAccountId);
  });

  it('refuses a wrong secret key with each service’s signature error and status', async () => {
    const wrong = { ...sim.hubCredentials, secretAccessKey: `${sim.hubCredentials.secretAccessKey}x` };
    await expect(new STSClient(config(wrong)).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    });
    const member = await assume(sim.hubCredentials, accounts[1]!);
    const badMember = { ...member, secretAccessKey: 'x'.repeat(40) };
    await expect(new KMSClient(config(badMember)).send(new ListKeysCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      new IAMClient(config(badMember)).send(new GetAccountAuthorizationDetailsCommand({})),
    ).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    await expect(
      new SecurityHubClient(config(badMember)).send(new DescribeHubCommand({})),
    ).rejects.toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
    await expect(new EC2Client(config(badMember)).send(new DescribeRegionsCommand({}))).rejects.toMatchObject(
      {
        name: 'AuthFailure',
        $metadata: { httpStatusCode: 401 },
      },
    );
  });

  it('refuses a body changed after signing', async () => {
    // Signed for one body, sent with another: the payload hash is part of the signature.
    const member = await assume(sim.hubCredentials, accounts[1]!);
    const kms = new KMSClient(config(member));
    kms.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body?: string };
        request.body = '{"Limit":1}';
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'tamper' },
    );
    await expect(kms.send(new ListKeysCommand({ Limit: 2 }))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
  });

  it('answers IncompleteSignature for an Authorization header without its parts', async () => {
    const response = await fetch(sim.endpoint, {
      method: 'POST',
      headers: {
        ...protocolHeaders('sts'),
        authorization: `AWS4-HMAC-SHA256 Credential=${sim.hubCredentials.accessKeyId}/20260101/us-east-1/sts/aws4_request`,
        'x-amz-date': '20260101T000000Z',
      },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toContain('<Code>IncompleteSignature</Code>');
    expect(text).toContain('requires &apos;Signature&apos; parameter');
    const kms = await fetch(sim.endpoint, {
      method: 'POST',
      headers: { ...protocolHeaders('kms', 'ListKeys'), authorization: 'AWS4-HMAC-SHA256 garbage' },
      body: '{}',
    });
    expect(kms.status).toBe(400);
    expect(await kms.json()).toMatchObject({ __type: 'IncompleteSignatureException' });
  });

  it('answers MissingAuthenticationToken without an Authorization header', async () => {
    const response = await fetch(`${sim.endpoint}/findings`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
  });
});

describe('session tokens', () => {
  it('refuses temporary credentials without their session token, or with another one', async () => {
    const member = await assume(sim.hubCredentials, accounts[1]!);
    const other = await assume(sim.hubCredentials, accounts[2]!);
    const { sessionToken: _, ...withoutToken } = member;
    await expect(new KMSClient(config(withoutToken)).send(new ListKeysCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      new STSClient(config({ ...member, sessionToken: other.sessionToken! })).send(
        new GetCallerIdentityCommand({}),
      ),
    ).rejects.toMatchObject({ name: 'InvalidClientTokenId', $metadata: { httpStatusCode: 403 } });
    await expect(
      new SecurityHubClient(config({ ...member, sessionToken: 'forged' })).send(new DescribeHubCommand({})),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 403 } });
    // The right token still works.
    await expect(new KMSClient(config(member)).send(new ListKeysCommand({}))).resolves.toHaveProperty('Keys');
  });

  it('refuses a session token sent with long-term credentials', async () => {
    await expect(
      new STSClient(config({ ...sim.hubCredentials, sessionToken: 'anything' })).send(
        new GetCallerIdentityCommand({}),
      ),
    ).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
  });

  it('answers ExpiredToken once the credentials expire', async () => {
    const member = await assume(sim.hubCredentials, accounts[3]!);
    for (const session of sim.state.sessions.values())
      if (session.sessionToken === member.sessionToken) session.expiration = new Date(Date.now() - 1000);
    await expect(new STSClient(config(member)).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'ExpiredToken',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(new KMSClient(config(member)).send(new ListKeysCommand({}))).rejects.toMatchObject({
      name: 'ExpiredTokenException',
    });
  });
});

describe('AssumeRole', () => {
  it('lets a member-role session assume no other account’s member role', async () => {
    const member = await assume(sim.hubCredentials, accounts[1]!);
    await expect(assume(member, accounts[2]!)).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    // Not even its own account's role: the trust policy names the hub, not the account.
    await expect(assume(member, accounts[1]!)).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('requires the ExternalId of the trust policy', async () => {
    await expect(assume(sim.hubCredentials, accounts[1]!, { externalId: 'other-id' })).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });

  it('lets the hub role (assumed by the hub user) assume member roles, chained for at most one hour', async () => {
    const hubRole = await assume(sim.hubCredentials, sim.state.managementAccountId, {
      role: 'KeywardenHubRole',
    });
    const member = await assume(hubRole, accounts[2]!);
    const identity = await new STSClient(config(member)).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(accounts[2]);
    await expect(assume(hubRole, accounts[2]!, { duration: 7200 })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('role chaining'),
    });
  });

  it('caps DurationSeconds at the role’s MaxSessionDuration and validates the range', async () => {
    await expect(assume(sim.hubCredentials, accounts[1]!, { duration: 7200 })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('MaxSessionDuration'),
    });
    await expect(assume(sim.hubCredentials, accounts[1]!, { duration: 100 })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining("at 'durationSeconds'"),
    });
  });

  it('issues no credentials for a suspended account', async () => {
    await expect(assume(sim.hubCredentials, suspended)).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('signs raw requests the same way (the helper the fuzz test uses)', async () => {
    const response = await signedFetch(sim.endpoint, {
      service: 'sts',
      headers: protocolHeaders('sts'),
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
      credentials: sim.hubCredentials,
    });
    expect(response.status).toBe(200);
    expect(response.text).toContain(sim.state.managementAccountId);
  });
});
