import { afterEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { scan, startAws, storedFindings } from './harness.js';

let aws: RunningSimulator | undefined;
afterEach(async () => {
  await aws?.stop();
  aws = undefined;
});

describe('a finding that fails ASFF validation', () => {
  it('is reported in the unit, and the existing finding of its resource stays ACTIVE', async () => {
    aws = await startAws({ organization: { accounts: 1, regions: ['us-east-1'] } });
    const first = await scan({}, { controls: ['KMS.3'] });
    expect(first.summary.state).toBe('completed');
    const kms3 = () =>
      storedFindings(aws!).filter((s) => s.finding.Compliance?.SecurityControlId === 'KMS.3');
    const before = kms3();
    expect(before.length).toBeGreaterThan(1);
    expect(before.every((s) => s.finding.RecordState === 'ACTIVE')).toBe(true);

    // A key whose description makes its finding larger than Security Hub's 240 KB per finding.
    const account = before[0]!.accountId;
    const target = before[0]!.finding;
    const keyId = target.Resources[0]!.Id.split('/').pop()!;
    const key = aws.state.keys(account, 'us-east-1').find((k) => k.keyId === keyId)!;
    key.description = 'd'.repeat(250 * 1024);

    const second = await scan({}, { controls: ['KMS.3'] });
    const unit = second.units.find((u) => u.unitId === `${account}/us-east-1`)!;
    expect(unit.state).toBe('partial');
    expect(unit.errors).toContainEqual(
      expect.objectContaining({ stage: 'import', code: 'InvalidFinding', controls: ['KMS.3'] }),
    );
    expect(unit.errors.find((e) => e.code === 'InvalidFinding')!.message).toContain(target.Id);
    expect(unit.importFailed).toBe(1);
    expect(unit.archived).toBe(0);
    const after = new Map(kms3().map((s) => [s.finding.Id, s.finding]));
    expect(after.get(target.Id)).toMatchObject({ RecordState: 'ACTIVE', UpdatedAt: target.UpdatedAt });
    // The other keys' findings were imported again, none archived.
    for (const { finding } of before) expect(after.get(finding.Id)!.RecordState).toBe('ACTIVE');
  });
});
