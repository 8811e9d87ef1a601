/**
 * A whole scan: plan (accounts x regions x controls), then units concurrently under an overall and a
 * per-account limit, each streaming its findings to its own import; a summary at the end.
 */
import pLimit from 'p-limit';
import type { CatalogControl } from '../catalog/index.js';
import { errorCode, errorMessage } from '../aws/errors.js';
import { describeOrganization, enabledRegions } from '../collect/organization.js';
import type { ResolvedControlParams } from '../controls/index.js';
import type { AsffFinding } from '../findings/index.js';
import type { RateLimiter } from '../aws/rate-limit.js';
import { LocalRateLimiter } from '../aws/rate-limit.js';
import type { ControlId } from '../model/result.js';
import type { UnitExecutor } from './executor.js';
import { InProcessExecutor } from './executor.js';
import { planScan, selectAccounts, selectRegions } from './plan.js';
import type { ProgressEvent, ScanSummary, UnitOutcome } from '../model/scan.js';
import { emptyCounts, newOutcome } from '../model/scan.js';
import type { ScanClients } from '../aws/scan-clients.js';
import type { ImportSettings } from './unit.js';

export interface ScanSettings {
  accounts: { source: 'organizations' | 'list'; list: string[]; include: string[]; exclude: string[] };
  regions: { mode: 'enabled' | 'list'; list: string[]; exclude: string[] };
  homeRegion: string;
  partition: string;
  controls: ControlId[];
  params: ResolvedControlParams;
  concurrency: { units: number; perAccount: number };
  import: ImportSettings;
}

export interface ScanRequest {
  scanId: string;
  settings: ScanSettings;
  clients: ScanClients;
  catalog: { get(id: ControlId): CatalogControl };
  /** Counts of API calls by operation, read at the end for the summary. */
  apiCalls?: () => ScanSummary['apiCalls'];
  signal?: AbortSignal;
  now?: () => Date;
  onProgress?: (event: ProgressEvent) => void;
  findingSink?: (findings: AsffFinding[]) => void | Promise<void>;
  /** Shared across scans of one process so quotas hold between overlapping scans. */
  limiter?: RateLimiter;
  /** Where units run; in this process (p-limit) unless told otherwise. */
  executor?: UnitExecutor;
}

export interface ScanResult {
  summary: ScanSummary;
  units: UnitOutcome[];
}

function accountFailure(
  accountId: string,
  stage: 'credentials' | 'regions',
  error: unknown,
  controls: ControlId[],
): UnitOutcome {
  const outcome = newOutcome(`${accountId}/*`, accountId, '*', controls);
  outcome.state = 'failed';
  outcome.errors.push({ stage, controls: [], code: errorCode(error), message: errorMessage(error) });
  return outcome;
}

export function summarize(
  scanId: string,
  startedAt: Date,
  dryRun: boolean,
  planned: number,
  units: UnitOutcome[],
  skipped: ScanSummary['skipped'],
): ScanSummary {
  const summary: ScanSummary = {
    scanId,
    state: 'running',
    startedAt: startedAt.toISOString(),
    dryRun,
    units: { planned, done: 0, failed: 0, partial: 0, cancelled: 0 },
    skipped,
    findings: {},
    imported: 0,
    importFailed: 0,
    archived: 0,
    apiCalls: {},
  };
  for (const unit of units) {
    if (unit.state === 'done') summary.units.done++;
    else if (unit.state === 'failed') summary.units.failed++;
    else if (unit.state === 'partial') summary.units.partial++;
    else summary.units.cancelled++;
    summary.imported += unit.imported;
    summary.importFailed += unit.importFailed;
    summary.archived += unit.archived;
    for (const [control, counts] of Object.entries(unit.findings) as [
      ControlId,
      ReturnType<typeof emptyCounts>,
    ][]) {
      const total = (summary.findings[control] ??= emptyCounts());
      total.PASSED += counts.PASSED;
      total.FAILED += counts.FAILED;
      total.WARNING += counts.WARNING;
      total.NOT_AVAILABLE += counts.NOT_AVAILABLE;
    }
  }
  return summary;
}

/** A scan refused before it planned anything (e.g. a scope outside the configuration's). */
export function failedScan(scanId: string, dryRun: boolean, error: unknown, now = new Date()): ScanResult {
  const summary = summarize(scanId, now, dryRun, 0, [], []);
  return {
    summary: {
      ...summary,
      state: 'failed',
      finishedAt: now.toISOString(),
      durationMs: 0,
      error: { code: errorCode(error), message: errorMessage(error) },
    },
    units: [],
  };
}

export async function runScan(request: ScanRequest): Promise<ScanResult> {
  const { settings, clients, signal } = request;
  const now = request.now ?? (() => new Date());
  const startedAt = now();
  const outcomes: UnitOutcome[] = [];
  const finish = (planned: number, skipped: ScanSummary['skipped'], error?: unknown): ScanResult => {
    const summary = summarize(request.scanId, startedAt, settings.import.dryRun, planned, outcomes, skipped);
    const finishedAt = now();
    summary.finishedAt = finishedAt.toISOString();
    summary.durationMs = finishedAt.getTime() - startedAt.getTime();
    summary.apiCalls = request.apiCalls?.() ?? {};
    if (error !== undefined) summary.error = { code: errorCode(error), message: errorMessage(error) };
    summary.state = signal?.aborted
      ? 'cancelled'
      : error !== undefined
        ? 'failed'
        : summary.units.failed + summary.units.partial > 0
          ? 'completed_with_errors'
          : 'completed';
    return { summary, units: outcomes };
  };

  // Plan: which accounts, which regions in each, which controls in each region.
  let accounts: string[];
  let managementAccountId: string | undefined;
  try {
    if (settings.accounts.source === 'organizations') {
      const organization = await describeOrganization(clients.organizations(), signal);
      managementAccountId = organization.managementAccountId;
      accounts = selectAccounts(organization.accounts, settings.accounts);
    } else {
      accounts = selectAccounts(
        settings.accounts.list.map((id) => ({ id, status: 'ACTIVE' })),
        settings.accounts,
      );
    }
  } catch (error) {
    return finish(0, [], error);
  }

  const regionsByAccount = new Map<string, string[]>();
  const accountLimit = pLimit(settings.concurrency.units);
  await Promise.all(
    accounts.map((accountId) =>
      accountLimit(async () => {
        if (signal?.aborted) return;
        try {
          await clients.verifyAccess(accountId);
        } catch (error) {
          outcomes.push(accountFailure(accountId, 'credentials', error, settings.controls));
          return;
        }
        // Even with a region list: a region the account has not opted in to is never tried.
        try {
          const enabled = await enabledRegions(clients.ec2(accountId, settings.homeRegion), signal);
          regionsByAccount.set(accountId, selectRegions(enabled, settings.regions));
        } catch (error) {
          outcomes.push(accountFailure(accountId, 'regions', error, settings.controls));
        } finally {
          clients.release(accountId, settings.homeRegion);
        }
      }),
    ),
  );
  const plan = planScan({
    accounts: [...regionsByAccount.keys()].sort(),
    regionsOf: (accountId) => regionsByAccount.get(accountId) ?? [],
    controls: settings.controls.map((id) => {
      const control = request.catalog.get(id);
      return { id, scope: control.scope, unsupportedRegions: control.unsupportedRegions };
    }),
    homeRegion: settings.homeRegion,
  });
  const planned = plan.units.length + outcomes.length;
  request.onProgress?.({ type: 'planned', units: planned, skipped: plan.skipped });
  // Accounts that failed while planning are finished units too: records and progress must show them.
  for (const [index, outcome] of outcomes.entries())
    request.onProgress?.({ type: 'unit-finished', outcome, done: index + 1, total: planned });

  // Accounts without a unit (every region excluded) keep nothing.
  const withUnits = new Set(plan.units.map((unit) => unit.accountId));
  for (const accountId of accounts) if (!withUnits.has(accountId)) clients.forget(accountId);
  const executor =
    request.executor ??
    new InProcessExecutor({
      clients,
      catalog: request.catalog,
      limiter: request.limiter ?? new LocalRateLimiter(),
      concurrency: settings.concurrency,
      now,
      ...(request.findingSink ? { findingSink: request.findingSink } : {}),
    });
  await executor.run({
    scanId: request.scanId,
    units: plan.units,
    settings: {
      partition: settings.partition,
      params: settings.params,
      import: settings.import,
      ...(managementAccountId ? { managementAccountId } : {}),
    },
    ...(signal ? { signal } : {}),
    onStarted: (unit) => request.onProgress?.({ type: 'unit-started', unitId: unit.id }),
    onOutcome: (outcome) => {
      outcomes.push(outcome);
      request.onProgress?.({ type: 'unit-finished', outcome, done: outcomes.length, total: planned });
    },
  });
  return finish(planned, plan.skipped);
}
