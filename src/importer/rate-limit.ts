/**
 * Token buckets for AWS's per-account, per-region API quotas (e.g. BatchImportFindings 10/s, burst 30).
 * `LocalRateLimiter` holds them in this process; the distributed mode enforces the same quotas in Redis
 * (`RedisRateLimiter`) so that they hold across every worker.
 */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

export const SECURITY_HUB_QUOTAS = {
  BatchImportFindings: { perSecond: 10, burst: 30 },
  GetFindings: { perSecond: 3, burst: 6 },
} as const satisfies Record<string, RateLimit>;

/**
 * IAM's request quota is per account and not published per operation; we pace the one paginated read we
 * make (GetAccountAuthorizationDetails) well below what IAM tolerates, so other tools in the account keep
 * their share.
 */
export const IAM_QUOTAS = {
  GetAccountAuthorizationDetails: { perSecond: 10, burst: 10 },
} as const satisfies Record<string, RateLimit>;

/**
 * KMS's request quotas (per account and region) for the per-key reads that can be many: one call per key.
 * Keyed by operation name, as the KMS collectors name them.
 */
export const KMS_QUOTAS = {
  GetKeyRotationStatus: { perSecond: 1000, burst: 1000 },
  GetKeyPolicy: { perSecond: 1000, burst: 1000 },
} as const satisfies Record<string, RateLimit>;

/** Takes one request's token for a key (account, region, operation), waiting as long as needed. */
export interface RateLimiter {
  take(key: string, limit: RateLimit, signal?: AbortSignal): Promise<void>;
}

/** What the limiter paces at: a share of the quota, never below one token of burst. */
export function pacedLimit(quota: RateLimit): RateLimit {
  return {
    perSecond: quota.perSecond * HEADROOM,
    burst: Math.max(1, Math.floor(quota.burst * HEADROOM)),
  };
}

/**
 * We pace at 90% of a quota: requests sent evenly can still arrive bunched (network jitter), and AWS
 * counts arrivals.
 */
export const HEADROOM = 0.9;

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private queue: Promise<void> = Promise.resolve();
  private readonly limit: RateLimit;

  constructor(
    quota: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.limit = pacedLimit(quota);
    this.tokens = this.limit.burst;
    this.updatedAt = now();
  }

  /** Waits until a token is available and takes it; callers are served in order. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.takeNow(signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async takeNow(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.now();
      this.tokens = Math.min(
        this.limit.burst,
        this.tokens + ((now - this.updatedAt) / 1000) * this.limit.perSecond,
      );
      this.updatedAt = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const waitMs = ((1 - this.tokens) / this.limit.perSecond) * 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(waitMs)));
    }
  }
}

/** One bucket per key (account, region, operation) in this process, created on first use. */
export class LocalRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  take(key: string, limit: RateLimit, signal?: AbortSignal): Promise<void> {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = new TokenBucket(limit);
      this.buckets.set(key, bucket);
    }
    return bucket.take(signal);
  }
}
