/**
 * Issue 16 end to end: real SDK clients scan a simulated organization whose keys lock the audit role out
 * (key policies the simulator authorizes as AWS does) and whose second account's member role lacks
 * kms:DescribeKey. What a scan must find comes from the simulator's generator (by construction, never from
 * keywarden's code).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import type { ControlId } from '../../src/catalog/control-ids.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { keyArn } from '../../src/simulator/generate.js';
import { scan, startAws, storedFindings } from './harness.js';

const catalog = loadCatalog();
const REGIONS = ['us-east-1', 'eu-west-1'];
const KEY_CONTROLS: readonly ControlId[] = ['KMS.3', 'KMS.4', 'KMS.5'];

let aws: RunningSimulator | undefined;
afterEach(async () => {
  await aws?.stop();
  aws = undefined;
});

interface Reasoned {
  Compliance: {
    Status: string;
    SecurityControlId: string;
    StatusReasons: { ReasonCode: string; Description: string }[];
  };
  Severity: { Label: string };
}

const active = (sim: RunningSimulator) =>
  storedFindings(sim).filter((s) => s.finding.RecordState === 'ACTIVE');
const reasoned = (s: ReturnType<typeof storedFindings>[number]) => s.finding as unknown as Reasoned;

async function lockedOrganization(): Promise<RunningSimulator> {
  return startAws({
    organization: {
      accounts: 3,
      regions: REGIONS,
      seed: 21,
      lockedKeys: true,
      memberRoleWithoutDescribeKey: true,
    },
  });
}

describe('keys that lock the audit role out (issue 16)', () => {
  it('gives every locked key its WARNING (control severity) and KMS.5 finding, as the simulator expects; units complete', async () => {
    aws = await lockedOrganization();
    const result = await scan();

    const expected = aws.expected.filter(
      (e) => !catalog.get(e.controlId).unsupportedRegions.includes(e.region),
    );
    const locked = expected.filter((e) => e.reasonCode !== undefined);
    // Every locked kind in every state, in both full accounts and both regions.
    expect(locked.filter((e) => e.status === 'WARNING').length).toBeGreaterThanOrEqual(2 * 2 * 4);
    expect(locked.filter((e) => e.reasonCode === 'KEY_POLICY_UNREADABLE').length).toBeGreaterThanOrEqual(
      2 * 2 * 3,
    );

    const line = (c: string, account: string, region: string, arn: string, status: string, reason?: string) =>
      `${c} ${account} ${region} ${arn} ${status}${reason ? ` ${reason}` : ''}`;
    const actual = active(aws).map((s) => {
      const f = reasoned(s);
      const code = f.Compliance.StatusReasons?.[0]?.ReasonCode;
      const keep = code === 'KEY_UNREADABLE_BY_AUDIT_ROLE' || code === 'KEY_POLICY_UNREADABLE';
      return line(
        f.Compliance.SecurityControlId,
        s.accountId,
        s.region,
        s.finding.Resources[0]!.Id,
        f.Compliance.Status,
        keep ? code : undefined,
      );
    });
    const wanted = expected.map((e) =>
      line(e.controlId, e.accountId, e.region, e.resourceArn, e.status, e.reasonCode),
    );
    expect(actual.sort()).toEqual(wanted.sort());

    // WARNING at the control's own severity, naming the refused call.
    const byResource = new Map(
      active(aws).map((s) => [
        `${reasoned(s).Compliance.SecurityControlId} ${s.finding.Resources[0]!.Id}`,
        s,
      ]),
    );
    for (const e of locked) {
      const stored = byResource.get(`${e.controlId} ${e.resourceArn}`)!;
      const f = reasoned(stored);
      expect(f.Severity.Label).toBe(catalog.get(e.controlId).severity);
      expect(f.Compliance.StatusReasons[0]!.Description).toContain(e.refusedCall!);
    }

    // Locked keys leave the units complete; only the account without kms:DescribeKey has errors.
    const withoutDescribe = aws.expectedUnitErrors.map((u) => u.accountId);
    for (const unit of result.units.filter((u) => !withoutDescribe.includes(u.accountId)))
      expect([unit.unitId, unit.state, unit.errors]).toEqual([unit.unitId, 'done', []]);
  });

  it('a member role without kms:DescribeKey: one unit error per region naming the role, no per-key findings', async () => {
    aws = await lockedOrganization();
    const result = await scan();
    expect(aws.expectedUnitErrors).toHaveLength(REGIONS.length);
    for (const wanted of aws.expectedUnitErrors) {
      const unit = result.units.find((u) => u.accountId === wanted.accountId && u.region === wanted.region)!;
      expect(unit.errors).toHaveLength(1);
      expect(unit.errors[0]).toMatchObject({ stage: 'collect', code: 'AccessDeniedException' });
      expect([...unit.errors[0]!.controls].sort()).toEqual([...wanted.controls].sort());
      expect(unit.errors[0]!.message).toMatch(
        /the member role cannot read keys: the member role itself may not call kms:DescribeKey/,
      );
      expect(
        active(aws).filter(
          (s) =>
            s.accountId === wanted.accountId &&
            KEY_CONTROLS.includes(reasoned(s).Compliance.SecurityControlId as ControlId),
        ),
      ).toEqual([]);
    }
  });

  it('archives a resolved finding in a unit with locked keys, and nothing where the role lacks kms:DescribeKey', async () => {
    aws = await lockedOrganization();
    const [, member] = [...aws.state.accounts.values()];
    const lacking = aws.expectedUnitErrors[0]!.accountId;
    expect(member!.id).toBe(lacking);
    const role = member!.roles.get('KeywardenMemberRole')!;
    const restricted = role.kmsActions;
    // First scan with the permission, so the account has findings to keep.
    delete role.kmsActions;
    await scan();
    expect(active(aws).some((s) => s.accountId === lacking && s.region === 'eu-west-1')).toBe(true);
    role.kmsActions = restricted!;

    // A readable customer key disappears from a unit that also holds locked keys, and one from the lacking account.
    const goneFrom = (accountId: string) => {
      const keys = aws!.state.keys(accountId, 'eu-west-1');
      const index = keys.findIndex(
        (k) => k.keyManager === 'CUSTOMER' && !k.description?.startsWith('locked'),
      );
      return keyArn(accountId, 'eu-west-1', keys.splice(index, 1)[0]!.keyId);
    };
    const first = [...aws.state.accounts.values()][0]!.id;
    expect(aws.state.keys(first, 'eu-west-1').some((k) => k.description?.startsWith('locked'))).toBe(true);
    const goneArn = goneFrom(first);
    const goneLackingArn = goneFrom(lacking);
    const before = active(aws).filter((s) => s.accountId === lacking).length;

    const result = await scan();
    const unit = result.units.find((u) => u.accountId === first && u.region === 'eu-west-1')!;
    expect(unit.state).toBe('done');
    const stored = storedFindings(aws).filter((s) => s.finding.Resources[0]!.Id === goneArn);
    expect(stored.map((s) => reasoned(s).Compliance.SecurityControlId)).toEqual(
      expect.arrayContaining(['KMS.3', 'KMS.5']),
    );
    for (const s of stored) expect(s.finding.RecordState).toBe('ARCHIVED');
    // The locked keys' findings stay active in that unit.
    expect(
      active(aws).filter(
        (s) =>
          s.accountId === first && s.region === 'eu-west-1' && reasoned(s).Compliance.Status === 'WARNING',
      ).length,
    ).toBeGreaterThan(0);

    // The account without the permission: nothing archived, nothing new.
    expect(
      storedFindings(aws)
        .filter((s) => s.finding.Resources[0]!.Id === goneLackingArn)
        .every((s) => s.finding.RecordState === 'ACTIVE'),
    ).toBe(true);
    expect(active(aws).filter((s) => s.accountId === lacking)).toHaveLength(before);
  });
});
