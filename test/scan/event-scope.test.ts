/** The configured scope applied to change-event targets (pure), and the cached organization membership. */
import { describe, expect, it } from 'vitest';
import type { ChangeTarget } from '../../src/events/targets.js';
import type { ControlId } from '../../src/model/result.js';
import { type EventScopeSettings, inEventScope, OrganizationMembers } from '../../src/scan/event-scope.js';
import { waitFor } from '../helpers/wait.js';

const MEMBER = '111122223333';
const OTHER_MEMBER = '444455556666';
const STRANGER = '999988887777';

/** Written out here, not read from the catalog: the expectation stays independent of the code. */
const UNSUPPORTED: Record<string, string[]> = {
  'KMS.1': ['ap-southeast-3', 'ap-northeast-3', 'me-central-1'],
  'KMS.2': ['ap-southeast-3', 'ap-northeast-3', 'me-central-1'],
  'KMS.3': ['ap-northeast-3', 'eu-south-1'],
  'KMS.4': ['me-central-1'],
  'KMS.5': ['ap-southeast-7'],
};

function settings(overrides: Partial<EventScopeSettings> = {}): EventScopeSettings {
  return {
    accounts: { source: 'organizations', list: [], include: [], exclude: [] },
    regions: { mode: 'enabled', list: [], exclude: [] },
    homeRegion: 'us-east-1',
    enabledControls: ['KMS.1', 'KMS.2', 'KMS.3', 'KMS.4', 'KMS.5'],
    unsupportedRegions: (c) => UNSUPPORTED[c] ?? [],
    ...overrides,
  };
}

const source = { eventId: 'e1', time: '2026-12-01T00:00:00Z', name: 'PutKeyPolicy' };
const keyTarget = (overrides: Partial<ChangeTarget> = {}): ChangeTarget => ({
  accountId: MEMBER,
  region: 'eu-west-1',
  controls: ['KMS.3', 'KMS.4', 'KMS.5'],
  resource: { kind: 'key', keyId: '1234abcd-12ab-34cd-56ef-1234567890ab' },
  source,
  ...overrides,
});
const roleTarget = (overrides: Partial<ChangeTarget> = {}): ChangeTarget => ({
  accountId: MEMBER,
  region: 'us-east-1',
  controls: ['KMS.2'],
  resource: { kind: 'role', name: 'app' },
  source: { ...source, name: 'PutRolePolicy' },
  ...overrides,
});

const members = (ids: string[]) => (id: string) => ids.includes(id);

describe('inEventScope', () => {
  it('keeps a target of a member account in a configured region, with its enabled controls', () => {
    expect(inEventScope(settings(), members([MEMBER]), keyTarget())).toEqual(keyTarget());
  });

  it('a forged event for an account outside the organization is out of scope', () => {
    expect(inEventScope(settings(), members([MEMBER]), keyTarget({ accountId: STRANGER }))).toEqual({
      outOfScope: 'account-out-of-scope',
    });
  });

  it('nothing is evaluated while the organization is not known yet', () => {
    expect(inEventScope(settings(), () => undefined, keyTarget())).toEqual({
      outOfScope: 'organization-unknown',
    });
  });

  it('applies include, exclude and an explicit account list as a scan does', () => {
    const exclude = settings({
      accounts: { source: 'organizations', list: [], include: [], exclude: [MEMBER] },
    });
    expect(inEventScope(exclude, members([MEMBER]), keyTarget())).toEqual({
      outOfScope: 'account-out-of-scope',
    });
    const include = settings({
      accounts: { source: 'organizations', list: [], include: [OTHER_MEMBER], exclude: [] },
    });
    expect(inEventScope(include, members([MEMBER, OTHER_MEMBER]), keyTarget())).toEqual({
      outOfScope: 'account-out-of-scope',
    });
    const list = settings({ accounts: { source: 'list', list: [OTHER_MEMBER], include: [], exclude: [] } });
    // A list source never asks the organization.
    const never = () => {
      throw new Error('the organization was asked');
    };
    expect(inEventScope(list, never, keyTarget())).toEqual({ outOfScope: 'account-out-of-scope' });
    expect(inEventScope(list, never, keyTarget({ accountId: OTHER_MEMBER }))).toEqual(
      keyTarget({ accountId: OTHER_MEMBER }),
    );
  });

  it('a region outside the configured list or excluded is out of scope', () => {
    const listed = settings({ regions: { mode: 'list', list: ['us-east-1'], exclude: [] } });
    expect(inEventScope(listed, members([MEMBER]), keyTarget())).toEqual({
      outOfScope: 'region-out-of-scope',
    });
    const excluded = settings({ regions: { mode: 'enabled', list: [], exclude: ['eu-west-1'] } });
    expect(inEventScope(excluded, members([MEMBER]), keyTarget())).toEqual({
      outOfScope: 'region-out-of-scope',
    });
  });

  it('an IAM target is evaluated in the home region, whatever region its event came from', () => {
    const home = settings({ homeRegion: 'eu-west-1' });
    expect(inEventScope(home, members([MEMBER]), roleTarget())).toEqual(roleTarget({ region: 'eu-west-1' }));
    // The home region not scanned: IAM targets are out of scope, as a scan skips IAM there.
    const notScanned = settings({
      homeRegion: 'eu-west-1',
      regions: { mode: 'list', list: ['us-east-1'], exclude: [] },
    });
    expect(inEventScope(notScanned, members([MEMBER]), roleTarget())).toEqual({
      outOfScope: 'region-out-of-scope',
    });
  });

  it('controls shrink to the enabled ones; none enabled is out of scope', () => {
    const some = settings({ enabledControls: ['KMS.1', 'KMS.5'] });
    expect(inEventScope(some, members([MEMBER]), keyTarget())).toEqual(keyTarget({ controls: ['KMS.5'] }));
    const none = settings({ enabledControls: ['KMS.1'] as ControlId[] });
    expect(inEventScope(none, members([MEMBER]), keyTarget())).toEqual({
      outOfScope: 'control-not-enabled',
    });
  });

  it("controls shrink to those supported in the target's region", () => {
    expect(inEventScope(settings(), members([MEMBER]), keyTarget({ region: 'eu-south-1' }))).toEqual(
      keyTarget({ region: 'eu-south-1', controls: ['KMS.4', 'KMS.5'] }),
    );
    expect(inEventScope(settings(), members([MEMBER]), keyTarget({ region: 'me-central-1' }))).toEqual(
      keyTarget({ region: 'me-central-1', controls: ['KMS.3', 'KMS.5'] }),
    );
    const homeUnsupported = settings({ homeRegion: 'me-central-1' });
    expect(inEventScope(homeUnsupported, members([MEMBER]), roleTarget())).toEqual({
      outOfScope: 'control-unsupported-in-region',
    });
  });
});

describe('OrganizationMembers', () => {
  function organization(accounts: { id: string; status: string }[]) {
    let calls = 0;
    return {
      list: async () => {
        calls++;
        return accounts;
      },
      calls: () => calls,
      accounts,
    };
  }

  it('knows nothing before the first load; then ACTIVE members with include/exclude applied', async () => {
    const org = organization([
      { id: MEMBER, status: 'ACTIVE' },
      { id: OTHER_MEMBER, status: 'SUSPENDED' },
      { id: STRANGER, status: 'ACTIVE' },
    ]);
    const m = new OrganizationMembers(
      org.list,
      { include: [], exclude: [STRANGER] },
      {
        refreshMs: 3_600_000,
        minRefreshMs: 3_600_000,
      },
    );
    expect(m.isMember(MEMBER)).toBeUndefined();
    await m.refresh();
    expect(m.isMember(MEMBER)).toBe(true);
    expect(m.isMember(OTHER_MEMBER)).toBe(false);
    expect(m.isMember(STRANGER)).toBe(false);
  });

  it('an unknown account asks for an early refresh, at most once per minRefreshMs', async () => {
    const org = organization([{ id: MEMBER, status: 'ACTIVE' }]);
    const m = new OrganizationMembers(
      org.list,
      { include: [], exclude: [] },
      { refreshMs: 3_600_000, minRefreshMs: 3_600_000 },
    );
    await m.refresh();
    expect(org.calls()).toBe(1);
    for (let i = 0; i < 100; i++) expect(m.isMember(STRANGER)).toBe(false);
    expect(org.calls()).toBe(1);

    const eager = organization([{ id: MEMBER, status: 'ACTIVE' }]);
    const e = new OrganizationMembers(
      eager.list,
      { include: [], exclude: [] },
      { refreshMs: 3_600_000, minRefreshMs: 0 },
    );
    await e.refresh();
    // The account joins the organization; the next event for it triggers a reload that finds it.
    eager.accounts.push({ id: OTHER_MEMBER, status: 'ACTIVE' });
    expect(e.isMember(OTHER_MEMBER)).toBe(false);
    await waitFor('the early refresh', () => e.isMember(OTHER_MEMBER) === true);
  });

  it('a failed refresh keeps the members it had, and rejects', async () => {
    let fail = false;
    const m = new OrganizationMembers(
      async () => {
        if (fail) throw new Error('AccessDenied');
        return [{ id: MEMBER, status: 'ACTIVE' }];
      },
      { include: [], exclude: [] },
      { refreshMs: 3_600_000, minRefreshMs: 3_600_000 },
    );
    await m.refresh();
    fail = true;
    await expect(m.refresh()).rejects.toThrow('AccessDenied');
    expect(m.isMember(MEMBER)).toBe(true);
  });
});
