/**
 * Start-up of the console re-check: keywarden's custom action in each configured region of the security
 * account. It runs beside the event consumer and never stops the service: a region where it fails
 * (Security Hub not enabled, AccessDenied) logs one warning and the other regions go on.
 */
import type { Logger } from '../log/index.js';

export interface CustomActionStatus {
  /** `creating` until every region answered. */
  state: 'creating' | 'done';
  /** The action target's ARN, by region. */
  actionTargets: Record<string, string>;
  /** Why it could not be created, by region (`*` when the regions themselves could not be listed). */
  failed: Record<string, string>;
}

export interface CustomActionSetupOptions {
  /** The configured regions of the security account. */
  regions: (signal: AbortSignal) => Promise<string[]>;
  /** Creates (or finds) the action in one region and returns its ARN. */
  ensure: (region: string, signal: AbortSignal) => Promise<string>;
  logger: Logger;
}

export interface CustomActionSetup {
  status(): CustomActionStatus;
  /** Abandons what is still running and waits for it to settle. */
  stop(): Promise<void>;
}

const reasonOf = (error: unknown): string => {
  const e = error as { name?: string; message?: string };
  return e.name && e.message ? `${e.name}: ${e.message}` : String(error);
};

export function startCustomActionSetup(options: CustomActionSetupOptions): CustomActionSetup {
  const { logger } = options;
  const status: CustomActionStatus = { state: 'creating', actionTargets: {}, failed: {} };
  const abort = new AbortController();
  const inRegion = async (region: string) => {
    try {
      status.actionTargets[region] = await options.ensure(region, abort.signal);
    } catch (error) {
      if (abort.signal.aborted) return;
      status.failed[region] = reasonOf(error);
      logger.warn(
        { region, reason: status.failed[region] },
        'the Security Hub custom action could not be created in this region; the console re-check is not offered there',
      );
    }
  };
  const running = (async () => {
    let regions: string[];
    try {
      regions = await options.regions(abort.signal);
    } catch (error) {
      if (abort.signal.aborted) return;
      status.failed['*'] = reasonOf(error);
      logger.warn(
        { reason: status.failed['*'] },
        'the regions for the Security Hub custom action are unknown',
      );
      return;
    }
    await Promise.all(regions.map(inRegion));
    if (!abort.signal.aborted)
      logger.info({ actionTargets: status.actionTargets }, 'Security Hub custom action ready');
  })().finally(() => (status.state = 'done'));
  return {
    status: () => ({
      state: status.state,
      actionTargets: { ...status.actionTargets },
      failed: { ...status.failed },
    }),
    stop: async () => {
      abort.abort();
      await running;
    },
  };
}
