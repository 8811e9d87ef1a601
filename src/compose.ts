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
import type { RateLimiter } from './importer/rate-limit.js';
import type { ControlId } from './model/result.js';
import type { UnitExecutor } from './scan/executor.js';
import type { ScanResult, ScanSettings } from './scan/runner.js';
import { runScan } from './scan/runner.js';
import type { ProgressEvent } from './scan/types.js';
import type { ScanScope } from './store/types.js';

/** The scan settings of the configuration, narrowed by a request's scope. */
export function scanSettings(loaded: LoadedConfig, scope: ScanScope = {}): ScanSettings {
  const { config } = loaded;
  const accounts = scope.accounts?.length
    ? { ...config.accounts, include: [...scope.accounts] }
    : config.accounts;
  const regions = scope.regions?.length
    ? { mode: 'list' as const, list: [...scope.regions], exclude: config.regions.exclude }
    : config.regions;
  const controls: ControlId[] = scope.controls?.length
    ? loaded.enabledControls.filter((c) => scope.controls!.includes(c))
    : loaded.enabledControls;
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
  const settings = scanSettings(loaded, options.scope);
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
