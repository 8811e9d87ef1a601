/** Security Hub refuses what AWS refuses: malformed findings, malformed filters; it sorts and filters as AWS. */
import {
  BatchImportFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { DEFAULT_EXTERNAL_ID, startSimulator } from '../../src/simulator/index.js';
import { type Credentials, signedFetch } from './signed.js';

let sim: RunningSimulator;
let account: string;
let member: Credentials;
let hub: SecurityHubClient;

const finding = (id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  SchemaVersion: '2018-10-08',
  Id: id,
  ProductArn: `arn:aws:securityhub:us-east-1:${account}:product/${account}/default`,
  GeneratorId: 'keywarden/KMS.3',
  AwsAccountId: account,
  Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
  CreatedAt: '2026-01-01T00:00:00.000Z',
  UpdatedAt: '2026-01-01T00:00:00.000Z',
  Severity: { Label: 'CRITICAL' },
  Title: 'KMS.3 test',
  Description: 'test',
  Resources: [{ Type: 'AwsKmsKey', Id: `arn:aws:kms:us-east-1:${account}:key/${id}`, Partition: 'aws' }],
  Compliance: { Status: 'FAILED' },
  ...overrides,
});

const importRaw = (findings: unknown[]) =>
  hub.send(new BatchImportFindingsCommand({ Findings: findings as never }));

/** A raw REST call (bodies no SDK client would serialise). */
const raw = (path: string, body: string) =>
  signedFetch(sim.endpoint, {
    service: 'securityhub',
    path,
    headers: { 'content-type': 'application/json' },
    body,
    credentials: member,
  });

beforeAll(async () => {
  // GetFindings' real quota (3/s) is not what these tests are about.
  sim = await startSimulator({
    organization: { accounts: 2, regions: ['us-east-1'], seed: 5 },
    faults: { throttling: false },
  });
  account = [...sim.state.accounts.keys()][1]!;
  const sts = new STSClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: sim.hubCredentials });
  const c = (
    await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${account}:role/KeywardenMemberRole`,
        RoleSessionName: 'strict',
        ExternalId: DEFAULT_EXTERNAL_ID,
      }),
    )
  ).Credentials!;
  member = {
    accessKeyId: c.AccessKeyId!,
    secretAccessKey: c.SecretAccessKey!,
    sessionToken: c.SessionToken!,
  };
  hub = new SecurityHubClient({
    endpoint: sim.endpoint,
    region: 'us-east-1',
    credentials: member,
    maxAttempts: 1,
  });
});
afterAll(async () => sim.stop());

describe('BatchImportFindings validates each finding against AwsSecurityFinding', () => {
  const many = (n: number, make: (i: number) => unknown) => Array.from({ length: n }, (_, i) => make(i));
  // Each malformed finding of issue 12, with the member AWS names in its message.
  const malformed: [string, Record<string, unknown>, string][] = [
    ['schema-version', { SchemaVersion: '2019-01-01' }, 'data.SchemaVersion'],
    ['blank-title', { Title: '   ' }, 'data.Title should match pattern'],
    ['numeric-title', { Title: 42 }, 'data.Title should be string'],
    [
      'severe',
      { Severity: { Label: 'SEVERE' } },
      'data.Severity.Label should be equal to one of the allowed values',
    ],
    ['compliance-ok', { Compliance: { Status: 'OK' } }, 'data.Compliance.Status'],
    ['deleted', { RecordState: 'DELETED' }, 'data.RecordState'],
    ['bogus-workflow', { Workflow: { Status: 'BOGUS' } }, 'data.Workflow.Status'],
    ['bad-date', { UpdatedAt: 'yesterday' }, 'data.UpdatedAt should match format "date-time"'],
    ['bad-created', { CreatedAt: '2026-13-45' }, 'data.CreatedAt'],
    ['foo-type', { Types: ['Foo'] }, 'data.Types[0] should match pattern'],
    [
      '51-types',
      { Types: many(51, (i) => `Software and Configuration Checks/Vulnerabilities/T${i}`) },
      'data.Types should NOT have more than 50 items',
    ],
    ['string-types', { Types: 'Software and Configuration Checks' }, 'data.Types should be array'],
    [
      'no-resource-type',
      { Resources: [{ Id: 'arn:aws:kms:us-east-1:1:key/x' }] },
      "data.Resources[0] should have required property 'Type'",
    ],
    ['null-resource', { Resources: [null] }, 'data.Resources[0] should be object'],
    [
      '33-resources',
      { Resources: many(33, (i) => ({ Type: 'AwsKmsKey', Id: `key-${i}` })) },
      'data.Resources should NOT have more than 32 items',
    ],
    [
      'moon',
      { Resources: [{ Type: 'AwsKmsKey', Id: 'k', Partition: 'aws-moon' }] },
      'data.Resources[0].Partition should be equal to one of the allowed values',
    ],
    ['unknown-member', { Colour: 'blue' }, 'data should NOT have additional properties'],
    [
      '51-product-fields',
      { ProductFields: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) },
      'data.ProductFields should NOT have more than 50 properties',
    ],
    ['no-severity', { Severity: undefined }, "data should have required property 'Severity'"],
    ['empty-severity', { Severity: {} }, 'data.Severity should match some schema in anyOf'],
    ['long-title', { Title: 't'.repeat(257) }, 'data.Title should NOT be longer than 256 characters'],
    ['no-title', { Title: undefined }, "data should have required property 'Title'"],
    ['bad-account', { AwsAccountId: 'me' }, 'data.AwsAccountId should match pattern'],
  ];

  it.each(malformed)('refuses %s with InvalidInput naming the member', async (id, overrides, message) => {
    // Sent raw: an SDK client would drop a null list entry or an unknown member before sending.
    const answer = await raw('/findings/import', JSON.stringify({ Findings: [finding(id, overrides)] }));
    expect(answer.status).toBe(200);
    const response = JSON.parse(answer.text) as {
      SuccessCount: number;
      FailedFindings: { ErrorMessage: string }[];
    };
    expect(response.SuccessCount).toBe(0);
    expect(response.FailedFindings).toEqual([
      {
        Id: id,
        ErrorCode: 'InvalidInput',
        ErrorMessage: expect.stringMatching(/^Finding does not adhere to Amazon Finding Format\. /),
      },
    ]);
    expect(response.FailedFindings[0]!.ErrorMessage).toContain(message);
    expect(sim.state.hub(account, 'us-east-1').findings.has(id)).toBe(false);
  });

  it('accepts a finding in the shape keywarden sends, with every optional member it uses', async () => {
    const full = finding('full', {
      ProductName: 'keywarden',
      CompanyName: 'Example',
      Region: 'us-east-1',
      FirstObservedAt: '2026-01-01T00:00:00.000Z',
      LastObservedAt: '2026-01-01T00:00:00Z',
      FindingProviderFields: {
        Severity: { Label: 'CRITICAL', Original: 'CRITICAL' },
        Types: ['Effects/Data Exposure'],
      },
      Remediation: { Recommendation: { Text: 'Cancel the deletion.', Url: 'https://docs.aws.amazon.com/' } },
      Compliance: {
        Status: 'FAILED',
        SecurityControlId: 'KMS.3',
        RelatedRequirements: ['NIST.800-53.r5 SC-12'],
        StatusReasons: [{ ReasonCode: 'PENDING_DELETION', Description: 'Deletion in 7 days' }],
      },
      ProductFields: { 'keywarden/ControlId': 'KMS.3' },
      RecordState: 'ACTIVE',
      Resources: [
        {
          Type: 'AwsKmsKey',
          Id: `arn:aws:kms:us-east-1:${account}:key/full`,
          Partition: 'aws',
          Region: 'us-east-1',
          Details: { AwsKmsKey: { KeyState: 'PendingDeletion', CreationDate: 1_700_000_000 } },
        },
      ],
    });
    await expect(importRaw([full])).resolves.toMatchObject({ SuccessCount: 1, FailedCount: 0 });
  });

  it('answers 400, not 500, to a null finding, keeping the valid ones of the batch', async () => {
    const response = await raw(
      '/findings/import',
      JSON.stringify({ Findings: [null, finding('beside-null')] }),
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toMatchObject({
      SuccessCount: 1,
      FailedCount: 1,
      FailedFindings: [
        { ErrorCode: 'InvalidInput', ErrorMessage: expect.stringContaining('data should be object') },
      ],
    });
    for (const body of ['{"Findings":null}', '{"Findings":"x"}', '[]', 'null', '{"Findings":[', '7']) {
      const answer = await raw('/findings/import', body);
      expect(answer.status, body).toBe(400);
    }
  });
});

describe('GetFindings', () => {
  beforeAll(async () => {
    await importRaw([
      finding('g-1', {
        Title: 'Key scheduled for deletion',
        Severity: { Label: 'CRITICAL' },
        UpdatedAt: '2026-01-03T00:00:00Z',
      }),
      finding('g-2', {
        Title: 'Rotation disabled',
        Severity: { Label: 'MEDIUM' },
        Types: ['Effects/Data Exposure'],
        UpdatedAt: '2026-01-01T00:00:00Z',
      }),
      finding('g-3', {
        Title: 'Rotation enabled',
        Severity: { Label: 'INFORMATIONAL' },
        Compliance: { Status: 'PASSED' },
        UpdatedAt: '2026-01-02T00:00:00Z',
      }),
    ]);
  });
  const ids = async (input: Record<string, unknown>) =>
    ((await hub.send(new GetFindingsCommand(input as never))).Findings ?? []).map((f) => f.Id);
  const gPrefix = { Id: [{ Value: 'g-', Comparison: 'PREFIX' }] };

  it('answers 400, not 500, to ComplianceStatus as a string or [null], and to other malformed filters', async () => {
    for (const filters of [
      { ComplianceStatus: 'FAILED' },
      { ComplianceStatus: [null] },
      { ComplianceStatus: [{ Value: 7, Comparison: 'EQUALS' }] },
      { ComplianceStatus: {} },
      'x',
    ]) {
      const response = await raw('/findings', JSON.stringify({ Filters: filters }));
      expect(response.status, JSON.stringify(filters)).toBe(400);
      expect(response.headers.get('x-amzn-errortype')).toBe('InvalidInputException');
    }
  });

  it('refuses an unknown comparison instead of treating it as EQUALS', async () => {
    await expect(ids({ Filters: { Id: [{ Value: 'g-1', Comparison: 'LIKE' }] } })).rejects.toMatchObject({
      name: 'InvalidInputException',
      message: expect.stringContaining('enum value set'),
    });
  });

  it('matches CONTAINS as a substring and refuses the combinations AWS refuses', async () => {
    expect(
      await ids({ Filters: { ...gPrefix, Title: [{ Value: 'Rotation', Comparison: 'CONTAINS' }] } }),
    ).toEqual(['g-2', 'g-3']);
    expect(
      await ids({ Filters: { ...gPrefix, Title: [{ Value: 'enabled', Comparison: 'NOT_CONTAINS' }] } }),
    ).toEqual(['g-1', 'g-2']);
    await expect(
      ids({
        Filters: {
          Title: [
            { Value: 'a', Comparison: 'CONTAINS' },
            { Value: 'b', Comparison: 'NOT_CONTAINS' },
          ],
        },
      }),
    ).rejects.toMatchObject({ name: 'InvalidInputException' });
    await expect(
      ids({
        Filters: {
          Id: [
            { Value: 'a', Comparison: 'EQUALS' },
            { Value: 'b', Comparison: 'NOT_EQUALS' },
          ],
        },
      }),
    ).rejects.toMatchObject({ name: 'InvalidInputException' });
  });

  it('filters by SeverityLabel and Type', async () => {
    expect(
      await ids({ Filters: { ...gPrefix, SeverityLabel: [{ Value: 'MEDIUM', Comparison: 'EQUALS' }] } }),
    ).toEqual(['g-2']);
    expect(
      await ids({ Filters: { ...gPrefix, Type: [{ Value: 'Effects/', Comparison: 'PREFIX' }] } }),
    ).toEqual(['g-2']);
  });

  it('honours SortCriteria', async () => {
    const sorted = (Field: string, SortOrder: string) =>
      ids({ Filters: gPrefix, SortCriteria: [{ Field, SortOrder }] });
    expect(await sorted('UpdatedAt', 'desc')).toEqual(['g-1', 'g-3', 'g-2']);
    expect(await sorted('UpdatedAt', 'asc')).toEqual(['g-2', 'g-3', 'g-1']);
    expect(await sorted('Title', 'asc')).toEqual(['g-1', 'g-2', 'g-3']);
    await expect(sorted('UpdatedAt', 'sideways')).rejects.toMatchObject({ name: 'InvalidInputException' });
  });

  it('resolves the workflow of an archived finding, and reopens it when it comes back', async () => {
    await importRaw([finding('arch', { UpdatedAt: '2026-02-01T00:00:00Z' })]);
    const stored = () => sim.state.hub(account, 'us-east-1').findings.get('arch')!;
    expect(stored()['Workflow']).toEqual({ Status: 'NEW' });
    await importRaw([finding('arch', { UpdatedAt: '2026-02-02T00:00:00Z', RecordState: 'ARCHIVED' })]);
    expect(stored()['Workflow']).toEqual({ Status: 'RESOLVED' });
    await importRaw([finding('arch', { UpdatedAt: '2026-02-03T00:00:00Z', RecordState: 'ACTIVE' })]);
    expect(stored()['Workflow']).toEqual({ Status: 'NEW' });
  });

  it('refuses MaxResults outside 1-100', async () => {
    await expect(ids({ MaxResults: 101 })).rejects.toMatchObject({ name: 'InvalidInputException' });
    await expect(ids({ MaxResults: 0 })).rejects.toMatchObject({ name: 'InvalidInputException' });
  });
});
