/**
 * Token buckets for AWS's per-account, per-region API quotas (e.g. BatchImportFindings 10/s, burst 30).
 * `LocalRateLimiter` holds them in this process; the distributed mode enforces the same quotas in Redis
 * (`RedisRateLimiter`) so that they hold across every worker.
 */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

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
