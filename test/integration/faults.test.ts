import { afterEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { scan, startAws, storedFindings } from './harness.js';

let aws: RunningSimulator | undefined;
afterEach(async () => {
  await aws?.stop();
  aws = undefined;
});

const active = (sim: RunningSimulator) =>
  storedFindings(sim).filter((s) => s.finding.RecordState === 'ACTIVE');
const members = (sim: RunningSimulator) => [...sim.state.accounts.values()];

describe('faults: the scan finishes, reports each unit, imports what it can', () => {
  it('AssumeRole denied for one account', async () => {
    aws = await startAws({ organization: { accounts: 3, regions: ['us-east-1'] } });
    const denied = members(aws)[2]!.id;
    aws.faults.deniedAccounts.add(denied);
    const result = await scan();
    expect(result.summary.state).toBe('completed_with_errors');
    const failed = result.units.find((u) => u.accountId === denied)!;
    expect(failed).toMatchObject({
      unitId: `${denied}/*`,
      state: 'failed',
      errors: [{ stage: 'credentials' }],
    });
    expect(failed.errors[0]!.message).toMatch(/not authorized to perform: sts:AssumeRole/);
    expect(result.units.filter((u) => u.state === 'done')).toHaveLength(2);
    expect(active(aws).some((s) => s.accountId === denied)).toBe(false);
    expect(active(aws).length).toBeGreaterThan(0);
  });

  it('Security Hub disabled in one account and region', async () => {
    aws = await startAws({ organization: { accounts: 2, regions: ['us-east-1', 'eu-west-1'] } });
    const account = members(aws)[1]!.id;
    aws.faults.hubDisabled.add(`${account}/eu-west-1`);
    const result = await scan();
    const unit = result.units.find((u) => u.unitId === `${account}/eu-west-1`)!;
    expect(unit).toMatchObject({ state: 'failed', destination: 'security-hub-not-enabled', imported: 0 });
    expect(unit.errors[0]!.code).toBe('InvalidAccessException');
    expect(result.units.filter((u) => u.state === 'done')).toHaveLength(3);
    expect(result.summary.state).toBe('completed_with_errors');
  });

  it('a throttling storm on KMS (quotas at 1%) ends with every finding imported', async () => {
    aws = await startAws({
      organization: { accounts: 1, regions: ['us-east-1'], keysPerRegion: 66 },
      faults: { quotaScale: 0.01 },
    });
    const result = await scan({ aws: { maxAttempts: 10, retryMode: 'adaptive', requestTimeoutMs: 5000 } });
    expect(result.summary.state).toBe('completed');
    // Each KMS read has its own quota; which of them throttle depends on how the per-key calls interleave.
    const kmsThrottled = Object.entries(result.summary.apiCalls)
      .filter(([operation]) => operation.startsWith('KMS.'))
      .reduce((n, [, count]) => n + count.throttled, 0);
    expect(kmsThrottled).toBeGreaterThan(0);
    expect(active(aws)).toHaveLength(aws.expected.length);
  });

  it('BatchImportFindings stays within 10/s burst 30 when a unit has more than 30 batches', async () => {
    aws = await startAws({
      organization: {
        accounts: 1,
        regions: ['eu-west-1'],
        keysPerRegion: 3400,
        policiesPerAccount: 0,
        identitiesPerAccount: 0,
      },
    });
    const result = await scan();
    expect(result.summary.state).toBe('completed');
    expect(result.summary.apiCalls['SecurityHub.BatchImportFindings']!.calls).toBeGreaterThan(30);
    expect(result.summary.apiCalls['SecurityHub.BatchImportFindings']!.throttled).toBe(0);
    expect(active(aws)).toHaveLength(aws.expected.length);
  }, 60_000);

  it('random 5xx (5% of calls) are retried', async () => {
    aws = await startAws({
      organization: { accounts: 2, regions: ['us-east-1'] },
      faults: { errorRate: 0.05 },
    });
    const result = await scan({ aws: { maxAttempts: 6, retryMode: 'standard', requestTimeoutMs: 5000 } });
    expect(result.summary.state).toBe('completed');
    expect(active(aws)).toHaveLength(aws.expected.length);
  });

  it('partial FailedFindings are retried until imported', async () => {
    aws = await startAws({
      organization: { accounts: 1, regions: ['us-east-1'] },
      // Seeded: a rate at which no finding of this organization fails all four attempts (0.2^4 per finding).
      faults: { failedFindingsRate: 0.2 },
    });
    const result = await scan();
    expect(result.summary).toMatchObject({ state: 'completed', importFailed: 0 });
    expect(active(aws)).toHaveLength(aws.expected.length);
  });

  it('findings that keep failing are reported, the rest imported', async () => {
    aws = await startAws({
      organization: { accounts: 1, regions: ['us-east-1'] },
      faults: { failedFindingsRate: 1 },
    });
    const result = await scan();
    expect(result.summary.state).toBe('completed_with_errors');
    expect(result.summary.importFailed).toBe(aws.expected.length);
    expect(result.units[0]!.errors[0]).toMatchObject({ stage: 'import', code: 'RetriesExhausted' });
  });

  it('an incomplete collection archives nothing; the next complete one converges', async () => {
    aws = await startAws({ organization: { accounts: 1, regions: ['us-east-1'] } });
    await scan();
    const account = members(aws)[0]!.id;
    const keys = aws.state.keys(account, 'us-east-1');
    const gone = keys.splice(0, 1)[0]!;
    aws.faults.failingOperations.add(`${account}/us-east-1/kms:DescribeKey`);
    const partial = await scan();
    const unit = partial.units.find((u) => u.unitId === `${account}/us-east-1`)!;
    expect(unit.state).toBe('partial');
    expect(unit.errors.some((e) => e.stage === 'collect' && e.controls.includes('KMS.3'))).toBe(true);
    expect(partial.summary.archived).toBe(0);
    const goneFindings = () =>
      storedFindings(aws!).filter((s) => s.finding.Resources[0]!.Id.endsWith(gone.keyId));
    expect(goneFindings().every((s) => s.finding.RecordState === 'ACTIVE')).toBe(true);
    // IAM controls collected fine in the same unit: their findings were still imported.
    expect(unit.imported).toBeGreaterThan(0);

    aws.faults.failingOperations.clear();
    const complete = await scan();
    expect(complete.summary.state).toBe('completed');
    expect(goneFindings().length).toBeGreaterThan(0);
    expect(goneFindings().every((s) => s.finding.RecordState === 'ARCHIVED')).toBe(true);
  });
});
