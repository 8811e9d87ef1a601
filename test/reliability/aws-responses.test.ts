import { afterEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { scan, startAws, storedFindings } from '../integration/harness.js';

let aws: RunningSimulator | undefined;
afterEach(async () => {
  await aws?.stop();
  aws = undefined;
});
const active = (sim: RunningSimulator) =>
  storedFindings(sim).filter((s) => s.finding.RecordState === 'ACTIVE');
const kmsUnits = (result: Awaited<ReturnType<typeof scan>>) =>
  result.units.filter((u) => u.controls.includes('KMS.3'));

describe('odd AWS answers: the collector stops cleanly, reports, and never loops or lies', () => {
  it('a page token that repeats forever', async () => {
    aws = await startAws({ organization: { accounts: 1, regions: ['us-east-1'] } });
    await scan();
    const before = active(aws).length;
    aws.faults.quirks.add('repeat-page-token');
    const started = Date.now();
    const result = await scan();
    expect(Date.now() - started).toBeLessThan(10_000);
    for (const unit of kmsUnits(result)) {
      expect(unit.state).toBe('partial');
      expect(unit.errors).toContainEqual(
        expect.objectContaining({ stage: 'collect', code: 'PaginationLoop' }),
      );
    }
    expect(result.summary.archived).toBe(0);
    expect(active(aws)).toHaveLength(before);
  });

  it('empty pages before the data', async () => {
    aws = await startAws({
      organization: { accounts: 1, regions: ['us-east-1'] },
      faults: { quirks: new Set(['empty-pages']) },
    });
    const result = await scan();
    expect(result.summary.state).toBe('completed');
    expect(active(aws)).toHaveLength(aws.expected.length);
  });

  it('enum values newer than the code (a new KeyState, KeySpec, KeyUsage)', async () => {
    aws = await startAws({
      organization: { accounts: 1, regions: ['us-east-1'] },
      faults: { quirks: new Set(['unknown-enums']) },
    });
    const result = await scan();
    expect(result.summary.state).toBe('completed');
    const findings = active(aws).filter((s) => s.finding.GeneratorId.endsWith('KMS.3'));
    expect(findings.length).toBeGreaterThan(0);
    // A key in an unknown state is not pending deletion: KMS.3 passes it; KMS.4 leaves an unknown KeySpec out.
    expect(findings.filter((s) => s.finding.Compliance?.Status === 'FAILED')).toHaveLength(2);
    expect(result.summary.findings['KMS.4']).toBeUndefined();
  });

  it('required fields left out: reported incomplete, nothing archived', async () => {
    aws = await startAws({ organization: { accounts: 1, regions: ['us-east-1'] } });
    await scan();
    const before = active(aws).length;
    aws.faults.quirks.add('missing-fields');
    const result = await scan();
    for (const unit of kmsUnits(result)) {
      expect(unit.state).toBe('partial');
      expect(unit.errors[0]).toMatchObject({ stage: 'collect', code: 'MissingField' });
    }
    expect(result.summary.archived).toBe(0);
    expect(active(aws)).toHaveLength(before);
  });
});

describe('credentials and timeouts', () => {
  it('credentials that expire during the scan are refreshed', async () => {
    aws = await startAws({
      organization: { accounts: 2, regions: ['us-east-1', 'eu-west-1'] },
      faults: { credentialLifetimeSeconds: 1, latencyMs: 15 },
    });
    const result = await scan();
    expect(result.summary.state).toBe('completed');
    expect(active(aws)).toHaveLength(aws.expected.length);
    expect(aws.counters.byOperation.get('sts:AssumeRole')!).toBeGreaterThan(2);
  });

  it('calls slower than the SDK timeout end the scan with a clear error, not a hang', async () => {
    aws = await startAws({
      organization: { accounts: 1, regions: ['us-east-1'] },
      faults: { latencyMs: 1500 },
    });
    const started = Date.now();
    const result = await scan({ aws: { maxAttempts: 2, retryMode: 'standard', requestTimeoutMs: 200 } });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.summary.state).toBe('failed');
    expect(result.summary.error?.message).toMatch(/timeout|timed out/i);
  });
});
