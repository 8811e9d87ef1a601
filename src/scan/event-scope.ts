/**
 * The configured scope applied to change events: a target is evaluated only for an account, region and
 * controls a scan of the configuration would cover, so a forged or stray event evaluates nothing. The
 * decision is pure; the organization's membership (for `accounts.source: organizations`) is a cached
 * ListAccounts that `OrganizationMembers` keeps fresh.
 */
import { type ChangeTarget, isGlobal } from '../events/targets.js';
import type { ControlId } from '../model/result.js';
import { selectAccounts } from './plan.js';
import { type AccountSelection, accountAllowed, type RegionSelection, regionAllowed } from './scope.js';

/** Why a target is not evaluated (a label of keywarden_events_ignored_total). */
export type OutOfScopeReason =
  | 'account-out-of-scope'
  | 'organization-unknown'
  | 'region-out-of-scope'
  | 'control-not-enabled'
  | 'control-unsupported-in-region';

export interface EventScopeSettings {
  accounts: AccountSelection;
  regions: RegionSelection;
  homeRegion: string;
  enabledControls: readonly ControlId[];
  /** Each control's unsupported regions (from the catalog). */
  unsupportedRegions: (control: ControlId) => readonly string[];
}

/**
 * Whether an account is a member of the organization as the scan selects them (ACTIVE, include and
 * exclude applied); undefined while the membership is unknown. Only asked for `accounts.source:
 * organizations`.
 */
export type Members = (accountId: string) => boolean | undefined;

export type EventScopeDecision = ChangeTarget | { outOfScope: OutOfScopeReason };

/**
 * The target narrowed to the configured scope: IAM targets move to the home region (IAM is global and its
 * findings live there); controls shrink to the enabled ones supported in the target's region.
 */
export function inEventScope(
  settings: EventScopeSettings,
  members: Members,
  target: ChangeTarget,
): EventScopeDecision {
  if (!accountAllowed(settings.accounts, target.accountId)) return { outOfScope: 'account-out-of-scope' };
  if (settings.accounts.source === 'organizations') {
    const member = members(target.accountId);
    if (member === undefined) return { outOfScope: 'organization-unknown' };
    if (!member) return { outOfScope: 'account-out-of-scope' };
  }
  const region = isGlobal(target) ? settings.homeRegion : target.region;
  if (!regionAllowed(settings.regions, region)) return { outOfScope: 'region-out-of-scope' };
  const enabled = target.controls.filter((c): c is ControlId =>
    (settings.enabledControls as readonly string[]).includes(c),
  );
  if (enabled.length === 0) return { outOfScope: 'control-not-enabled' };
  const supported = enabled.filter((c) => !settings.unsupportedRegions(c).includes(region));
  if (supported.length === 0) return { outOfScope: 'control-unsupported-in-region' };
  return { ...target, region, controls: supported };
}

export interface MembersLog {
  warn(fields: object, message: string): void;
}

/**
 * The organization's members from a periodic ListAccounts. An event for an account not (yet) known asks
 * for an early refresh, at most once per `minRefreshMs`, so a forged stream of unknown accounts cannot
 * turn into a stream of Organizations calls; the periodic scan covers an account that joined meanwhile.
 */
export class OrganizationMembers {
  private members: ReadonlySet<string> | undefined;
  private loading: Promise<void> | undefined;
  private lastLoadAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly list: () => Promise<readonly { id: string; status: string }[]>,
    private readonly selection: { include: readonly string[]; exclude: readonly string[] },
    private readonly options: { refreshMs: number; minRefreshMs: number; log?: MembersLog },
  ) {}

  /** Whether `accountId` is a member (undefined before the first load); a miss asks for an early refresh. */
  readonly isMember: Members = (accountId) => {
    const known = this.members?.has(accountId);
    if (known !== true && Date.now() - this.lastLoadAt >= this.options.minRefreshMs)
      void this.refresh().catch(() => undefined);
    return known;
  };

  /** Loads now (one load at a time); rejects when ListAccounts fails, keeping the members it had. */
  refresh(): Promise<void> {
    this.loading ??= (async () => {
      this.lastLoadAt = Date.now();
      try {
        const accounts = await this.list();
        this.members = new Set(selectAccounts(accounts, this.selection));
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading.catch((error: unknown) => {
      this.options.log?.warn({ err: error }, 'listing the organization accounts failed');
      throw error;
    });
  }

  /** Refreshes every `refreshMs` from now on. */
  start(): void {
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.options.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
