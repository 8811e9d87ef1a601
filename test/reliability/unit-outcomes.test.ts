/**
 * What one unit (account, region) reports and does under each kind of failure, through a real scan of a
 * one-account, one-region organization in the simulator: which controls are incomplete, the unit's state,
 * where the findings went, and that only complete collections archive.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ControlId } from '../../src/model/result.js';
import type { UnitOutcome } from '../../src/model/scan.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { scan, startAws, storedFindings } from '../integration/harness.js';

const REGION = 'us-east-1';
let aws: RunningSimulator;
let member: string;

beforeEach(async () => {
  aws = await startAws({ organization: { seed: 11, accounts: 2, regions: [REGION], keysPerRegion: 6 } });
  member = [...aws.state.accounts.keys()].find((id) => id !== aws.state.managementAccountId)!;
});
afterEach(async () => {
  await aws.stop();
});

/** The scan's unit for the member account (the scope names only that account and region). */
async function memberUnit(config: Record<string, unknown> = {}): Promise<UnitOutcome> {
  const result = await scan(config, { accounts: [member], regions: [REGION] });
  expect(result.units).toHaveLength(1);
  return result.units[0]!;
}

const hubOf = () => storedFindings(aws).filter((s) => s.accountId === member);
const controlOf = (s: { finding: { Compliance?: { SecurityControlId?: string } } }) =>
  s.finding.Compliance?.SecurityControlId as ControlId;

/** Deletes one customer managed key and one customer managed policy; their resource ARNs. */
function deleteSome(): { key: string; policy: string } {
  const keys = aws.state.keys(member, REGION);
  const index = keys.findIndex((k) => k.keyManager === 'CUSTOMER');
  const [key] = keys.splice(index, 1);
  const policy = aws.state.accounts.get(member)!.policies.shift()!;
  return {
    key: `arn:aws:kms:${REGION}:${member}:key/${key!.keyId}`,
    policy: `arn:aws:iam::${member}:policy/${policy.name}`,
  };
}

describe('one unit under each kind of failure', () => {
  it('complete: done, every finding made is imported, the gone ones archived', async () => {
    const first = await memberUnit();
    expect(first).toMatchObject({ state: 'done', destination: 'security-hub', errors: [], importFailed: 0 });
    const made = Object.values(first.findings).reduce((n, c) => n + c.PASSED + c.FAILED + c.NOT_AVAILABLE, 0);
    expect(first.imported).toBe(made);
    expect(hubOf()).toHaveLength(made);
    const gone = deleteSome();
    const ofGone = hubOf().filter((s) => [gone.key, gone.policy].includes(s.finding.Resources[0]!.Id));
    expect(ofGone.length).toBeGreaterThan(0);
    const second = await memberUnit();
    expect(second.state).toBe('done');
    const archived = hubOf().filter((s) => s.finding.RecordState === 'ARCHIVED');
    expect(archived.map((s) => s.finding.Id).sort()).toEqual(ofGone.map((s) => s.finding.Id).sort());
    expect(second.archived).toBe(archived.length);
  });

  it('IAM collection failing: KMS.1 and KMS.2 incomplete, partial, none of their findings archived', async () => {
    await memberUnit();
    const gone = deleteSome();
    const ofGoneKey = hubOf().filter((s) => s.finding.Resources[0]!.Id === gone.key);
    aws.faults.failingOperations.add('iam:GetAccountAuthorizationDetails');
    const unit = await memberUnit();
    expect(unit.state).toBe('partial');
    expect(unit.errors).toEqual([
      expect.objectContaining({ stage: 'collect', controls: ['KMS.1', 'KMS.2'] }),
    ]);
    expect(unit.findings['KMS.1']).toBeUndefined();
    const iam = hubOf().filter((s) => ['KMS.1', 'KMS.2'].includes(controlOf(s)));
    expect(iam.length).toBeGreaterThan(0);
    expect(iam.filter((s) => s.finding.RecordState === 'ARCHIVED')).toEqual([]);
    // The KMS controls were complete: the findings of their gone key are archived.
    expect(ofGoneKey.length).toBeGreaterThan(0);
    expect(unit.archived).toBe(ofGoneKey.length);
  });

  it('KMS collection failing: KMS.3, KMS.4 and KMS.5 incomplete, nothing of theirs archived, IAM imported', async () => {
    await memberUnit();
    deleteSome();
    aws.faults.failingOperations.add(`${member}/${REGION}/kms:ListKeys`);
    const unit = await memberUnit({ aws: { maxAttempts: 1, retryMode: 'standard', requestTimeoutMs: 5000 } });
    expect(unit.state).toBe('partial');
    expect(unit.errors.map((e) => [e.stage, [...e.controls].sort()])).toEqual([
      ['collect', ['KMS.3', 'KMS.4', 'KMS.5']],
    ]);
    const kms = hubOf().filter((s) => ['KMS.3', 'KMS.4', 'KMS.5'].includes(controlOf(s)));
    expect(kms.filter((s) => s.finding.RecordState === 'ARCHIVED')).toEqual([]);
    expect(unit.findings['KMS.1']!.FAILED + unit.findings['KMS.1']!.PASSED).toBeGreaterThan(0);
  });

  it('every collection failing: failed, nothing archived', async () => {
    await memberUnit();
    deleteSome();
    aws.faults.failingOperations.add('iam:GetAccountAuthorizationDetails');
    aws.faults.failingOperations.add(`${member}/${REGION}/kms:ListKeys`);
    const unit = await memberUnit({ aws: { maxAttempts: 1, retryMode: 'standard', requestTimeoutMs: 5000 } });
    expect(unit.state).toBe('failed');
    expect(unit.archived).toBe(0);
    expect(hubOf().filter((s) => s.finding.RecordState === 'ARCHIVED')).toEqual([]);
  });

  it('Security Hub not enabled: reported for the unit, nothing imported', async () => {
    aws.faults.hubDisabled.add(`${member}/${REGION}`);
    const unit = await memberUnit();
    expect(unit).toMatchObject({ state: 'failed', destination: 'security-hub-not-enabled', imported: 0 });
    expect(unit.errors).toEqual([
      expect.objectContaining({ stage: 'import', controls: [], code: 'InvalidAccessException' }),
    ]);
    expect(unit.errors[0]!.message).toMatch(/^Security Hub is not enabled: /);
    expect(hubOf()).toEqual([]);
  });

  it('a dry run imports nothing', async () => {
    const unit = await memberUnit({ import: { dryRun: true } });
    expect(unit).toMatchObject({ state: 'done', destination: 'dry-run', imported: 0 });
    expect(hubOf()).toEqual([]);
    expect(aws.counters.byOperation.get('securityhub:BatchImportFindings') ?? 0).toBe(0);
  });

  it('importPassed false: only FAILED and NOT_AVAILABLE findings are sent', async () => {
    const unit = await memberUnit({ import: { importPassed: false } });
    const passed = Object.values(unit.findings).reduce((n, c) => n + c.PASSED, 0);
    const other = Object.values(unit.findings).reduce((n, c) => n + c.FAILED + c.NOT_AVAILABLE, 0);
    expect(passed).toBeGreaterThan(0);
    expect(unit.imported).toBe(other);
    expect(hubOf().filter((s) => s.finding.Compliance?.Status === 'PASSED')).toEqual([]);
  });

  it('archiveResolved false: a gone resource is not archived', async () => {
    await memberUnit();
    deleteSome();
    const unit = await memberUnit({ import: { archiveResolved: false } });
    expect(unit.archived).toBe(0);
    expect(hubOf().filter((s) => s.finding.RecordState === 'ARCHIVED')).toEqual([]);
  });

  it('findings Security Hub keeps refusing: counted, reported with their controls, partial', async () => {
    aws.faults.failedFindingsRate = 1;
    const unit = await memberUnit();
    expect(unit.state).toBe('partial');
    expect(unit.imported).toBe(0);
    const made = Object.values(unit.findings).reduce((n, c) => n + c.PASSED + c.FAILED + c.NOT_AVAILABLE, 0);
    expect(unit.importFailed).toBe(made);
    const importError = unit.errors.find((e) => e.stage === 'import')!;
    expect(importError.code).toBe('RetriesExhausted');
    expect([...importError.controls].sort()).toEqual(
      Object.keys(unit.findings)
        .filter((c) => {
          const n = unit.findings[c as ControlId]!;
          return n.PASSED + n.FAILED + n.NOT_AVAILABLE > 0;
        })
        .sort(),
    );
    expect(importError.message).toMatch(new RegExp(`^${made} findings were not imported \\(first: `));
  });
});
