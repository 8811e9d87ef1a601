/**
 * The planner scans the regions enabled for each account: DescribeRegions (AllRegions) lists the whole
 * partition, and regions the account has not opted in to are never called, even when configured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { scan, startAws } from './harness.js';

/** Opt-in regions the generated organization did not opt in to (eu-south-1 it did). */
const NOT_OPTED_IN = [
  'af-south-1',
  'ap-east-1',
  'me-central-1',
  'me-south-1',
  'il-central-1',
  'mx-central-1',
];

describe('regions that are not opted in', () => {
  let aws: RunningSimulator;
  beforeAll(async () => {
    aws = await startAws({
      organization: {
        accounts: 2,
        regions: ['us-east-1', 'eu-south-1'],
        keysPerRegion: 2,
        policiesPerAccount: 1,
        identitiesPerAccount: 1,
        seed: 21,
      },
    });
  });
  afterAll(async () => aws.stop());

  /** Regions the scan called any service in (other than STS, which has no regional data). */
  const calledRegions = () =>
    new Set(
      [...aws.counters.byAccountRegion.keys()]
        .filter((key) => !key.endsWith('/sts:AssumeRole'))
        .map((key) => key.split('/')[1]!),
    );

  it('scans every enabled region (default and opted-in) and never one that is not opted in', async () => {
    aws.counters.reset();
    const result = await scan({ regions: { mode: 'enabled' } });
    expect(result.summary.state).toBe('completed');
    const scanned = new Set(result.units.map((u) => u.region));
    for (const region of ['us-east-1', 'eu-south-1', 'sa-east-1', 'ap-northeast-3'])
      expect(scanned).toContain(region);
    const called = calledRegions();
    for (const region of NOT_OPTED_IN) {
      expect(scanned).not.toContain(region);
      expect(called).not.toContain(region);
    }
  });
});
