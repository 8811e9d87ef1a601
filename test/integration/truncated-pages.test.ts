import { afterEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { scan, startAws, storedFindings } from './harness.js';

let aws: RunningSimulator | undefined;
afterEach(async () => {
  await aws?.stop();
  aws = undefined;
});
const active = (sim: RunningSimulator) =>
  storedFindings(sim)
    .filter((s) => s.finding.RecordState === 'ACTIVE')
    .map((s) => s.finding.Id)
    .sort();

describe('a page that says it is truncated but gives no token: incomplete, nothing archived', () => {
  it.each([
    { operation: 'kms:ListKeys', controls: ['KMS.3', 'KMS.4', 'KMS.5'] },
    { operation: 'iam:GetAccountAuthorizationDetails', controls: ['KMS.1', 'KMS.2'] },
  ])('$operation', async ({ operation, controls }) => {
    aws = await startAws({ organization: { accounts: 1, regions: ['us-east-1'] } });
    const first = await scan();
    expect(first.summary.state).toBe('completed');
    const before = active(aws);
    // Each control has more than one finding, so a page of one item loses some.
    for (const control of controls)
      expect(before.filter((id) => id.includes(`/${control}/`)).length).toBeGreaterThan(1);

    aws.faults.truncatedWithoutToken.add(operation);
    const result = await scan();
    const unit = result.units.find((u) => u.controls.includes(controls[0] as 'KMS.1'))!;
    expect(unit.state).toBe('partial');
    expect(unit.errors).toContainEqual(
      expect.objectContaining({ stage: 'collect', code: 'PaginationTruncated', controls }),
    );
    expect(result.summary.state).toBe('completed_with_errors');
    expect(result.summary.archived).toBe(0);
    expect(active(aws)).toEqual(before);
  });
});
