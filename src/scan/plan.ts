/**
 * The planner (pure): accounts x regions x controls, minus each control's unsupported regions; IAM
 * controls only in the home region. Everything after it works on one unit at a time.
 */
import type { ControlId } from '../model/result.js';
import type { SkippedControl } from '../model/scan.js';

export interface PlannedControl {
  id: ControlId;
  /** `global` controls (IAM) run once per account, in the home region. */
  scope: 'global' | 'regional';
  unsupportedRegions: readonly string[];
}

export interface ScanUnit {
  /** `<account>/<region>`: stable, used in records and logs. */
  id: string;
  accountId: string;
  region: string;
  controls: ControlId[];
}

export interface PlanInput {
  /** ACTIVE accounts to scan, already filtered by include/exclude. */
  accounts: readonly string[];
  /** Regions to scan for an account (enabled ones, after the configured list and exclusions). */
  regionsOf: (accountId: string) => readonly string[];
  controls: readonly PlannedControl[];
  homeRegion: string;
}

export interface Plan {
  units: ScanUnit[];
  skipped: SkippedControl[];
}

export function planScan(input: PlanInput): Plan {
  const units: ScanUnit[] = [];
  const skipped = new Map<string, SkippedControl>();
  const skip = (controlId: ControlId, region: string, reason: SkippedControl['reason']): void => {
    const key = `${controlId}|${region}|${reason}`;
    const entry = skipped.get(key) ?? { controlId, region, reason, units: 0 };
    entry.units++;
    skipped.set(key, entry);
  };
  for (const accountId of input.accounts) {
    const regions = [...new Set(input.regionsOf(accountId))].sort();
    for (const region of regions) {
      const controls: ControlId[] = [];
      for (const control of input.controls) {
        if (control.scope === 'global' && region !== input.homeRegion) continue;
        if (control.unsupportedRegions.includes(region)) {
          skip(
            control.id,
            region,
            control.scope === 'global' ? 'HOME_REGION_UNSUPPORTED' : 'UNSUPPORTED_REGION',
          );
          continue;
        }
        controls.push(control.id);
      }
      if (controls.length > 0) units.push({ id: `${accountId}/${region}`, accountId, region, controls });
    }
    if (!regions.includes(input.homeRegion)) {
      for (const control of input.controls) {
        if (control.scope === 'global') skip(control.id, input.homeRegion, 'HOME_REGION_NOT_SCANNED');
      }
    }
  }
  return { units, skipped: [...skipped.values()] };
}

/** Applies the configured region list and exclusions to an account's enabled regions. */
export function selectRegions(
  enabled: readonly string[],
  selection: { mode: 'enabled' | 'list'; list?: readonly string[]; exclude?: readonly string[] },
): string[] {
  const wanted =
    selection.mode === 'list' ? enabled.filter((r) => selection.list?.includes(r)) : [...enabled];
  return wanted.filter((r) => !selection.exclude?.includes(r));
}

/** ACTIVE accounts, with the include list (if any) and exclude list applied. */
export function selectAccounts(
  accounts: readonly { id: string; status: string }[],
  selection: { include?: readonly string[]; exclude?: readonly string[] },
): string[] {
  return accounts
    .filter((a) => a.status === 'ACTIVE')
    .map((a) => a.id)
    .filter((id) => !selection.include?.length || selection.include.includes(id))
    .filter((id) => !selection.exclude?.includes(id));
}
