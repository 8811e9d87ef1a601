/**
 * The simulator's request log: while started, each call received is recorded with its account, region,
 * operation and the resource it names (a KeyId as the caller wrote it, an IAM name or ARN); stopped, nothing.
 */
import { DescribeKeyCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { startSimulator } from '../../src/simulator/index.js';

let sim: RunningSimulator;
let kms: KMSClient;
let iam: IAMClient;

beforeAll(async () => {
  sim = await startSimulator({
    organization: { accounts: 1, regions: ['eu-west-1'] },
    faults: { throttling: false },
  });
  const options = { endpoint: sim.endpoint, credentials: sim.hubCredentials, maxAttempts: 1 };
  kms = new KMSClient({ ...options, region: 'eu-west-1' });
  iam = new IAMClient({ ...options, region: 'us-east-1' });
});
afterAll(async () => {
  kms.destroy();
  iam.destroy();
  await sim.stop();
});

describe('requestLog', () => {
  it('records the resource each call names, only while started', async () => {
    const account = sim.state.managementAccountId;
    const key = sim.state.keys(account, 'eu-west-1')[0]!.keyId;
    const arn = `arn:aws:kms:eu-west-1:${account}:key/${key}`;
    await kms.send(new ListKeysCommand({}));
    expect(sim.requestLog.requests).toEqual([]);

    sim.requestLog.start();
    await kms.send(new ListKeysCommand({}));
    await kms.send(new DescribeKeyCommand({ KeyId: key }));
    await kms.send(new DescribeKeyCommand({ KeyId: arn }));
    await iam.send(new GetRoleCommand({ RoleName: 'no-such-role' })).catch(() => undefined);
    const recorded = sim.requestLog.stop();
    expect(recorded).toEqual([
      { accountId: account, region: 'eu-west-1', operation: 'kms:ListKeys' },
      { accountId: account, region: 'eu-west-1', operation: 'kms:DescribeKey', resource: key },
      { accountId: account, region: 'eu-west-1', operation: 'kms:DescribeKey', resource: arn },
      { accountId: account, region: 'us-east-1', operation: 'iam:GetRole', resource: 'no-such-role' },
    ]);

    await kms.send(new DescribeKeyCommand({ KeyId: key }));
    expect(sim.requestLog.requests).toEqual([]);
  });
});
