/**
 * No input produces a 500: random JSON and query bodies, correctly signed, against every simulated
 * operation. Bounded in count (a fixed number of runs per protocol, which must all run) and in time (the
 * test's timeout); the simulator listens on loopback only.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { DEFAULT_EXTERNAL_ID, startSimulator } from '../../src/simulator/index.js';
import { type Credentials, protocolHeaders, signedFetch } from './signed.js';

const RUNS = 250;
let sim: RunningSimulator;
let member: Credentials;

beforeAll(async () => {
  sim = await startSimulator({
    host: '127.0.0.1',
    organization: { accounts: 2, regions: ['us-east-1'], keysPerRegion: 3, seed: 8 },
    faults: { throttling: false },
  });
  expect(sim.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const account = [...sim.state.accounts.keys()][1]!;
  const c = (
    await new STSClient({
      endpoint: sim.endpoint,
      region: 'us-east-1',
      credentials: sim.hubCredentials,
    }).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${account}:role/KeywardenMemberRole`,
        RoleSessionName: 'fuzz',
        ExternalId: DEFAULT_EXTERNAL_ID,
      }),
    )
  ).Credentials!;
  member = {
    accessKeyId: c.AccessKeyId!,
    secretAccessKey: c.SecretAccessKey!,
    sessionToken: c.SessionToken!,
  };
  // A stored finding, so that GetFindings' filters are evaluated against something.
  const finding = {
    SchemaVersion: '2018-10-08',
    Id: 'fuzz-seed',
    ProductArn: `arn:aws:securityhub:us-east-1:${account}:product/${account}/default`,
    GeneratorId: 'fuzz',
    AwsAccountId: account,
    Types: ['Software and Configuration Checks'],
    CreatedAt: '2026-01-01T00:00:00Z',
    UpdatedAt: '2026-01-01T00:00:00Z',
    Severity: { Label: 'LOW' },
    Title: 'fuzz',
    Description: 'fuzz',
    Resources: [{ Type: 'Other', Id: 'fuzz' }],
    Compliance: { Status: 'FAILED' },
  };
  const seeded = await signedFetch(sim.endpoint, {
    service: 'securityhub',
    path: '/findings/import',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ Findings: [finding] }),
    credentials: member,
  });
  expect(JSON.parse(seeded.text)).toMatchObject({ SuccessCount: 1 });
});
afterAll(async () => sim.stop());

/** Members the operations read, so random values reach the parsers, not only the outer checks. */
const MEMBERS = [
  'Limit',
  'Marker',
  'KeyId',
  'PolicyName',
  'Policy',
  'MaxResults',
  'NextToken',
  'Filters',
  'SortCriteria',
  'Findings',
  'ComplianceStatus',
  'Id',
  'Value',
  'Comparison',
];
// Objects are favoured, and null and scalars where structures belong: that is where parsers crash.
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    // At the maximum depth the first (a scalar) is taken.
    { depthSize: 'small', maxDepth: 4 },
    { arbitrary: fc.constantFrom(null, '', 'x', 0, 1001, -1, true, 'FAILED', 'EQUALS'), weight: 3 },
    { arbitrary: tie('object'), weight: 3 },
    { arbitrary: fc.array(tie('value'), { maxLength: 3 }), weight: 2 },
    { arbitrary: fc.jsonValue({ maxDepth: 1 }), weight: 1 },
  ),
  object: fc.dictionary(fc.constantFrom(...MEMBERS), tie('value'), { maxKeys: 3 }),
})).object;
const body = fc.oneof(
  json.map((v) => JSON.stringify(v)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 40 }),
);

/** Bodies shaped like each Security Hub operation's input, with random values where members belong. */
const anyValue = json.chain((o) => fc.constantFrom(...Object.values(o), o));
const shaped = fc.oneof(
  fc.record({ Findings: fc.array(anyValue, { maxLength: 3 }) }),
  fc.record(
    {
      Filters: fc.dictionary(
        fc.constantFrom('ComplianceStatus', 'Id', 'RecordState', 'SeverityLabel', 'Type', 'Nope'),
        anyValue,
        { maxKeys: 2 },
      ),
      SortCriteria: anyValue,
      MaxResults: anyValue,
      NextToken: anyValue,
    },
    { requiredKeys: ['Filters'] },
  ),
);
const restBody = fc.oneof(
  body,
  shaped.map((v) => JSON.stringify(v)),
);

const JSON_TARGETS = [
  { service: 'kms', target: 'ListKeys' },
  { service: 'kms', target: 'DescribeKey' },
  { service: 'kms', target: 'GetKeyRotationStatus' },
  { service: 'kms', target: 'ListAliases' },
  { service: 'kms', target: 'GetKeyPolicy' },
  { service: 'kms', target: 'PutKeyPolicy' },
  { service: 'kms', target: 'ListResourceTags' },
  { service: 'kms', target: 'NoSuchOperation' },
  { service: 'organizations', target: 'ListAccounts' },
  { service: 'organizations', target: 'DescribeOrganization' },
] as const;
const REST_TARGETS = [
  { method: 'POST', path: '/findings' },
  { method: 'POST', path: '/findings/import' },
  { method: 'GET', path: '/accounts' },
  { method: 'POST', path: '/accounts' },
  { method: 'DELETE', path: '/nowhere' },
] as const;

const QUERY_KEYS = [
  'RoleArn',
  'RoleSessionName',
  'DurationSeconds',
  'ExternalId',
  'MaxItems',
  'Marker',
  'Filter.member.1',
  'AllRegions',
  'RegionName.1',
  'Filter.1.Name',
  'Filter.1.Value.1',
];
const QUERY_ACTIONS = [
  { service: 'sts', action: 'AssumeRole' },
  { service: 'sts', action: 'GetCallerIdentity' },
  { service: 'iam', action: 'GetAccountAuthorizationDetails' },
  { service: 'ec2', action: 'DescribeRegions' },
  { service: 'iam', action: 'Nope' },
] as const;
const queryBody = fc
  .tuple(
    fc.constantFrom(...QUERY_ACTIONS),
    fc.dictionary(
      fc.constantFrom(...QUERY_KEYS),
      fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String)),
      {
        maxKeys: 5,
      },
    ),
  )
  .map(([{ service, action }, params]) => ({
    service,
    body: new URLSearchParams({ Action: action, Version: '2011-06-15', ...params }).toString(),
  }));

const statuses = new Map<number, number>();
const record = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);

describe('fuzzing the request parsers', () => {
  it('JSON 1.1 (KMS, Organizations): no 500', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...JSON_TARGETS), body, async ({ service, target }, text) => {
        runs++;
        const response = await signedFetch(sim.endpoint, {
          service,
          headers: protocolHeaders(service, target),
          body: text,
          credentials: service === 'organizations' ? sim.hubCredentials : member,
        });
        record(response.status);
        expect(response.status, `${service}:${target} ${text} -> ${response.text}`).toBeLessThan(500);
      }),
      { numRuns: RUNS, seed: 12 },
    );
    expect(runs).toBe(RUNS);
  }, 60_000);

  it('REST-JSON (Security Hub): no 500', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...REST_TARGETS), restBody, async ({ method, path }, text) => {
        runs++;
        const response = await signedFetch(sim.endpoint, {
          service: 'securityhub',
          method,
          path,
          headers: { 'content-type': 'application/json' },
          body: method === 'GET' ? '' : text,
          credentials: member,
        });
        record(response.status);
        expect(response.status, `${method} ${path} ${text} -> ${response.text}`).toBeLessThan(500);
      }),
      {
        numRuns: RUNS,
        seed: 13,
        // The known crashers (issue 12) come first; the random bodies follow.
        examples: [
          [REST_TARGETS[1], '{"Findings":[null]}'],
          [REST_TARGETS[0], '{"Filters":{"ComplianceStatus":"FAILED"}}'],
          [REST_TARGETS[0], '{"Filters":{"ComplianceStatus":[null]}}'],
        ],
      },
    );
    expect(runs).toBe(RUNS);
  }, 60_000);

  it('query (STS, IAM, EC2): no 500', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(queryBody, async ({ service, body: text }) => {
        runs++;
        const response = await signedFetch(sim.endpoint, {
          service,
          headers: protocolHeaders(service),
          body: text,
          credentials: member,
        });
        record(response.status);
        expect(response.status, `${service} ${text} -> ${response.text}`).toBeLessThan(500);
      }),
      { numRuns: RUNS, seed: 14 },
    );
    expect(runs).toBe(RUNS);
    // The fuzzing reached the operations (some answers succeeded) and their checks (some were refused).
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
  }, 60_000);
});
