/**
 * A rate limiter for tests that paces as the real one does (it hands every call to a `LocalRateLimiter`)
 * and records what it was asked: the bucket key, the quota and the signal of every call. It can also
 * cancel a run right after a given call got its token, so a test chooses the point of cancellation: the
 * call itself is then made with an aborted signal.
 */
import type { RateLimit, RateLimiter } from '../../src/aws/rate-limit.js';
import { LocalRateLimiter } from '../../src/aws/rate-limit.js';

export interface Take {
  key: string;
  limit: RateLimit;
  signal: AbortSignal | undefined;
}

export class RecordingLimiter implements RateLimiter {
  readonly takes: Take[] = [];
  private readonly inner = new LocalRateLimiter();

  /** @param abortAfter when it says yes for a key, `controller` is aborted once that call has its token. */
  constructor(
    private readonly abortAfter?: { controller: AbortController; when: (key: string) => boolean },
  ) {}

  async take(key: string, limit: RateLimit, signal?: AbortSignal): Promise<void> {
    this.takes.push({ key, limit, signal });
    await this.inner.take(key, limit, signal);
    if (this.abortAfter?.when(key) === true) this.abortAfter.controller.abort();
  }

  /** How many tokens each key was asked for, with its quota, sorted by key. */
  byKey(): [string, RateLimit, number][] {
    const out = new Map<string, [string, RateLimit, number]>();
    for (const { key, limit } of this.takes) {
      const entry = out.get(key);
      if (entry === undefined) out.set(key, [key, limit, 1]);
      else entry[2]++;
    }
    return [...out.values()].sort((a, b) => a[0].localeCompare(b[0]));
  }
}
