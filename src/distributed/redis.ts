/** Redis connections for the distributed mode (ioredis, as BullMQ wants them). */
import { Redis } from 'ioredis';

/** BullMQ's workers block on Redis: requests must wait for a reconnect instead of failing after N tries. */
export function connectRedis(url: string, name: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false });
}

/** A Redis URL fit for logs: the password (and user) replaced. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    if (parsed.username) parsed.username = '***';
    return parsed.toString();
  } catch {
    return 'redis://(unparsable URL)';
  }
}
