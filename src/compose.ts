/**
 * Composition: turns a loaded configuration and a scan scope into a running scan with real AWS clients.
 * The CLI commands and the service share it.
 */
import { ApiCallCounter, createAwsContext } from './aws/index.js';
import type { AwsContext } from './aws/index.js';
import { loadCatalog, partitionOfRegion } from './catalog/index.js';
import type { LoadedConfig } from './config/index.js';
import { configurePolicyEvaluator } from './evaluate/policy-pool.js';
import type { AsffFinding } from './findings/index.js';
import type { RateLimiter } from './aws/rate-limit.js';
import type { UnitExecutor } from './scan/executor.js';
import type { ScanResult, ScanSettings } from './scan/runner.js';
import { failedScan, runScan } from './scan/runner.js';
import type { ConfiguredScope } from './scan/scope.js';
import { outsideScope, resolveScope, ScopeError } from './scan/scope.js';
import type { ProgressEvent } from './model/scan.js';
import type { ScanScope } from './store/types.js';

/** What the configuration lets a scan cover. */
export function configuredScope(loaded: LoadedConfig): ConfiguredScope {
  const { accounts, regions } = loaded.config;
  return { accounts, regions, controls: loaded.enabledControls };
}

/** Why a requested scope is refused (it names something outside the configured scope), or undefined. */
export function checkScope(loaded: LoadedConfig, scope: ScanScope): ScopeError | undefined {
  const outside = outsideScope(configuredScope(loaded), scope);
  return outside === undefined ? undefined : new ScopeError(outside);
}

/**
 * The scan settings of the configuration, narrowed by a request's scope: the one resolver of every way a
 * scan starts (CLI, API, schedule, queued job). Throws a ScopeError when the scope would widen it.
 */
export function scanSettings(loaded: LoadedConfig, scope: ScanScope = {}): ScanSettings {
  const { config } = loaded;
  const { accounts, regions, controls } = resolveScope(configuredScope(loaded), scope);
  return {
    accounts,
    regions,
    homeRegion: config.homeRegion,
    partition: partitionOfRegion(config.homeRegion),
    controls,
    params: loaded.params,
    concurrency: config.concurrency,
    import: { ...config.import, dryRun: scope.dryRun ?? config.import.dryRun },
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

/** AWS clients for one scan, from the configuration (session names carry the scan id). */
export function awsContextFor(loaded: LoadedConfig, scanId: string, counter: ApiCallCounter): AwsContext {
  const { config } = loaded;
  return createAwsContext(
    {
      homeRegion: config.homeRegion,
      partition: partitionOfRegion(config.homeRegion),
      memberRole: config.memberRole,
      hub: config.hub,
      maxAttempts: config.aws.maxAttempts,
      retryMode: config.aws.retryMode,
      requestTimeoutMs: config.aws.requestTimeoutMs,
    },
    scanId,
    counter,
  );
}

/** Runs one scan with clients bound to this scan (session name carries the scan id). */
export async function executeScan(loaded: LoadedConfig, options: ExecuteOptions): Promise<ScanResult> {
  let settings: ScanSettings;
  try {
    settings = scanSettings(loaded, options.scope);
  } catch (error) {
    // A job or request that would widen the scope runs nothing: no role is assumed, nothing is imported.
    if (error instanceof ScopeError)
      return failedScan(options.scanId, options.scope?.dryRun ?? loaded.config.import.dryRun, error);
    throw error;
  }
  const { policyWorkers } = loaded.config.concurrency;
  configurePolicyEvaluator(policyWorkers === undefined ? {} : { workers: policyWorkers });
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
