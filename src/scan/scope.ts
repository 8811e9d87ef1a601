/**
 * The scope of a scan (pure): the configuration's accounts, regions, controls and dry-run default, narrowed
 * by a request (API body, CLI flags, a queued job; checked against model/scope.ts first). A request can only
 * narrow: naming an account, region or control outside the configured scope is an error that names them,
 * never a wider scan. The API, the CLI, the scheduler and the distributed coordinator all resolve a scope
 * here, and two requests are the same scan when their resolved scopes have the same key.
 */
import type { ControlId } from '../model/result.js';
import type { ScanScope } from '../model/scope.js';

export interface AccountSelection {
  source: 'organizations' | 'list';
  list: string[];
  include: string[];
  exclude: string[];
}

export interface RegionSelection {
  mode: 'enabled' | 'list';
  list: string[];
  exclude: string[];
}

/** What the configuration allows. */
export interface ConfiguredScope {
  accounts: AccountSelection;
  regions: RegionSelection;
  /** The enabled controls. */
  controls: readonly ControlId[];
  /** `import.dryRun`: what a request that does not say gets. */
  dryRun: boolean;
}

/** What a request asks for; an absent list means "all that the configuration allows". */
export type RequestedScope = ScanScope;

export interface ResolvedScope {
  accounts: AccountSelection;
  /** Always intersected with each account's enabled regions when the scan plans (DescribeRegions). */
  regions: RegionSelection;
  controls: ControlId[];
  dryRun: boolean;
}

/** The requested ids the configuration does not allow. */
export interface OutsideScope {
  accounts: string[];
  regions: string[];
  controls: string[];
}

export class ScopeError extends Error {
  constructor(readonly outside: OutsideScope) {
    const parts = [
      outside.accounts.length > 0 ? `accounts ${outside.accounts.join(', ')}` : '',
      outside.regions.length > 0 ? `regions ${outside.regions.join(', ')}` : '',
      outside.controls.length > 0
        ? `controls ${outside.controls.join(', ')} (disabled in the configuration)`
        : '',
    ].filter((part) => part !== '');
    super(`outside the configured scope: ${parts.join('; ')}`);
    this.name = 'ScopeError';
  }
}

export function accountAllowed(selection: AccountSelection, accountId: string): boolean {
  if (selection.exclude.includes(accountId)) return false;
  if (selection.source === 'list' && !selection.list.includes(accountId)) return false;
  return selection.include.length === 0 || selection.include.includes(accountId);
}

export function regionAllowed(selection: RegionSelection, region: string): boolean {
  if (selection.exclude.includes(region)) return false;
  return selection.mode === 'enabled' || selection.list.includes(region);
}

/** The requested ids outside the configured scope, or undefined when the request only narrows it. */
export function outsideScope(
  configured: ConfiguredScope,
  requested: RequestedScope,
): OutsideScope | undefined {
  const outside: OutsideScope = {
    accounts: [...new Set(requested.accounts ?? [])].filter((a) => !accountAllowed(configured.accounts, a)),
    regions: [...new Set(requested.regions ?? [])].filter((r) => !regionAllowed(configured.regions, r)),
    controls: [...new Set(requested.controls ?? [])].filter(
      (c) => !(configured.controls as readonly string[]).includes(c),
    ),
  };
  return outside.accounts.length + outside.regions.length + outside.controls.length > 0 ? outside : undefined;
}

/** Whether a scan imports nothing: the request's say, else the configuration's default. */
export function resolveDryRun(
  configured: Pick<ConfiguredScope, 'dryRun'>,
  requested: RequestedScope,
): boolean {
  return requested.dryRun ?? configured.dryRun;
}

/** The configured scope narrowed by the request; throws a ScopeError naming what lies outside it. */
export function resolveScope(configured: ConfiguredScope, requested: RequestedScope): ResolvedScope {
  const outside = outsideScope(configured, requested);
  if (outside !== undefined) throw new ScopeError(outside);
  const accounts = requested.accounts?.length
    ? { ...configured.accounts, include: [...new Set(requested.accounts)] }
    : configured.accounts;
  const regions = requested.regions?.length
    ? { mode: 'list' as const, list: [...new Set(requested.regions)], exclude: configured.regions.exclude }
    : configured.regions;
  const controls = requested.controls?.length
    ? configured.controls.filter((c) => requested.controls!.includes(c))
    : [...configured.controls];
  return { accounts, regions, controls, dryRun: resolveDryRun(configured, requested) };
}

/**
 * The identity of a scan for the duplicate check: computed from the resolved scope only, so requests that
 * spell the same scan differently (order, repeats, a default written out or left to the configuration)
 * have the same key.
 */
export function scopeKey(scope: ResolvedScope): string {
  const set = (list: readonly string[]) => [...new Set(list)].sort();
  const { accounts, regions } = scope;
  return JSON.stringify({
    accounts: {
      source: accounts.source,
      list: accounts.source === 'list' ? set(accounts.list) : [],
      include: set(accounts.include),
      exclude: set(accounts.exclude),
    },
    regions: {
      mode: regions.mode,
      list: regions.mode === 'list' ? set(regions.list) : [],
      exclude: set(regions.exclude),
    },
    controls: set(scope.controls),
    dryRun: scope.dryRun,
  });
}
