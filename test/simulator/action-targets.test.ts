/**
 * Security Hub custom actions in the simulator through the real @aws-sdk/client-securityhub: Create,
 * Describe and DeleteActionTarget with AWS's shapes and errors, and the test hook that fires a custom action
 * on chosen findings, delivering the "Security Hub Findings - Custom Action" event keywarden's parser reads.
 */
import {
  CreateActionTargetCommand,
  DeleteActionTargetCommand,
  DescribeActionTargetsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeTargets, type ChangeTarget } from '../../src/events/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { startSimulator } from '../../src/simulator/index.js';

const REGION = 'us-east-1';
let sim: RunningSimulator;
let hubAccount: string;
let member: string;
let queueUrl: string;
let hub: SecurityHubClient;
let sqs: SQSClient;

beforeAll(async () => {
  sim = await startSimulator({
    organization: { accounts: 2, regions: [REGION, 'eu-west-1'], seed: 3 },
    faults: { throttling: false },
  });
  hubAccount = sim.state.managementAccountId;
  member = [...sim.state.accounts.keys()][1]!;
  ({ queueUrl } = sim.events.createQueues(hubAccount, REGION));
  const options = { endpoint: sim.endpoint, region: REGION, credentials: sim.hubCredentials, maxAttempts: 1 };
  hub = new SecurityHubClient(options);
  sqs = new SQSClient(options);
});
afterAll(async () => sim.stop());

async function drain(): Promise<Record<string, unknown>[]> {
  await sim.events.settled();
  const out: Record<string, unknown>[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return out;
    out.push(...Messages.map((m) => JSON.parse(m.Body!) as Record<string, unknown>));
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}

describe('CreateActionTarget, DescribeActionTargets, DeleteActionTarget', () => {
  it('creates once: the same Id again is ResourceConflictException (409)', async () => {
    const created = await hub.send(
      new CreateActionTargetCommand({ Id: 'Once', Name: 'Once', Description: 'first' }),
    );
    const arn = `arn:aws:securityhub:${REGION}:${hubAccount}:action/custom/Once`;
    expect(created.ActionTargetArn).toBe(arn);
    await expect(
      hub.send(new CreateActionTargetCommand({ Id: 'Once', Name: 'Other', Description: 'second' })),
    ).rejects.toMatchObject({ name: 'ResourceConflictException', $metadata: { httpStatusCode: 409 } });
    const described = await hub.send(new DescribeActionTargetsCommand({ ActionTargetArns: [arn] }));
    expect(described.ActionTargets).toEqual([{ ActionTargetArn: arn, Name: 'Once', Description: 'first' }]);
    expect(await hub.send(new DeleteActionTargetCommand({ ActionTargetArn: arn }))).toMatchObject({
      ActionTargetArn: arn,
    });
    await expect(
      hub.send(new DescribeActionTargetsCommand({ ActionTargetArns: [arn] })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(hub.send(new DeleteActionTargetCommand({ ActionTargetArn: arn }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('refuses an Id that is not 1-20 letters and digits, a Name over 20 characters, no Description', async () => {
    for (const input of [
      { Id: 'with-dash', Name: 'n', Description: 'd' },
      { Id: 'A'.repeat(21), Name: 'n', Description: 'd' },
      { Id: 'Fine', Name: 'n'.repeat(21), Description: 'd' },
      { Id: 'Fine', Name: 'n', Description: undefined as unknown as string },
    ])
      await expect(hub.send(new CreateActionTargetCommand(input))).rejects.toMatchObject({
        name: 'InvalidInputException',
        $metadata: { httpStatusCode: 400 },
      });
    const all = await hub.send(new DescribeActionTargetsCommand({}));
    expect(all.ActionTargets!.some((t) => t.ActionTargetArn!.endsWith('/Fine'))).toBe(false);
  });

  it('lists every action of the account and region, by pages', async () => {
    for (let i = 0; i < 3; i++)
      await hub.send(new CreateActionTargetCommand({ Id: `Paged${i}`, Name: `p${i}`, Description: 'd' }));
    const first = await hub.send(new DescribeActionTargetsCommand({ MaxResults: 2 }));
    expect(first.ActionTargets).toHaveLength(2);
    const second = await hub.send(
      new DescribeActionTargetsCommand({ MaxResults: 2, NextToken: first.NextToken! }),
    );
    const names = [...first.ActionTargets!, ...second.ActionTargets!].map((t) => t.Name);
    expect(names.sort()).toEqual(['p0', 'p1', 'p2']);
    // Another region has its own (none).
    const other = new SecurityHubClient({
      endpoint: sim.endpoint,
      region: 'eu-west-1',
      credentials: sim.hubCredentials,
      maxAttempts: 1,
    });
    expect((await other.send(new DescribeActionTargetsCommand({}))).ActionTargets).toEqual([]);
  });
});

describe('firing a custom action on findings', () => {
  const finding = (control: string, type: string, id: string, region: string) => ({
    SchemaVersion: '2018-10-08',
    Id: `keywarden/${region}/${member}/${control}/${id.length}`,
    ProductArn: `arn:aws:securityhub:${region}:${member}:product/${member}/default`,
    GeneratorId: `keywarden/${control}`,
    AwsAccountId: member,
    Region: region,
    UpdatedAt: '2026-11-30T08:00:00.000Z',
    CreatedAt: '2026-11-30T08:00:00.000Z',
    Compliance: { Status: 'FAILED', SecurityControlId: control },
    Resources: [{ Type: type, Id: id, Partition: 'aws', Region: region }],
  });

  it('sends one event with the full ASFF of the chosen findings; each becomes a target', async () => {
    const { ActionTargetArn } = await hub.send(
      new CreateActionTargetCommand({
        Id: 'KeywardenRecheck',
        Name: 'Re-check (keywarden)',
        Description: 'Re-evaluate now',
      }),
    );
    const keyId = sim.state.keys(member, 'eu-west-1').find((k) => k.keyManager === 'CUSTOMER')!.keyId;
    const chosen = [
      finding('KMS.1', 'AwsIamPolicy', `arn:aws:iam::${member}:policy/KeyReaders`, REGION),
      finding('KMS.2', 'AwsIamRole', `arn:aws:iam::${member}:role/app-deployer`, REGION),
      finding('KMS.3', 'AwsKmsKey', `arn:aws:kms:eu-west-1:${member}:key/${keyId}`, 'eu-west-1'),
    ];
    for (const f of chosen) sim.state.hub(member, f.Region).findings.set(f.Id, f);
    const refs = chosen.map((f) => ({ accountId: member, region: f.Region, id: f.Id }));

    const fired = sim.securityHub.fireCustomAction({
      accountId: hubAccount,
      region: REGION,
      actionTargetArn: ActionTargetArn!,
      findings: refs,
    });
    const events = await drain();
    expect(events).toEqual(fired);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      'detail-type': 'Security Hub Findings - Custom Action',
      source: 'aws.securityhub',
      account: hubAccount,
      region: REGION,
      resources: [ActionTargetArn],
      detail: { actionName: 'Re-check (keywarden)', actionDescription: 'Re-evaluate now', findings: chosen },
    });
    const parsed = changeTargets(events[0]) as { targets: ChangeTarget[] };
    expect(parsed.targets.map((t) => ({ accountId: t.accountId, resource: t.resource }))).toEqual([
      { accountId: member, resource: { kind: 'managed-policy', arn: chosen[0]!.Resources[0]!.Id } },
      { accountId: member, resource: { kind: 'role', name: 'app-deployer' } },
      { accountId: member, resource: expect.objectContaining({ kind: 'key', keyId }) },
    ]);

    // One event per finding, when asked.
    sim.securityHub.fireCustomAction({
      accountId: hubAccount,
      region: REGION,
      actionTargetArn: ActionTargetArn!,
      findings: refs,
      onePerFinding: true,
    });
    const each = await drain();
    expect(each).toHaveLength(3);
    expect(
      each.map((e) => (e['detail'] as { findings: { Id: string }[] }).findings.map((f) => f.Id)),
    ).toEqual(chosen.map((f) => [f.Id]));
  });

  it('refuses an unknown action or finding, and sends nothing', async () => {
    const arn = `arn:aws:securityhub:${REGION}:${hubAccount}:action/custom/Missing`;
    expect(() =>
      sim.securityHub.fireCustomAction({
        accountId: hubAccount,
        region: REGION,
        actionTargetArn: arn,
        findings: [],
      }),
    ).toThrow(/no action target/);
    const { ActionTargetArn } = await hub.send(
      new CreateActionTargetCommand({ Id: 'Exists', Name: 'Exists', Description: 'd' }),
    );
    expect(() =>
      sim.securityHub.fireCustomAction({
        accountId: hubAccount,
        region: REGION,
        actionTargetArn: ActionTargetArn!,
        findings: [{ accountId: member, region: REGION, id: 'no-such-finding' }],
      }),
    ).toThrow(/no finding no-such-finding/);
    expect(await drain()).toEqual([]);
  });
});
