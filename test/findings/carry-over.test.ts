/**
 * End to end across scans (real SDK clients against the simulator): a finding that is already in
 * Security Hub keeps its CreatedAt and FirstObservedAt, even when they differ from each other (a finding
 * first observed before it was created, e.g. by an earlier version), while UpdatedAt and LastObservedAt move.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { scan, startAws } from '../integration/harness.js';

const FIRST_OBSERVED = '2025-03-01T08:00:00.000Z';
const CREATED = '2025-03-02T09:30:00.000Z';

interface Timestamps {
  Id: string;
  CreatedAt: string;
  UpdatedAt: string;
  FirstObservedAt?: string;
  LastObservedAt?: string;
  RecordState?: string;
}

let aws: RunningSimulator;
beforeAll(async () => {
  aws = await startAws({ organization: { seed: 3, accounts: 2, regions: ['us-east-1', 'eu-west-1'] } });
});
afterAll(async () => {
  await aws.stop();
});

/** The simulator's stored findings of one account, by Id (the objects themselves: edits are kept). */
function findingsOf(accountId: string): Map<string, Timestamps> {
  const out = new Map<string, Timestamps>();
  for (const hub of aws.state.accounts.get(accountId)!.hubs.values())
    for (const finding of hub.findings.values()) out.set(finding.Id, finding as unknown as Timestamps);
  return out;
}

describe('timestamps carried across scans', () => {
  it('keeps CreatedAt and FirstObservedAt of every existing finding, moves UpdatedAt and LastObservedAt', async () => {
    const first = await scan();
    expect(first.summary.state).toBe('completed');
    const [edited, untouched] = [...aws.state.accounts.keys()].sort();
    const editedFindings = findingsOf(edited!);
    expect(editedFindings.size).toBeGreaterThan(0);
    // As if an earlier version had imported them: first observed a day before they were created.
    for (const finding of editedFindings.values()) {
      finding.FirstObservedAt = FIRST_OBSERVED;
      finding.CreatedAt = CREATED;
    }
    const before = new Map(
      [...editedFindings, ...findingsOf(untouched!)].map(([id, f]) => [id, { ...f }] as const),
    );

    const second = await scan();
    expect(second.summary.state).toBe('completed');
    const after = new Map([...findingsOf(edited!), ...findingsOf(untouched!)]);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [id, finding] of after) {
      const previous = before.get(id)!;
      expect(finding.RecordState, id).toBe('ACTIVE');
      expect(finding.CreatedAt, id).toBe(previous.CreatedAt);
      expect(finding.FirstObservedAt, id).toBe(previous.FirstObservedAt);
      expect(Date.parse(finding.UpdatedAt), id).toBeGreaterThan(Date.parse(previous.UpdatedAt));
      expect(Date.parse(finding.LastObservedAt!), id).toBeGreaterThan(Date.parse(previous.LastObservedAt!));
    }
    for (const id of editedFindings.keys()) {
      expect(after.get(id)!.FirstObservedAt).toBe(FIRST_OBSERVED);
      expect(after.get(id)!.CreatedAt).toBe(CREATED);
    }
  });
});
