/**
 * KMS.5 end to end: real SDK clients scan the simulator, whose keys carry key policies of every kind
 * (verdicts written by construction in the simulator's generator, not computed by the engine), one key
 * whose policy denies the member role, and one unit whose GetKeyPolicy keeps failing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { keyArn } from '../../src/simulator/generate.js';
import { lockedKeyPolicy } from '../../src/simulator/key-policies.js';
import { generateKeyPolicies } from '../../src/simulator/key-policy-kinds.js';
import { scan, startAws, storedFindings } from './harness.js';

const catalog = loadCatalog();
const REGIONS = ['us-east-1', 'eu-west-1', 'ca-west-1'];

let aws: RunningSimulator | undefined;
afterEach(async () => {
  await aws?.stop();
  aws = undefined;
});

interface Expectation {
  key: string;
  status: 'PASSED' | 'FAILED';
  reasonCode: string;
}

/** Gives the customer managed keys key policies of every kind; what KMS.5 must answer for each key. */
function attachKeyPolicies(sim: RunningSimulator): Map<string, Expectation> {
  const wanted = new Map<string, Expectation>();
  let seed = 1;
  for (const account of sim.state.accounts.values()) {
    if (account.status !== 'ACTIVE') continue;
    for (const region of REGIONS) {
      const keys = sim.state.keys(account.id, region).filter((k) => k.keyManager === 'CUSTOMER');
      const policies = generateKeyPolicies(seed++, { accountId: account.id });
      keys.forEach((key, i) => {
        const arn = keyArn(account.id, region, key.keyId);
        if (catalog.get('KMS.5').unsupportedRegions.includes(region)) return;
        if (i === keys.length - 1) {
          // The key policy does not let the member role read it: FAILED, never PASSED.
          key.policy = { ...lockedKeyPolicy('deny-get-key-policy', () => 0.9, account.id).document };
          wanted.set(arn, { key: arn, status: 'FAILED', reasonCode: 'KEY_POLICY_UNREADABLE' });
          return;
        }
        const policy = policies[i % policies.length]!;
        key.policy = { ...policy.document };
        wanted.set(arn, {
          key: arn,
          status: policy.expected,
          reasonCode: policy.expected === 'FAILED' ? 'KEY_POLICY_PUBLIC' : 'KEY_POLICY_NOT_PUBLIC',
        });
      });
    }
  }
  return wanted;
}

const kms5Findings = (sim: RunningSimulator) =>
  storedFindings(sim).filter(
    (s) => s.finding.Compliance?.SecurityControlId === 'KMS.5' && s.finding.RecordState === 'ACTIVE',
  );

describe('KMS.5 scan of the simulator', () => {
  it("yields exactly the simulator's verdicts, one GetKeyPolicy per customer managed key", async () => {
    aws = await startAws({ organization: { accounts: 3, regions: REGIONS, seed: 5 } });
    const wanted = attachKeyPolicies(aws);
    expect([...wanted.values()].filter((w) => w.status === 'FAILED').length).toBeGreaterThan(4);
    expect([...wanted.values()].filter((w) => w.status === 'PASSED').length).toBeGreaterThan(4);

    const result = await scan({}, { controls: ['KMS.3', 'KMS.5'] });
    expect(result.summary.state).toBe('completed');
    const actual = kms5Findings(aws).map((s) => {
      const finding = s.finding as typeof s.finding & {
        Compliance: { StatusReasons: { ReasonCode: string }[] };
      };
      return `${s.finding.Resources[0]!.Id} ${s.finding.Compliance?.Status} ${finding.Compliance.StatusReasons[0]!.ReasonCode}`;
    });
    expect(actual.sort()).toEqual(
      [...wanted.values()].map((w) => `${w.key} ${w.status} ${w.reasonCode}`).sort(),
    );
    // Not in its unsupported region (ca-west-1), where KMS.3 still runs.
    expect(kms5Findings(aws).some((s) => s.region === 'ca-west-1')).toBe(false);
    expect(result.summary.skipped).toEqual(
      expect.arrayContaining([expect.objectContaining({ controlId: 'KMS.5', region: 'ca-west-1' })]),
    );

    // The floor: one GetKeyPolicy per customer managed key in KMS.5's regions, and the key listing shared
    // with KMS.3 (one ListKeys per unit, one DescribeKey per key).
    let customerKeys = 0;
    let allKeys = 0;
    for (const account of aws.state.accounts.values()) {
      if (account.status !== 'ACTIVE') continue;
      for (const region of REGIONS) {
        const keys = aws.state.keys(account.id, region);
        allKeys += keys.length;
        if (!catalog.get('KMS.5').unsupportedRegions.includes(region))
          customerKeys += keys.filter((k) => k.keyManager === 'CUSTOMER').length;
      }
    }
    expect(result.summary.apiCalls['KMS.GetKeyPolicy']?.calls).toBe(customerKeys);
    expect(result.summary.apiCalls['KMS.DescribeKey']?.calls).toBe(allKeys);
    expect(result.summary.apiCalls['KMS.ListKeys']?.calls).toBe(result.units.length);
  });

  it('a GetKeyPolicy that keeps failing leaves KMS.5 incomplete in that unit only: nothing archived', async () => {
    aws = await startAws({ organization: { accounts: 2, regions: ['eu-west-1'], seed: 9 } });
    attachKeyPolicies(aws);
    await scan({}, { controls: ['KMS.3', 'KMS.5'] });
    const member = [...aws.state.accounts.values()][1]!;
    const before = kms5Findings(aws).filter((s) => s.accountId === member.id);
    expect(before.length).toBeGreaterThan(0);

    // The key disappears (its finding would be archived by a complete run), then GetKeyPolicy fails (5xx).
    const keys = aws.state.keys(member.id, 'eu-west-1');
    const gone = keys.splice(
      keys.findIndex((k) => k.keyManager === 'CUSTOMER'),
      1,
    )[0]!;
    aws.faults.failingOperations.add(`${member.id}/eu-west-1/kms:GetKeyPolicy`);
    const result = await scan({}, { controls: ['KMS.3', 'KMS.5'] });

    const unit = result.units.find((u) => u.accountId === member.id)!;
    expect(unit.state).toBe('partial');
    expect(unit.errors.length).toBeGreaterThan(0);
    for (const error of unit.errors) expect(error.controls).toEqual(['KMS.5']);
    const goneArn = keyArn(member.id, 'eu-west-1', gone.keyId);
    const stored = storedFindings(aws).filter((s) => s.finding.Resources[0]!.Id === goneArn);
    // KMS.3 was complete: its finding for the deleted key is archived; KMS.5's stays as it was.
    expect(stored.find((s) => s.finding.GeneratorId.endsWith('KMS.3'))?.finding.RecordState).toBe('ARCHIVED');
    expect(stored.find((s) => s.finding.GeneratorId.endsWith('KMS.5'))?.finding.RecordState).toBe('ACTIVE');
    expect(kms5Findings(aws).filter((s) => s.accountId === member.id)).toHaveLength(before.length);
    // The other account's unit is untouched by the fault.
    expect(result.units.find((u) => u.accountId !== member.id)!.state).toBe('done');
  });
});
