import { describe, expect, it } from 'vitest';
import type { PlannedControl } from '../../src/scan/plan.js';
import { planScan, selectAccounts, selectRegions } from '../../src/scan/plan.js';

const CONTROLS: PlannedControl[] = [
  { id: 'KMS.1', scope: 'global', unsupportedRegions: ['ap-southeast-3', 'ap-northeast-3', 'me-central-1'] },
  { id: 'KMS.2', scope: 'global', unsupportedRegions: ['ap-southeast-3', 'ap-northeast-3', 'me-central-1'] },
  { id: 'KMS.3', scope: 'regional', unsupportedRegions: ['ap-northeast-3', 'eu-south-1'] },
  { id: 'KMS.4', scope: 'regional', unsupportedRegions: ['me-central-1'] },
];
const REGIONS = ['us-east-1', 'eu-west-1', 'eu-south-1', 'me-central-1', 'ap-northeast-3'];

describe('planScan', () => {
  const plan = planScan({
    accounts: ['111111111111', '222222222222'],
    regionsOf: () => REGIONS,
    controls: CONTROLS,
    homeRegion: 'us-east-1',
  });
  const unit = (account: string, region: string) => plan.units.find((u) => u.id === `${account}/${region}`);

  it('puts IAM controls only in the home region', () => {
    for (const u of plan.units) {
      if (u.region !== 'us-east-1') expect(u.controls).not.toContain('KMS.1');
    }
    expect(unit('111111111111', 'us-east-1')!.controls).toEqual(['KMS.1', 'KMS.2', 'KMS.3', 'KMS.4']);
  });

  it('removes each control from its unsupported regions', () => {
    expect(unit('111111111111', 'eu-south-1')!.controls).toEqual(['KMS.4']);
    expect(unit('111111111111', 'me-central-1')!.controls).toEqual(['KMS.3']);
    expect(unit('111111111111', 'ap-northeast-3')!.controls).toEqual(['KMS.4']);
    for (const u of plan.units) {
      for (const id of u.controls) {
        expect(CONTROLS.find((c) => c.id === id)!.unsupportedRegions).not.toContain(u.region);
      }
    }
  });

  it('counts the skipped units per control and region', () => {
    expect(plan.skipped).toContainEqual({
      controlId: 'KMS.3',
      region: 'eu-south-1',
      reason: 'UNSUPPORTED_REGION',
      units: 2,
    });
    expect(plan.skipped).toContainEqual({
      controlId: 'KMS.4',
      region: 'me-central-1',
      reason: 'UNSUPPORTED_REGION',
      units: 2,
    });
  });

  it('skips IAM controls when the home region is unsupported for them', () => {
    const osaka = planScan({
      accounts: ['111111111111'],
      regionsOf: () => ['ap-northeast-3'],
      controls: CONTROLS,
      homeRegion: 'ap-northeast-3',
    });
    expect(osaka.units).toEqual([
      {
        id: '111111111111/ap-northeast-3',
        accountId: '111111111111',
        region: 'ap-northeast-3',
        controls: ['KMS.4'],
      },
    ]);
    expect(osaka.skipped.map((s) => `${s.controlId}:${s.reason}`)).toEqual(
      expect.arrayContaining([
        'KMS.1:HOME_REGION_UNSUPPORTED',
        'KMS.2:HOME_REGION_UNSUPPORTED',
        'KMS.3:UNSUPPORTED_REGION',
      ]),
    );
  });

  it('reports IAM controls skipped when the home region is not scanned', () => {
    const onlyEu = planScan({
      accounts: ['111111111111'],
      regionsOf: () => ['eu-west-1'],
      controls: CONTROLS,
      homeRegion: 'us-east-1',
    });
    expect(onlyEu.units.flatMap((u) => u.controls)).toEqual(['KMS.3', 'KMS.4']);
    expect(onlyEu.skipped.filter((s) => s.reason === 'HOME_REGION_NOT_SCANNED')).toHaveLength(2);
  });
});

describe('account and region selection', () => {
  it('keeps ACTIVE accounts and applies include and exclude lists', () => {
    const accounts = [
      { id: '1', status: 'ACTIVE' },
      { id: '2', status: 'SUSPENDED' },
      { id: '3', status: 'ACTIVE' },
      { id: '4', status: 'PENDING_CLOSURE' },
    ];
    expect(selectAccounts(accounts, {})).toEqual(['1', '3']);
    expect(selectAccounts(accounts, { include: ['2', '3'] })).toEqual(['3']);
    expect(selectAccounts(accounts, { exclude: ['1'] })).toEqual(['3']);
  });
  it('intersects a configured region list with the enabled ones', () => {
    expect(
      selectRegions(['eu-west-1', 'us-east-1'], { mode: 'list', list: ['us-east-1', 'ap-south-1'] }),
    ).toEqual(['us-east-1']);
    expect(selectRegions(['eu-west-1', 'us-east-1'], { mode: 'enabled', exclude: ['eu-west-1'] })).toEqual([
      'us-east-1',
    ]);
  });
});
