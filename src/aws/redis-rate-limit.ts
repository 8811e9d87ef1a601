/**
 * The same token buckets as `LocalRateLimiter`, kept in Redis so a quota holds across every worker on
 * every machine. One Lua script takes a token atomically, on Redis's own clock (workers' clocks may
 * disagree); when none is left it says how long to wait.
 */
import type { Redis } from 'ioredis';
import type { RateLimit, RateLimiter } from './rate-limit.js';
import { pacedLimit } from './rate-limit.js';

const TAKE_TOKEN = `
local rate = tonumber(ARGV[1]) / 1000
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 60000)
return wait
`;

type TakeToken = (key: string, perSecond: number, burst: number) => Promise<number>;

export class RedisRateLimiter implements RateLimiter {
  private readonly takeToken: TakeToken;
  /** Callers in this process wait their turn per key, so one busy unit cannot starve another. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    redis: Redis,
    private readonly prefix = 'keywarden',
  ) {
    if (!('keywardenTakeToken' in redis)) {
      redis.defineCommand('keywardenTakeToken', { numberOfKeys: 1, lua: TAKE_TOKEN });
    }
    const command = (redis as unknown as Record<string, TakeToken>)['keywardenTakeToken']!;
    this.takeToken = (key, perSecond, burst) => command.call(redis, key, perSecond, burst);
  }

  take(key: string, limit: RateLimit, signal?: AbortSignal): Promise<void> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const turn = previous.then(() => this.takeNow(key, limit, signal));
    const settled = turn.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return turn;
  }

  private async takeNow(key: string, quota: RateLimit, signal?: AbortSignal): Promise<void> {
    const limit = pacedLimit(quota);
    const redisKey = `${this.prefix}:rate:${key}`;
    for (;;) {
      signal?.throwIfAborted();
      const waitMs = await this.takeToken(redisKey, limit.perSecond, limit.burst);
      if (waitMs <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
