import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { waitFor } from '../helpers/wait.js';
import { scan, startAws, storedFindings } from './harness.js';

const catalog = loadCatalog();
const REGIONS = ['us-east-1', 'eu-west-1', 'eu-south-1', 'me-central-1'];

describe('a scan of a generated organization (real SDK clients, simulator over HTTP)', () => {
  let aws: RunningSimulator;
  beforeAll(async () => {
    aws = await startAws({ organization: { accounts: 5, regions: REGIONS, seed: 11 } });
  });
  afterAll(async () => aws.stop());

  it('imports exactly the expected verdicts, only where each control is supported', async () => {
    const result = await scan();
    expect(result.summary.state).toBe('completed');
    const supported = (controlId: string, region: string) =>
      !catalog.get(controlId as 'KMS.1').unsupportedRegions.includes(region);
    const expected = aws.expected.filter((e) => supported(e.controlId, e.region));
    const stored = storedFindings(aws).filter((s) => s.finding.RecordState === 'ACTIVE');
    const actual = stored.map(
      (s) =>
        `${s.finding.Compliance?.SecurityControlId} ${s.accountId} ${s.region} ${s.finding.Resources[0]!.Id} ${s.finding.Compliance?.Status}`,
    );
    const wanted = expected.map(
      (e) => `${e.controlId} ${e.accountId} ${e.region} ${e.resourceArn} ${e.status}`,
    );
    expect(actual.sort()).toEqual(wanted.sort());
    expect(expected.length).toBeGreaterThan(100);
    // The suspended account was not scanned.
    const suspended = [...aws.state.accounts.values()].find((a) => a.status === 'SUSPENDED')!;
    expect(stored.some((s) => s.accountId === suspended.id)).toBe(false);
  });

  it('plans no unit for a control in its unsupported regions and IAM controls only in the home region', async () => {
    const result = await scan();
    for (const unit of result.units) {
      for (const control of unit.controls)
        expect(catalog.get(control).unsupportedRegions).not.toContain(unit.region);
      if (unit.region !== 'us-east-1')
        expect(unit.controls.filter((c) => c === 'KMS.1' || c === 'KMS.2')).toEqual([]);
    }
    expect(result.summary.skipped).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          controlId: 'KMS.3',
          region: 'eu-south-1',
          reason: 'UNSUPPORTED_REGION',
          units: 4,
        }),
        expect.objectContaining({
          controlId: 'KMS.4',
          region: 'me-central-1',
          reason: 'UNSUPPORTED_REGION',
          units: 4,
        }),
      ]),
    );
    const iamFindings = storedFindings(aws).filter((s) => /KMS\.[12]$/.test(s.finding.GeneratorId));
    expect(new Set(iamFindings.map((s) => s.region))).toEqual(new Set(['us-east-1']));
  });

  it('re-running creates no duplicates, keeps CreatedAt and moves UpdatedAt', async () => {
    const before = new Map(storedFindings(aws).map((s) => [s.finding.Id, { ...s.finding }]));
    // UpdatedAt has millisecond precision: the clock must have moved past the last one for "moves" to show.
    const lastUpdate = Math.max(...[...before.values()].map((f) => Date.parse(f.UpdatedAt)));
    await waitFor('the clock to pass the last UpdatedAt', () => Date.now() > lastUpdate);
    await scan();
    const after = storedFindings(aws);
    expect(after).toHaveLength(before.size);
    for (const { finding } of after) {
      const previous = before.get(finding.Id)!;
      expect(finding.CreatedAt).toBe(previous.CreatedAt);
      expect(Date.parse(finding.UpdatedAt)).toBeGreaterThan(Date.parse(previous.UpdatedAt));
    }
  });

  it('a fixed resource turns PASSED (and RESOLVED); a deleted one is archived', async () => {
    const member = [...aws.state.accounts.values()][1]!;
    const keys = aws.state.keys(member.id, 'eu-west-1');
    const rotationOff = keys.find((k) => k.description === 'symmetric, rotation off')!;
    const deleted = keys.find((k) => k.description === 'disabled')!;
    rotationOff.rotationEnabled = true;
    keys.splice(keys.indexOf(deleted), 1);
    const result = await scan();
    // The deleted key had two findings: KMS.3's and KMS.5's (customer managed, any state).
    expect(result.summary.archived).toBe(2);
    const findingOf = (keyId: string, control: string) =>
      storedFindings(aws).find(
        (s) => s.finding.Resources[0]!.Id.endsWith(keyId) && s.finding.GeneratorId.endsWith(control),
      )!.finding;
    expect(findingOf(rotationOff.keyId, 'KMS.4')).toMatchObject({
      Compliance: { Status: 'PASSED' },
      Workflow: { Status: 'RESOLVED' },
    });
    expect(findingOf(deleted.keyId, 'KMS.3').RecordState).toBe('ARCHIVED');
    expect(findingOf(deleted.keyId, 'KMS.5').RecordState).toBe('ARCHIVED');
  });

  it('a dry run imports nothing', async () => {
    const calls = aws.counters.byOperation.get('securityhub:BatchImportFindings') ?? 0;
    const result = await scan({ import: { dryRun: true } });
    expect(result.summary).toMatchObject({ state: 'completed', dryRun: true, imported: 0 });
    expect(aws.counters.byOperation.get('securityhub:BatchImportFindings') ?? 0).toBe(calls);
  });
});
