/**
 * One matrix of faults against the simulator. For each: a clean scan first, then some keys and policies
 * are deleted (their findings must be archived, but only by a complete collection), then a scan under the
 * fault, then a scan without it. After the faulted scan the record explains every unit, what could be
 * imported is imported once, and nothing is archived from an incomplete collection; the scan after it
 * converges to the expected state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ControlId } from '../../src/model/result.js';
import type { ScanResult } from '../../src/scan/runner.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { scan, startAws, storedFindings } from '../integration/harness.js';

const REGIONS = ['us-east-1', 'eu-west-1'];

interface Fault {
  name: string;
  apply(aws: RunningSimulator, members: string[]): void;
  /** The fault really happened during the scan (so the test is not vacuous). */
  bit(result: ScanResult, aws: RunningSimulator): boolean;
  config?: Record<string, unknown>;
  /** Checks of this fault's own after the faulted scan (`before`: record state by finding Id). */
  after?: (aws: RunningSimulator, before: Map<string, string | undefined>, deleted: Set<string>) => void;
}

const calls = (result: ScanResult, pick: 'throttled' | 'errors') =>
  Object.values(result.summary.apiCalls).reduce((n, c) => n + c[pick], 0);
const errorCodes = (result: ScanResult) => result.units.flatMap((u) => u.errors.map((e) => e.code));

const FAULTS: Fault[] = [
  {
    // At 1% a slow machine spread the calls out enough that none was throttled: 0.2% bites on any machine.
    name: 'a throttling storm (every quota at 0.2%: requests at up to 500 times the quota)',
    apply: (aws) => (aws.faults.quotaScale = 0.002),
    bit: (result) => calls(result, 'throttled') > 0,
  },
  {
    name: '5xx bursts (20% of calls)',
    apply: (aws) => (aws.faults.errorRate = 0.2),
    bit: (result) => calls(result, 'errors') > 0,
  },
  {
    name: 'calls slower than the SDK timeout (one account and region)',
    apply: (aws, members) => {
      aws.faults.slowOperations.add(`${members[0]}/eu-west-1/kms:ListKeys`);
      aws.faults.slowLatencyMs = 1_500;
    },
    bit: (result) => errorCodes(result).includes('TimeoutError'),
    config: { aws: { maxAttempts: 2, retryMode: 'standard', requestTimeoutMs: 400 } },
  },
  {
    name: 'IAM collection failing (GetAccountAuthorizationDetails answers 503 in every account)',
    apply: (aws) => aws.faults.failingOperations.add('iam:GetAccountAuthorizationDetails'),
    bit: (result) =>
      result.units.some((u) => u.errors.some((e) => e.stage === 'collect' && e.controls.includes('KMS.1'))),
    after: (aws, before, deleted) => {
      // The IAM controls are unknown, not resolved: no KMS.1/KMS.2 finding changes its record state,
      // neither that of a deleted policy nor that of a surviving one.
      const iam = storedFindings(aws).filter((s) =>
        ['KMS.1', 'KMS.2'].includes(s.finding.Compliance?.SecurityControlId ?? ''),
      );
      const deletedOnes = iam.filter((s) => deleted.has(s.finding.Resources[0]!.Id));
      const surviving = iam.filter((s) => !deleted.has(s.finding.Resources[0]!.Id));
      expect(deletedOnes.length).toBeGreaterThan(0);
      expect(surviving.length).toBeGreaterThan(0);
      for (const { finding } of iam)
        expect(finding.RecordState, finding.Id).toBe(before.get(finding.Id) ?? 'ACTIVE');
      expect(iam.filter((s) => s.finding.RecordState === 'ARCHIVED')).toEqual([]);
    },
  },
  {
    name: 'AssumeRole denied (one account)',
    apply: (aws, members) => aws.faults.deniedAccounts.add(members[1]!),
    bit: (result) => errorCodes(result).includes('AccessDenied'),
  },
  {
    name: 'credentials expiring in the middle of the scan',
    apply: (aws) => {
      aws.faults.credentialLifetimeSeconds = 1;
      aws.faults.latencyMs = 20;
    },
    // More AssumeRole calls than accounts: credentials were refreshed mid-scan.
    bit: (_, aws) => (aws.counters.byOperation.get('sts:AssumeRole') ?? 0) > 2,
  },
  {
    name: 'Security Hub disabled (one account and region)',
    apply: (aws, members) => aws.faults.hubDisabled.add(`${members[0]}/us-east-1`),
    bit: (result) => errorCodes(result).includes('InvalidAccessException'),
  },
  {
    name: 'partial FailedFindings (30%)',
    apply: (aws) => (aws.faults.failedFindingsRate = 0.3),
    // Retried batches: more BatchImportFindings calls than units that imported.
    bit: (result, aws) =>
      (aws.counters.byOperation.get('securityhub:BatchImportFindings') ?? 0) >
      2 * result.summary.units.planned,
  },
];

/** `account/region/control/resource` of what Security Hub should hold, with status and record state. */
function expectedHub(aws: RunningSimulator, deleted: Set<string>): string[] {
  return aws.expected.map(
    (e) =>
      `${e.accountId}/${e.region}/${e.controlId}/${e.resourceArn} ${deleted.has(e.resourceArn) ? 'ARCHIVED' : `${e.status} ACTIVE`}`,
  );
}

function actualHub(aws: RunningSimulator): string[] {
  return storedFindings(aws).map(({ accountId, region, finding }) => {
    const state = finding.RecordState === 'ARCHIVED' ? 'ARCHIVED' : `${finding.Compliance?.Status} ACTIVE`;
    return `${accountId}/${region}/${finding.Compliance?.SecurityControlId}/${finding.Resources[0]!.Id} ${state}`;
  });
}

/** Removes one key per account and region and one customer managed policy per account. */
function deleteSome(aws: RunningSimulator, members: string[]): Set<string> {
  const deleted = new Set<string>();
  for (const accountId of members) {
    for (const region of REGIONS) {
      const keys = aws.state.keys(accountId, region);
      const index = keys.findIndex((k) => k.keyManager === 'CUSTOMER');
      const [key] = keys.splice(index, 1);
      deleted.add(`arn:aws:kms:${region}:${accountId}:key/${key!.keyId}`);
    }
    const account = aws.state.accounts.get(accountId)!;
    const policy = account.policies.shift()!;
    const arn = aws.expected.find(
      (e) => e.controlId === 'KMS.1' && e.resourceArn.endsWith(`/${policy.name}`),
    );
    if (arn) deleted.add(arn.resourceArn);
  }
  return deleted;
}

describe('fault matrix: explained, imported once, nothing archived from an incomplete unit, converges', () => {
  let aws: RunningSimulator | undefined;
  afterEach(async () => {
    await aws?.stop();
    aws = undefined;
  });

  it.each(FAULTS)(
    '$name',
    async (fault) => {
      aws = await startAws({ organization: { seed: 21, accounts: 2, regions: REGIONS, keysPerRegion: 25 } });
      const members = [...aws.state.accounts.keys()].sort();
      const baseline = await scan();
      expect(baseline.summary.state).toBe('completed');
      const deleted = deleteSome(aws, members);
      expect(deleted.size).toBeGreaterThanOrEqual(members.length * (REGIONS.length + 1));
      const before = new Map(storedFindings(aws).map((s) => [s.finding.Id, s.finding.RecordState]));

      fault.apply(aws, members);
      aws.counters.reset();
      const faulted: ScanResult = await scan(fault.config ?? {});
      expect(fault.bit(faulted, aws), 'the fault happened').toBe(true);
      fault.after?.(aws, before, deleted);

      // The record explains every unit: each planned unit has an outcome, each not-done one a reason.
      expect(faulted.units).toHaveLength(faulted.summary.units.planned);
      for (const unit of faulted.units) {
        if (unit.state !== 'done') expect(unit.errors.length, unit.unitId).toBeGreaterThan(0);
      }
      // Nothing archived where the collection of that control was incomplete.
      const incomplete = (accountId: string, region: string, control: ControlId): boolean =>
        faulted.units.some(
          (u) =>
            u.accountId === accountId &&
            (u.region === region || u.region === '*') &&
            (u.state === 'failed' ||
              u.state === 'cancelled' ||
              u.errors.some((e) => e.stage === 'collect' && e.controls.includes(control))),
        );
      for (const { accountId, region, finding } of storedFindings(aws)) {
        const control = finding.Compliance!.SecurityControlId as ControlId;
        if (finding.RecordState === 'ARCHIVED' && before.get(finding.Id) === 'ACTIVE')
          expect(
            incomplete(accountId, region, control),
            `${finding.Id} archived from an incomplete unit`,
          ).toBe(false);
      }
      // Imported once: a done unit's count is exactly the findings it made (no double counting on retries).
      for (const unit of faulted.units.filter((u) => u.state === 'done')) {
        const made = Object.values(unit.findings).reduce(
          (n, c) => n + c.PASSED + c.FAILED + c.NOT_AVAILABLE,
          0,
        );
        expect(unit.imported, unit.unitId).toBe(made);
      }

      // Without the fault, the next scan converges.
      for (const key of ['deniedAccounts', 'hubDisabled', 'slowOperations', 'failingOperations'] as const)
        aws.faults[key].clear();
      Object.assign(aws.faults, { quotaScale: 1, errorRate: 0, failedFindingsRate: 0, latencyMs: 0 });
      delete aws.faults.credentialLifetimeSeconds;
      const converged = await scan();
      expect(converged.summary.state).toBe('completed');
      expect(actualHub(aws).sort()).toEqual(expectedHub(aws, deleted).sort());
    },
    60_000,
  );
});
