/**
 * The change-triggered runner: one set of AWS clients (session `<prefix>-events`) and the configuration's
 * catalog, parameters and import settings, shared by every target the event consumer hands it.
 */
import { ApiCallCounter } from '../aws/index.js';
import { LocalRateLimiter } from '../aws/rate-limit.js';
import type { RateLimiter } from '../aws/rate-limit.js';
import { loadCatalog, partitionOfRegion } from '../catalog/index.js';
import { managementAccount } from '../collect/organization.js';
import type { LoadedConfig } from '../config/index.js';
import { usePolicyWorkers } from '../evaluate/policy-pool.js';
import type { ChangeTarget } from '../events/targets.js';
import { isGlobal } from '../events/targets.js';
import type { AsffFinding } from '../findings/index.js';
import type { UnitError } from '../model/scan.js';
import { awsContextFor } from './aws-context.js';
import { runTarget } from './target.js';
import { unitError } from './unit.js';

export interface TargetOutcome {
  /**
   * evaluated: the resource was re-read and its findings imported (or, in a dry run, produced);
   * gone: a fresh NoSuchEntity/NotFoundException for the resource itself, its findings were archived;
   * skipped: nothing to do and nothing to retry (e.g. Security Hub not enabled there), `reason` says why;
   * failed: nothing was changed, the caller must leave the message to be retried.
   */
  state: 'evaluated' | 'gone' | 'skipped' | 'failed';
  reason?: string;
  imported: number;
  archived: number;
  errors: UnitError[];
}

export interface TargetRunner {
  /** Re-reads the target's resource in its account and region, evaluates its controls, imports them. */
  run(target: ChangeTarget, signal?: AbortSignal): Promise<TargetOutcome>;
  /** Releases the clients. */
  destroy(): void;
}

export interface TargetRunnerOptions {
  /** Shared with the scans of the process, so that quotas hold between them. */
  limiter?: RateLimiter;
  /** Receives the findings produced (all of them in a dry run; a copy of those imported otherwise). */
  findingSink?: (findings: AsffFinding[]) => void | Promise<void>;
}

export function targetRunner(loaded: LoadedConfig, options: TargetRunnerOptions = {}): TargetRunner {
  const { config } = loaded;
  usePolicyWorkers(config.concurrency.policyWorkers);
  const aws = awsContextFor(loaded, 'events', new ApiCallCounter());
  const catalog = loadCatalog();
  const limiter = options.limiter ?? new LocalRateLimiter();
  // KMS.2's excludeRoleByManagementAccount needs it, as in a scan of the organization; read once.
  let management: Promise<string | undefined> | undefined;
  const managementAccountId = (signal?: AbortSignal): Promise<string | undefined> => {
    if (config.accounts.source !== 'organizations') return Promise.resolve(undefined);
    management ??= managementAccount(aws.clients.organizations(), signal).catch((error: unknown) => {
      management = undefined;
      throw error;
    });
    return management;
  };
  return {
    async run(target, signal) {
      let management: string | undefined;
      try {
        if (isGlobal(target)) management = await managementAccountId(signal);
      } catch (error) {
        return {
          state: 'failed',
          reason: 'the organization could not be described',
          imported: 0,
          archived: 0,
          errors: [unitError('collect', [], error)],
        };
      }
      return runTarget(target, {
        clients: aws.clients,
        catalog,
        params: loaded.params,
        partition: partitionOfRegion(config.homeRegion),
        ...(management !== undefined ? { managementAccountId: management } : {}),
        importSettings: config.import,
        limiter,
        now: () => new Date(),
        homeRegion: config.homeRegion,
        enabledControls: loaded.enabledControls,
        ...(signal ? { signal } : {}),
        ...(options.findingSink ? { findingSink: options.findingSink } : {}),
      });
    },
    destroy() {
      aws.destroy();
    },
  };
}
