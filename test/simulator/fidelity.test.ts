/** Parameters AWS rejects are rejected (never clamped), and the answers keywarden reads are AWS's. */
import { DescribeRegionsCommand, type DescribeRegionsCommandInput, EC2Client } from '@aws-sdk/client-ec2';
import { GetAccountAuthorizationDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, KMSClient, ListAliasesCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { DEFAULT_EXTERNAL_ID, startSimulator } from '../../src/simulator/index.js';
import { type Credentials, protocolHeaders, signedFetch } from './signed.js';

let sim: RunningSimulator;
let accounts: string[];
const members = new Map<string, Credentials>();
const config = (credentials: Credentials, region = 'us-east-1') => ({
  endpoint: sim.endpoint,
  region,
  credentials,
  maxAttempts: 1,
});

async function member(account: string): Promise<Credentials> {
  const known = members.get(account);
  if (known) return known;
  const c = (
    await new STSClient(config(sim.hubCredentials)).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${account}:role/KeywardenMemberRole`,
        RoleSessionName: 'fidelity',
        ExternalId: DEFAULT_EXTERNAL_ID,
      }),
    )
  ).Credentials!;
  const credentials = {
    accessKeyId: c.AccessKeyId!,
    secretAccessKey: c.SecretAccessKey!,
    sessionToken: c.SessionToken!,
  };
  members.set(account, credentials);
  return credentials;
}

beforeAll(async () => {
  // eu-south-1 needs an opt-in: the generated organization opted in to it.
  sim = await startSimulator({
    organization: { accounts: 3, regions: ['us-east-1', 'eu-south-1'], seed: 6 },
    faults: { throttling: false },
  });
  accounts = [...sim.state.accounts.keys()];
});
afterAll(async () => sim.stop());

describe('out-of-range parameters are refused with AWS’s validation errors', () => {
  it('Organizations ListAccounts: MaxResults 21 and an invalid NextToken are InvalidInputException', async () => {
    const org = new OrganizationsClient(config(sim.hubCredentials));
    await expect(org.send(new ListAccountsCommand({ MaxResults: 21 }))).rejects.toMatchObject({
      name: 'InvalidInputException',
      Reason: 'MAX_VALUE_EXCEEDED',
      message: expect.stringContaining('less than or equal to 20'),
    });
    await expect(org.send(new ListAccountsCommand({ NextToken: 'not-a-token' }))).rejects.toMatchObject({
      name: 'InvalidInputException',
      Reason: 'INVALID_NEXT_TOKEN',
    });
    await expect(org.send(new ListAccountsCommand({ MaxResults: 20 }))).resolves.toHaveProperty('Accounts');
  });

  it('KMS ListKeys: Limit 1001 is a ValidationException, a non-numeric Limit a SerializationException', async () => {
    const kms = new KMSClient(config(await member(accounts[1]!)));
    await expect(kms.send(new ListKeysCommand({ Limit: 1001 }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("Value '1001' at 'limit' failed to satisfy constraint"),
    });
    await expect(kms.send(new ListKeysCommand({ Limit: 0 }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    const response = await signedFetch(sim.endpoint, {
      service: 'kms',
      headers: protocolHeaders('kms', 'ListKeys'),
      body: '{"Limit":"ten"}',
      credentials: await member(accounts[1]!),
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toMatchObject({ __type: 'SerializationException' });
    await expect(kms.send(new ListKeysCommand({ Marker: 'bogus' }))).rejects.toMatchObject({
      name: 'InvalidMarkerException',
    });
  });

  it('IAM GetAccountAuthorizationDetails: MaxItems 1001 and 0 are ValidationError (0 never pages forever)', async () => {
    const iam = new IAMClient(config(await member(accounts[1]!)));
    for (const MaxItems of [1001, 0]) {
      await expect(iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems }))).rejects.toMatchObject({
        name: 'ValidationError',
        message: expect.stringContaining("at 'maxItems' failed to satisfy constraint"),
      });
    }
    const page = await iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1000 }));
    expect(page.IsTruncated).toBe(false);
  });
});

describe('EC2 DescribeRegions lists the partition with opt-in status', () => {
  const describe_ = async (input: DescribeRegionsCommandInput) =>
    (
      await new EC2Client(config(await member(accounts[1]!))).send(new DescribeRegionsCommand(input))
    ).Regions!.map((r) => [r.RegionName, r.OptInStatus]);

  it('with AllRegions: every region, each with its status', async () => {
    const all = new Map((await describe_({ AllRegions: true })) as [string, string][]);
    expect(all.size).toBe(34);
    expect(all.get('us-east-1')).toBe('opt-in-not-required');
    expect(all.get('ap-northeast-3')).toBe('opt-in-not-required');
    expect(all.get('eu-south-1')).toBe('opted-in');
    expect(all.get('af-south-1')).toBe('not-opted-in');
    expect(all.get('me-central-1')).toBe('not-opted-in');
  });

  it('without AllRegions: only the enabled regions', async () => {
    const enabled = await describe_({});
    expect(enabled).toHaveLength(18);
    expect(enabled.some(([, status]) => status === 'not-opted-in')).toBe(false);
    expect(enabled).toContainEqual(['eu-south-1', 'opted-in']);
  });

  it('refuses calls into a region the account has not opted in to', async () => {
    const credentials = await member(accounts[1]!);
    await expect(
      new KMSClient(config(credentials, 'af-south-1')).send(new ListKeysCommand({})),
    ).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    await expect(
      new KMSClient(config(credentials, 'eu-south-1')).send(new ListKeysCommand({})),
    ).resolves.toHaveProperty('Keys');
  });

  it('honours RegionNames and Filters, and refuses unknown ones', async () => {
    expect(await describe_({ RegionNames: ['eu-west-1', 'us-east-1'] })).toEqual([
      ['eu-west-1', 'opt-in-not-required'],
      ['us-east-1', 'opt-in-not-required'],
    ]);
    expect(
      await describe_({ AllRegions: true, Filters: [{ Name: 'opt-in-status', Values: ['opted-in'] }] }),
    ).toEqual([['eu-south-1', 'opted-in']]);
    expect(await describe_({ Filters: [{ Name: 'region-name', Values: ['us-west-*'] }] })).toEqual([
      ['us-west-1', 'opt-in-not-required'],
      ['us-west-2', 'opt-in-not-required'],
    ]);
    await expect(describe_({ RegionNames: ['moon-1'] })).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    await expect(describe_({ Filters: [{ Name: 'colour', Values: ['x'] }] })).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
  });
});

describe('KMS keys and aliases', () => {
  it('ListAliases answers AliasArn and AliasName that agree, and DescribeKey resolves both', async () => {
    const kms = new KMSClient(config(await member(accounts[1]!)));
    const aliases = (await kms.send(new ListAliasesCommand({}))).Aliases!;
    expect(aliases.length).toBeGreaterThan(0);
    for (const alias of aliases) {
      expect(alias.AliasName).toMatch(/^alias\//);
      expect(alias.AliasArn).toBe(`arn:aws:kms:us-east-1:${accounts[1]}:${alias.AliasName}`);
    }
    const first = aliases[0]!;
    for (const KeyId of [first.AliasName!, first.AliasArn!]) {
      const described = await kms.send(new DescribeKeyCommand({ KeyId }));
      expect(described.KeyMetadata!.KeyId).toBe(first.TargetKeyId);
    }
    await expect(kms.send(new DescribeKeyCommand({ KeyId: 'alias/none' }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });

  it('DescribeKey with another account’s key ARN never answers with the caller’s key', async () => {
    const mine = sim.state.keys(accounts[1]!, 'us-east-1')[0]!;
    const theirs = sim.state.keys(accounts[2]!, 'us-east-1')[0]!;
    const kms = new KMSClient(config(await member(accounts[1]!)));
    // The same key id under another account: that account's key, which the caller may not read.
    await expect(
      kms.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:us-east-1:${accounts[2]}:key/${mine.keyId}` })),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(
      kms.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:us-east-1:${accounts[2]}:key/${theirs.keyId}` })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const own = await kms.send(
      new DescribeKeyCommand({ KeyId: `arn:aws:kms:us-east-1:${accounts[1]}:key/${mine.keyId}` }),
    );
    expect(own.KeyMetadata!.AWSAccountId).toBe(accounts[1]);
  });
});
