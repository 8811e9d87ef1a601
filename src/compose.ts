/**
 * Composition: turns a loaded configuration and a scan scope into a running scan with real AWS clients.
 * The CLI commands and the service share it.
 */
import { ApiCallCounter } from './aws/index.js';
import { awsContextFor } from './scan/aws-context.js';
import { loadCatalog, partitionOfRegion } from './catalog/index.js';
import type { LoadedConfig } from './config/index.js';
import { usePolicyWorkers } from './evaluate/policy-pool.js';
import type { AsffFinding } from './findings/index.js';
import type { RateLimiter } from './aws/rate-limit.js';
import type { UnitExecutor } from './scan/executor.js';
import type { ScanResult, ScanSettings } from './scan/runner.js';
import { failedScan, runScan } from './scan/runner.js';
import type { ConfiguredScope, ResolvedScope } from './scan/scope.js';
import { resolveDryRun, resolveScope, ScopeError } from './scan/scope.js';
import type { ProgressEvent } from './model/scan.js';

// Lives in scan/, where the change-triggered runner uses it too; kept importable from here.
export { awsContextFor };
import type { ScanScope } from './model/scope.js';

/** What the configuration lets a scan cover, and its dry-run default. */
export function configuredScope(loaded: LoadedConfig): ConfiguredScope {
  const { accounts, regions } = loaded.config;
  return { accounts, regions, controls: loaded.enabledControls, dryRun: loaded.config.import.dryRun };
}

/** The configuration's resolver of requested scopes (throws a ScopeError naming what lies outside). */
export function scopeResolver(loaded: LoadedConfig): (scope: ScanScope) => ResolvedScope {
  const configured = configuredScope(loaded);
  return (scope) => resolveScope(configured, scope);
}

/**
 * The scan settings of the configuration, narrowed by a request's scope: the one resolver of every way a
 * scan starts (CLI, API, schedule, queued job). Throws a ScopeError when the scope would widen it.
 */
export function scanSettings(loaded: LoadedConfig, scope: ScanScope = {}): ScanSettings {
  const { config } = loaded;
  const { accounts, regions, controls, dryRun } = resolveScope(configuredScope(loaded), scope);
  return {
    accounts,
    regions,
    homeRegion: config.homeRegion,
    partition: partitionOfRegion(config.homeRegion),
    controls,
    params: loaded.params,
    concurrency: config.concurrency,
    import: { ...config.import, dryRun },
  };
}

export interface ExecuteOptions {
  scanId: string;
  scope?: ScanScope;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  findingSink?: (findings: AsffFinding[]) => void | Promise<void>;
  limiter?: RateLimiter;
  /** Where the units run (in this process unless given). */
  executor?: UnitExecutor;
}

/** Runs one scan with clients bound to this scan (session name carries the scan id). */
export async function executeScan(loaded: LoadedConfig, options: ExecuteOptions): Promise<ScanResult> {
  let settings: ScanSettings;
  try {
    settings = scanSettings(loaded, options.scope);
  } catch (error) {
    // A job or request that would widen the scope runs nothing: no role is assumed, nothing is imported.
    if (error instanceof ScopeError)
      return failedScan(options.scanId, resolveDryRun(configuredScope(loaded), options.scope ?? {}), error);
    throw error;
  }
  usePolicyWorkers(loaded.config.concurrency.policyWorkers);
  const counter = new ApiCallCounter();
  const aws = awsContextFor(loaded, options.scanId, counter);
  try {
    return await runScan({
      scanId: options.scanId,
      settings,
      clients: aws.clients,
      catalog: loadCatalog(),
      apiCalls: () => counter.snapshot(),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.findingSink ? { findingSink: options.findingSink } : {}),
      ...(options.limiter ? { limiter: options.limiter } : {}),
      ...(options.executor ? { executor: options.executor } : {}),
    });
  } finally {
    aws.destroy();
  }
}
