/**
 * What the `serve` replicas and the workers agree on through Redis, besides the queues: which scan holds
 * a scope (so the same scope never runs twice at once, whichever replica is asked) and which scans were
 * asked to stop.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Held at most this long: a scope is freed even if every process that could free it died. */
const SCOPE_LOCK_MS = 24 * 3_600_000;
const CANCEL_TTL_S = 7 * 86_400;

const RELEASE_IF_HOLDER = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
const REPLACE_IF_HOLDER = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
`;

export class Coordination {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'keywarden',
  ) {}

  private scopeKey(scopeKey: string): string {
    return `${this.prefix}:scope:${createHash('sha256').update(scopeKey).digest('hex')}`;
  }

  private cancelKey(scanId: string): string {
    return `${this.prefix}:cancel:${scanId}`;
  }

  /** Takes the scope for a scan; returns the scan that holds it when it is taken. */
  async claimScope(scopeKey: string, scanId: string): Promise<string | undefined> {
    const taken = await this.redis.set(this.scopeKey(scopeKey), scanId, 'PX', SCOPE_LOCK_MS, 'NX');
    if (taken === 'OK') return undefined;
    return (await this.redis.get(this.scopeKey(scopeKey))) ?? undefined;
  }

  /** Takes over a scope from a holder known to be gone; false when someone else got there first. */
  async takeOverScope(scopeKey: string, from: string, scanId: string): Promise<boolean> {
    const replaced = await this.redis.eval(
      REPLACE_IF_HOLDER,
      1,
      this.scopeKey(scopeKey),
      from,
      scanId,
      SCOPE_LOCK_MS,
    );
    return replaced === 1;
  }

  async releaseScope(scopeKey: string, scanId: string): Promise<void> {
    await this.redis.eval(RELEASE_IF_HOLDER, 1, this.scopeKey(scopeKey), scanId);
  }

  async requestCancel(scanId: string): Promise<void> {
    await this.redis.set(this.cancelKey(scanId), '1', 'EX', CANCEL_TTL_S);
  }

  async isCancelRequested(scanId: string): Promise<boolean> {
    return (await this.redis.exists(this.cancelKey(scanId))) === 1;
  }
}
