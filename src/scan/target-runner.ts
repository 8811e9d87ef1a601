// src/scan/target-runner.ts
import type { LoadedConfig } from '../config/index.js';
import type { RateLimiter } from '../aws/rate-limit.js';
import type { ChangeTarget } from '../events/targets.js';
import type { UnitError } from '../model/scan.js';

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

// The stub ignores its arguments until H1's implementation replaces this file.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export function targetRunner(loaded: LoadedConfig, options?: { limiter?: RateLimiter }): TargetRunner {
  throw new Error('targetRunner: not implemented yet');
}
