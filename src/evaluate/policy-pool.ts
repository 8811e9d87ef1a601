/**
 * Policy analysis off the event loop: a worker-thread pool (piscina) runs the pure engine, so that a
 * hostile document never stalls the API, `/healthz` or a BullMQ job lock. A document that takes longer
 * than the time budget is cut off (its worker is terminated and replaced) and reported as TOO_COMPLEX,
 * so a scan always finishes.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { PolicyAnalysis } from '../policy/index.js';
import { analyzePolicy } from '../policy/index.js';
import type { PolicyTask } from './policy-task.js';

export type { PolicyTask } from './policy-task.js';

/** Per-document wall-clock budget: far above the engine's worst case on documents IAM accepts. */
export const DEFAULT_POLICY_TIMEOUT_MS = 30_000;

/** One thread per CPU but one (left to the event loop), at least one, at most eight. */
export function defaultPolicyWorkers(): number {
  return Math.max(1, Math.min(8, availableParallelism() - 1));
}

export interface PolicyEvaluatorOptions {
  /** Worker threads; 0 analyses in the calling thread (blocking it). Default: defaultPolicyWorkers(). */
  workers?: number;
  timeoutMs?: number;
}

/** Under vitest/tsx the sources are .ts: the worker then loads tsx to run the .ts entry. */
function workerEntry(): { filename: string; execArgv: string[] } {
  const typescript = import.meta.url.endsWith('.ts');
  const filename = new URL(`./policy-worker.${typescript ? 'ts' : 'js'}`, import.meta.url).href;
  return { filename, execArgv: typescript ? ['--import', 'tsx'] : [] };
}

export class PolicyEvaluator {
  readonly workers: number;
  readonly timeoutMs: number;
  private pool: Piscina | undefined;

  constructor(options: PolicyEvaluatorOptions = {}) {
    this.workers = options.workers ?? defaultPolicyWorkers();
    this.timeoutMs = options.timeoutMs ?? DEFAULT_POLICY_TIMEOUT_MS;
  }

  private threads(): Piscina {
    if (this.pool === undefined) {
      const { filename, execArgv } = workerEntry();
      this.pool = new Piscina({
        filename,
        execArgv,
        minThreads: 0,
        maxThreads: this.workers,
        // Piscina unrefs idle threads; with no idle timer either, a CLI run exits as soon as it is done.
        idleTimeout: Infinity,
      });
    }
    return this.pool;
  }

  async analyze(task: PolicyTask, timeoutMs = this.timeoutMs): Promise<PolicyAnalysis> {
    if (this.workers === 0)
      return analyzePolicy(task.document, task.blockedActions, { partition: task.partition });
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      return (await this.threads().run(task, { signal })) as PolicyAnalysis;
    } catch (error) {
      if (!signal.aborted) throw error;
      return {
        ok: false,
        verdict: 'NOT_AVAILABLE',
        error: {
          code: 'TOO_COMPLEX',
          message: `the policy could not be decided within the time budget of ${timeoutMs} ms per document`,
        },
      };
    }
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }
}

let shared: PolicyEvaluator | undefined;
let sharedOptions: PolicyEvaluatorOptions = {};

/** Sets the size (and budget) of the process-wide pool, e.g. from `concurrency.policyWorkers`. */
export function configurePolicyEvaluator(options: PolicyEvaluatorOptions): void {
  if (options.workers === sharedOptions.workers && options.timeoutMs === sharedOptions.timeoutMs) return;
  sharedOptions = options;
  const previous = shared;
  shared = undefined;
  void previous?.close();
}

/** Sizes the process-wide pool from `concurrency.policyWorkers` (absent: the CPU-based default). */
export function usePolicyWorkers(workers: number | undefined): void {
  configurePolicyEvaluator(workers === undefined ? {} : { workers });
}

/** The process-wide pool, created on first use. */
export function policyEvaluator(): PolicyEvaluator {
  shared ??= new PolicyEvaluator(sharedOptions);
  return shared;
}
