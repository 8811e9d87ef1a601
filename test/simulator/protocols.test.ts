import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetAccountAuthorizationDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  DescribeKeyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListKeysCommand,
} from '@aws-sdk/client-kms';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  BatchImportFindingsCommand,
  DescribeHubCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { DEFAULT_EXTERNAL_ID, generateOrganization, startSimulator } from '../../src/simulator/index.js';

let sim: RunningSimulator;
let accounts: string[];
type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const config = (credentials: Creds, region = 'us-east-1') => ({
  endpoint: sim.endpoint,
  region,
  credentials,
  maxAttempts: 1,
});

async function assume(accountId: string, externalId: string | null = DEFAULT_EXTERNAL_ID): Promise<Creds> {
  const sts = new STSClient(config(sim.hubCredentials));
  const response = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${accountId}:role/KeywardenMemberRole`,
      RoleSessionName: 'test',
      ...(externalId ? { ExternalId: externalId } : {}),
    }),
  );
  const c = response.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

beforeAll(async () => {
  sim = await startSimulator({
    organization: { accounts: 5, regions: ['us-east-1', 'eu-west-1'], keysPerRegion: 25, seed: 3 },
  });
  accounts = [...sim.state.accounts.keys()];
});
afterAll(async () => sim.stop());

describe('STS and routing by access key', () => {
  it('AssumeRole returns temporary credentials that act in the target account', async () => {
    const creds = await assume(accounts[1]!);
    expect(creds.accessKeyId).toMatch(/^ASIA/);
    const identity = await new STSClient(config(creds)).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(accounts[1]);
    expect(identity.Arn).toContain('assumed-role/KeywardenMemberRole/test');
  });

  it('denies a wrong or missing ExternalId, an unknown role and a denied account', async () => {
    await expect(assume(accounts[1]!, 'wrong')).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(assume(accounts[1]!, null)).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(assume('999999999999')).rejects.toMatchObject({ name: 'AccessDenied' });
    sim.faults.deniedAccounts.add(accounts[2]!);
    await expect(assume(accounts[2]!)).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    sim.faults.deniedAccounts.clear();
  });

  it('rejects unknown and expired credentials', async () => {
    await expect(
      new STSClient(config({ accessKeyId: 'AKIANOPE', secretAccessKey: 'x' })).send(
        new GetCallerIdentityCommand({}),
      ),
    ).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
    const creds = await assume(accounts[1]!);
    sim.state.expireSessions();
    await expect(new KMSClient(config(creds)).send(new ListKeysCommand({}))).rejects.toMatchObject({
      name: 'ExpiredTokenException',
    });
  });
});

describe('Organizations, EC2, IAM and KMS', () => {
  it('lists every account, paginated, ACTIVE and SUSPENDED', async () => {
    const org = new OrganizationsClient(config(sim.hubCredentials));
    const first = await org.send(new ListAccountsCommand({ MaxResults: 2 }));
    expect(first.Accounts).toHaveLength(2);
    const all = [...first.Accounts!];
    let token = first.NextToken;
    while (token) {
      const page = await org.send(new ListAccountsCommand({ MaxResults: 2, NextToken: token }));
      all.push(...page.Accounts!);
      token = page.NextToken;
    }
    expect(all.map((a) => a.Id)).toEqual(accounts);
    expect(new Set(all.map((a) => a.Status))).toEqual(new Set(['ACTIVE', 'SUSPENDED']));
  });

  it('describes the regions', async () => {
    const ec2 = new EC2Client(config(await assume(accounts[1]!)));
    const regions = await ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
    // Every region of the partition (fidelity.test.ts checks the statuses in detail).
    expect(regions.Regions!.map((r) => [r.RegionName, r.OptInStatus])).toEqual(
      expect.arrayContaining([
        ['us-east-1', 'opt-in-not-required'],
        ['eu-west-1', 'opt-in-not-required'],
        ['af-south-1', 'not-opted-in'],
      ]),
    );
  });

  it('pages GetAccountAuthorizationDetails with URL-encoded documents and usage counts', async () => {
    const iam = new IAMClient(config(await assume(accounts[1]!)));
    let marker: string | undefined;
    let pages = 0;
    const policies = [];
    const roles = [];
    do {
      const page = await iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 3, Marker: marker }));
      pages++;
      policies.push(...(page.Policies ?? []));
      roles.push(...(page.RoleDetailList ?? []));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    expect(pages).toBeGreaterThan(3);
    expect(policies).toHaveLength(10);
    expect(policies[0]!.PolicyVersionList![0]!.Document).toMatch(/^%7B/);
    expect(JSON.parse(decodeURIComponent(policies[0]!.PolicyVersionList![1]!.Document!))).toHaveProperty(
      'Statement',
    );
    expect(policies.some((p) => p.PermissionsBoundaryUsageCount === 1)).toBe(true);
    expect(policies.every((p) => typeof p.AttachmentCount === 'number')).toBe(true);
    expect(roles[0]!.AssumeRolePolicyDocument).toMatch(/^%7B/);
  });

  it('keeps each account and region apart, pages ListKeys and answers rotation as AWS does', async () => {
    const creds = await assume(accounts[1]!);
    const east = new KMSClient(config(creds, 'us-east-1'));
    const west = new KMSClient(config(creds, 'eu-west-1'));
    const page = await east.send(new ListKeysCommand({ Limit: 10 }));
    expect(page.Keys).toHaveLength(10);
    expect(page.Truncated).toBe(true);
    const rest = await east.send(new ListKeysCommand({ Limit: 100, Marker: page.NextMarker }));
    expect(rest.Keys).toHaveLength(15);
    const westKeys = await west.send(new ListKeysCommand({}));
    expect(westKeys.Keys!.some((k) => page.Keys!.some((e) => e.KeyId === k.KeyId))).toBe(false);
    const other = new KMSClient(config(await assume(accounts[2]!)));
    await expect(other.send(new DescribeKeyCommand({ KeyId: page.Keys![0]!.KeyId }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });

    const byKind = new Map<string, string>();
    for (const key of sim.state.keys(accounts[1]!, 'us-east-1')) byKind.set(key.description, key.keyId);
    const rotation = (kind: string) =>
      east.send(new GetKeyRotationStatusCommand({ KeyId: byKind.get(kind) }));
    expect(await rotation('symmetric, rotation every 180 days')).toMatchObject({
      KeyRotationEnabled: true,
      RotationPeriodInDays: 180,
    });
    expect(await rotation('symmetric, rotation off')).toMatchObject({ KeyRotationEnabled: false });
    await expect(rotation('asymmetric')).rejects.toMatchObject({ name: 'UnsupportedOperationException' });
    await expect(rotation('pending deletion')).rejects.toMatchObject({ name: 'KMSInvalidStateException' });
    const pending = await east.send(new DescribeKeyCommand({ KeyId: byKind.get('pending deletion') }));
    expect(pending.KeyMetadata).toMatchObject({ KeyState: 'PendingDeletion', KeyManager: 'CUSTOMER' });
    expect(pending.KeyMetadata!.DeletionDate).toBeInstanceOf(Date);
  });

  it('throttles at the quota with the service’s own throttling error', async () => {
    sim.faults.quotaScale = 0.001; // ListKeys: 0.5/s, burst 1
    const kms = new KMSClient(config(await assume(accounts[3]!), 'eu-west-1'));
    await kms.send(new ListKeysCommand({}));
    await expect(kms.send(new ListKeysCommand({}))).rejects.toMatchObject({ name: 'ThrottlingException' });
    sim.faults.quotaScale = 1;
  });
});

describe('Security Hub', () => {
  let hub: SecurityHubClient;
  let account: string;
  const finding = (id: string, overrides: Record<string, unknown> = {}) => ({
    SchemaVersion: '2018-10-08',
    Id: id,
    ProductArn: `arn:aws:securityhub:us-east-1:${account}:product/${account}/default`,
    GeneratorId: 'keywarden/KMS.3',
    AwsAccountId: account,
    Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
    CreatedAt: '2026-01-01T00:00:00.000Z',
    UpdatedAt: '2026-01-01T00:00:00.000Z',
    Severity: { Label: 'CRITICAL' as const },
    Title: 'KMS.3 test',
    Description: 'test',
    Resources: [{ Type: 'AwsKmsKey', Id: `arn:aws:kms:us-east-1:${account}:key/${id}` }],
    Compliance: { Status: 'FAILED' as const },
    ...overrides,
  });
  beforeAll(async () => {
    account = accounts[1]!;
    hub = new SecurityHubClient(config(await assume(account)));
  });

  it('imports valid findings and fails each invalid one with its reason', async () => {
    const response = await hub.send(
      new BatchImportFindingsCommand({
        Findings: [
          finding('ok-1'),
          finding('no-title', { Title: undefined }),
          finding('long-title', { Title: 't'.repeat(257) }),
          finding('other-account', { AwsAccountId: '123456789012' }),
          finding('other-product', {
            ProductArn: `arn:aws:securityhub:us-east-1:${account}:product/999999999999/default`,
          }),
          finding('bad-arn', { ProductArn: 'nope' }),
          finding('x'.repeat(513)),
          finding('huge', {
            Description: 'd',
            Note: undefined,
            ProductFields: { blob: 'b'.repeat(250_000) },
          }),
        ] as never,
      }),
    );
    expect(response.SuccessCount).toBe(1);
    expect(
      Object.fromEntries(response.FailedFindings!.map((f) => [f.Id!.slice(0, 20), f.ErrorCode])),
    ).toEqual({
      'no-title': 'InvalidInput',
      'long-title': 'InvalidInput',
      'other-account': 'AccessDeniedException',
      'other-product': 'AccessDeniedException',
      'bad-arn': 'InvalidInput',
      ['x'.repeat(20)]: 'InvalidInput',
      huge: 'FindingSizeExceeded',
    });
  });

  it('rejects more than 100 findings in one call', async () => {
    const many = Array.from({ length: 101 }, (_, i) => finding(`many-${i}`));
    await expect(hub.send(new BatchImportFindingsCommand({ Findings: many as never }))).rejects.toMatchObject(
      { name: 'InvalidInputException' },
    );
  });

  it('updates only when UpdatedAt is newer, resolving a PASSED finding', async () => {
    await hub.send(
      new BatchImportFindingsCommand({
        Findings: [finding('upd', { UpdatedAt: '2026-02-01T00:00:00.000Z' })] as never,
      }),
    );
    await hub.send(
      new BatchImportFindingsCommand({
        Findings: [finding('upd', { UpdatedAt: '2026-01-15T00:00:00.000Z', Title: 'older' })] as never,
      }),
    );
    const stored = () => sim.state.hub(account, 'us-east-1').findings.get('upd')!;
    expect(stored()['Title']).toBe('KMS.3 test');
    await hub.send(
      new BatchImportFindingsCommand({
        Findings: [
          finding('upd', { UpdatedAt: '2026-03-01T00:00:00.000Z', Compliance: { Status: 'PASSED' } }),
        ] as never,
      }),
    );
    expect(stored()['Workflow']).toEqual({ Status: 'RESOLVED' });
  });

  it('filters and pages GetFindings', async () => {
    const batch = Array.from({ length: 30 }, (_, i) =>
      finding(`page-${String(i).padStart(2, '0')}`, {
        GeneratorId: i % 2 ? 'keywarden/KMS.4' : 'keywarden/KMS.3',
        RecordState: i < 5 ? 'ARCHIVED' : 'ACTIVE',
      }),
    );
    await hub.send(new BatchImportFindingsCommand({ Findings: batch as never }));
    const filters = {
      Id: [{ Value: 'page-', Comparison: 'PREFIX' as const }],
      GeneratorId: [{ Value: 'keywarden/KMS.4', Comparison: 'EQUALS' as const }],
      RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' as const }],
      AwsAccountId: [{ Value: account, Comparison: 'EQUALS' as const }],
    };
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await hub.send(
        new GetFindingsCommand({ Filters: filters, MaxResults: 4, NextToken: token }),
      );
      ids.push(...page.Findings!.map((f) => f.Id!));
      token = page.NextToken;
    } while (token);
    expect(ids).toEqual(batch.filter((_, i) => i % 2 === 1 && i >= 5).map((f) => f.Id));
    const notEquals = await hub.send(
      new GetFindingsCommand({
        Filters: { ...filters, GeneratorId: [{ Value: 'keywarden/KMS.4', Comparison: 'NOT_EQUALS' }] },
        MaxResults: 100,
      }),
    );
    expect(notEquals.Findings!.every((f) => f.GeneratorId === 'keywarden/KMS.3')).toBe(true);
  });

  it('answers InvalidAccessException where Security Hub is not enabled', async () => {
    sim.faults.hubDisabled.add(`${account}/us-east-1`);
    await expect(hub.send(new DescribeHubCommand({}))).rejects.toMatchObject({
      name: 'InvalidAccessException',
    });
    await expect(hub.send(new GetFindingsCommand({}))).rejects.toMatchObject({
      name: 'InvalidAccessException',
    });
    sim.faults.hubDisabled.clear();
    await expect(hub.send(new DescribeHubCommand({}))).resolves.toMatchObject({
      HubArn: expect.stringContaining(':hub/default'),
    });
  });

  it('throttles BatchImportFindings above 10/s burst 30 with TooManyRequestsException', async () => {
    const other = new SecurityHubClient(config(await assume(accounts[3]!), 'eu-west-1'));
    account = accounts[3]!;
    const send = () =>
      other.send(
        new BatchImportFindingsCommand({
          Findings: [
            finding('t', {
              ProductArn: `arn:aws:securityhub:eu-west-1:${account}:product/${account}/default`,
            }),
          ] as never,
        }),
      );
    const results = await Promise.allSettled(Array.from({ length: 40 }, send));
    const rejected = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(rejected.length).toBeGreaterThanOrEqual(5);
    expect(rejected[0]!.reason).toMatchObject({
      name: 'TooManyRequestsException',
      $metadata: { httpStatusCode: 429 },
    });
  });
});

describe('the generated organization', () => {
  it('is the same for the same seed and holds every key kind', () => {
    const a = generateOrganization({ seed: 9, accounts: 3 });
    const b = generateOrganization({ seed: 9, accounts: 3 });
    expect(a.expected).toEqual(b.expected);
    expect(generateOrganization({ seed: 10, accounts: 3 }).expected).not.toEqual(a.expected);
    const keys = [...a.state.accounts.values()][0]!.keys.get('us-east-1')!;
    expect(new Set(keys.map((k) => k.keyState))).toEqual(
      new Set(['Enabled', 'PendingDeletion', 'PendingReplicaDeletion', 'Disabled']),
    );
    expect(new Set(keys.map((k) => k.origin))).toEqual(new Set(['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM']));
    expect(keys.some((k) => k.keyManager === 'AWS')).toBe(true);
    expect(new Set(keys.map((k) => k.keySpec))).toEqual(
      new Set(['SYMMETRIC_DEFAULT', 'RSA_2048', 'HMAC_256']),
    );
    const statuses = new Set(a.expected.map((e) => `${e.controlId}:${e.status}`));
    for (const s of [
      'KMS.1:PASSED',
      'KMS.1:FAILED',
      'KMS.2:PASSED',
      'KMS.2:FAILED',
      'KMS.3:PASSED',
      'KMS.3:FAILED',
      'KMS.4:PASSED',
      'KMS.4:FAILED',
    ]) {
      expect(statuses).toContain(s);
    }
  });

  it('counts calls by operation', () => {
    expect(sim.counters.byOperation.get('sts:AssumeRole')).toBeGreaterThan(5);
    expect(sim.counters.total()).toBeGreaterThan(20);
  });
});
