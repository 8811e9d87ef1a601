/** The duplicate check's key is computed from the resolved scope: one scan, one key, however it is spelled. */
import { describe, expect, it } from 'vitest';
import type { ScanScope } from '../../src/model/scope.js';
import type { ConfiguredScope } from '../../src/scan/scope.js';
import { resolveScope, scopeKey } from '../../src/scan/scope.js';

const A = '111111111111';
const B = '222222222222';

const configured = (dryRun: boolean): ConfiguredScope => ({
  accounts: { source: 'organizations', list: [], include: [], exclude: [] },
  regions: { mode: 'list', list: ['us-east-1', 'eu-west-1'], exclude: [] },
  controls: ['KMS.1', 'KMS.2', 'KMS.3', 'KMS.4'],
  dryRun,
});
const key = (config: ConfiguredScope, scope: ScanScope) => scopeKey(resolveScope(config, scope));

describe('scopeKey of the resolved scope', () => {
  it('is the same for the same scope in another order or with repeated ids', () => {
    const config = configured(false);
    const first = key(config, {
      accounts: [A, B],
      regions: ['us-east-1', 'eu-west-1'],
      controls: ['KMS.3', 'KMS.4'],
    });
    for (const same of [
      { accounts: [B, A], regions: ['eu-west-1', 'us-east-1'], controls: ['KMS.4', 'KMS.3'] },
      {
        accounts: [A, B, A],
        regions: ['us-east-1', 'eu-west-1', 'us-east-1'],
        controls: ['KMS.3', 'KMS.4', 'KMS.3'],
      },
      // dryRun written out as the configuration's default.
      { accounts: [A, B], regions: ['us-east-1', 'eu-west-1'], controls: ['KMS.3', 'KMS.4'], dryRun: false },
    ] satisfies ScanScope[])
      expect(key(config, same)).toBe(first);
    expect(
      key(config, { accounts: [A], regions: ['us-east-1', 'eu-west-1'], controls: ['KMS.3', 'KMS.4'] }),
    ).not.toBe(first);
    expect(key(config, { accounts: [A, B], regions: ['us-east-1'], controls: ['KMS.3', 'KMS.4'] })).not.toBe(
      first,
    );
    expect(
      key(config, { accounts: [A, B], regions: ['us-east-1', 'eu-west-1'], controls: ['KMS.3'] }),
    ).not.toBe(first);
  });

  it('with import.dryRun true in the configuration, {} and {dryRun: true} are one scan, {dryRun: false} another', () => {
    const config = configured(true);
    expect(key(config, {})).toBe(key(config, { dryRun: true }));
    expect(key(config, { dryRun: false })).not.toBe(key(config, {}));
  });

  it('with import.dryRun false, {} and {dryRun: false} are one scan, {dryRun: true} another', () => {
    const config = configured(false);
    expect(key(config, {})).toBe(key(config, { dryRun: false }));
    expect(key(config, { dryRun: true })).not.toBe(key(config, {}));
  });

  it('a request that names exactly what the configuration allows is the same scan as one that names nothing', () => {
    const config = configured(false);
    expect(
      key(config, { regions: ['eu-west-1', 'us-east-1'], controls: ['KMS.4', 'KMS.3', 'KMS.2', 'KMS.1'] }),
    ).toBe(key(config, {}));
  });
});
