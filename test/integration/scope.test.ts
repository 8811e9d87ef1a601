import { afterEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { scan, startAws } from './harness.js';

let aws: RunningSimulator | undefined;
afterEach(async () => {
  await aws?.stop();
  aws = undefined;
});
const unitRegions = (result: Awaited<ReturnType<typeof scan>>) =>
  [...new Set(result.units.map((u) => u.region))].sort();

describe('the scope a scan resolves (the path of the API, the schedule and queued jobs)', () => {
  it('a region list from a request is intersected with the regions each account has enabled', async () => {
    // af-south-1 is an opt-in region the simulated accounts have not opted in to (as at AWS, regions
    // launched since 2019 are disabled until an account opts in).
    aws = await startAws({ organization: { accounts: 2, regions: ['us-east-1', 'eu-west-1'] } });
    // The configuration allows every enabled region, so the request narrows it and is not refused.
    const result = await scan({ regions: { mode: 'enabled' } }, { regions: ['eu-west-1', 'af-south-1'] });
    expect(result.summary.state).toBe('completed');
    expect(unitRegions(result)).toEqual(['eu-west-1']);
    expect(aws.counters.byOperation.get('ec2:DescribeRegions')).toBe(2);
    expect([...aws.counters.byAccountRegion.keys()].some((k) => k.includes('/af-south-1/'))).toBe(false);
  });

  it('so is a configured region list', async () => {
    aws = await startAws({ organization: { accounts: 1, regions: ['us-east-1'] } });
    const result = await scan({ regions: { mode: 'list', list: ['us-east-1', 'af-south-1'] } });
    expect(result.summary.state).toBe('completed');
    expect(unitRegions(result)).toEqual(['us-east-1']);
  });

  it('a scope that would widen the configuration runs nothing and says why', async () => {
    aws = await startAws({ organization: { accounts: 2, regions: ['us-east-1'] } });
    const [a, b] = [...aws.state.accounts.keys()];
    const result = await scan(
      { accounts: { include: [a] }, controls: { 'KMS.4': { enabled: false } } },
      { accounts: [b!], controls: ['KMS.4'] },
    );
    expect(result.summary.state).toBe('failed');
    expect(result.summary.error).toEqual({
      code: 'ScopeError',
      message: `outside the configured scope: accounts ${b}; controls KMS.4 (disabled in the configuration)`,
    });
    expect(result.units).toEqual([]);
    expect(aws.counters.total()).toBe(0);
  });
});
