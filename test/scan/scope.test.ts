import { describe, expect, it } from 'vitest';
import type { ConfiguredScope } from '../../src/scan/scope.js';
import { outsideScope, resolveScope, ScopeError } from '../../src/scan/scope.js';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';

const configured = (patch: Partial<ConfiguredScope> = {}): ConfiguredScope => ({
  accounts: { source: 'organizations', list: [], include: [A], exclude: [C] },
  regions: { mode: 'list', list: ['us-east-1'], exclude: [] },
  controls: ['KMS.1', 'KMS.2', 'KMS.3'],
  dryRun: false,
  ...patch,
});

describe('scan scope: a request can only narrow the configuration', () => {
  it('names every account, region and control outside the configured scope', () => {
    expect(
      outsideScope(configured(), {
        accounts: [A, B, C],
        regions: ['us-east-1', 'ap-southeast-2'],
        controls: ['KMS.3', 'KMS.4'],
      }),
    ).toEqual({ accounts: [B, C], regions: ['ap-southeast-2'], controls: ['KMS.4'] });
    expect(() => resolveScope(configured(), { accounts: [B], regions: ['ap-southeast-2'] })).toThrow(
      new ScopeError({ accounts: [B], regions: ['ap-southeast-2'], controls: [] }),
    );
  });

  it('with no include list, any account that is not excluded (organizations) or listed (list)', () => {
    const all = configured({ accounts: { source: 'organizations', list: [], include: [], exclude: [C] } });
    expect(outsideScope(all, { accounts: [A, B] })).toBeUndefined();
    expect(outsideScope(all, { accounts: [C] })?.accounts).toEqual([C]);
    const listed = configured({ accounts: { source: 'list', list: [A, C], include: [], exclude: [C] } });
    expect(outsideScope(listed, { accounts: [A, B, C] })?.accounts).toEqual([B, C]);
  });

  it('with regions.mode enabled, any region that is not excluded', () => {
    const enabled = configured({ regions: { mode: 'enabled', list: [], exclude: ['eu-west-1'] } });
    expect(outsideScope(enabled, { regions: ['ap-southeast-2'] })).toBeUndefined();
    expect(outsideScope(enabled, { regions: ['eu-west-1'] })?.regions).toEqual(['eu-west-1']);
  });

  it('narrows: the requested accounts, regions (as a list, still intersected with enabled ones) and controls', () => {
    const config = configured({
      accounts: { source: 'organizations', list: [], include: [], exclude: [C] },
      regions: { mode: 'enabled', list: [], exclude: ['eu-west-1'] },
    });
    expect(resolveScope(config, { accounts: [B], regions: ['us-east-2'], controls: ['KMS.3'] })).toEqual({
      accounts: { source: 'organizations', list: [], include: [B], exclude: [C] },
      regions: { mode: 'list', list: ['us-east-2'], exclude: ['eu-west-1'] },
      controls: ['KMS.3'],
      dryRun: false,
    });
    // Nothing requested: the configuration as it is.
    expect(resolveScope(config, {})).toEqual({
      accounts: config.accounts,
      regions: config.regions,
      controls: config.controls,
      dryRun: false,
    });
  });
});
