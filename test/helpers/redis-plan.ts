/**
 * Where the tests that need a real Redis get one, decided once from the environment:
 * KEYWARDEN_TEST_REDIS_URL (a running Redis), else `redis-server` on the PATH (started per test file),
 * else nowhere: those tests are skipped on a developer's machine, and fail under CI=true.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export type RedisPlan =
  { kind: 'url'; url: string } | { kind: 'spawn'; command: string } | { kind: 'missing'; required: boolean };

/** The first executable `redis-server` on the given PATH, if any. */
export function findOnPath(command: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export function redisPlan(env: NodeJS.ProcessEnv = process.env): RedisPlan {
  const url = env['KEYWARDEN_TEST_REDIS_URL'];
  if (url) return { kind: 'url', url };
  const command = findOnPath('redis-server', env['PATH']);
  if (command) return { kind: 'spawn', command };
  return { kind: 'missing', required: env['CI'] === 'true' || env['CI'] === '1' };
}

export const SKIP_LINE =
  'keywarden tests: SKIPPED the tests that need Redis (distributed mode, Redis store, scale-out secrets check): ' +
  'redis-server is not on the PATH. Enable them with `sudo apt-get install redis-server`, or set ' +
  'KEYWARDEN_TEST_REDIS_URL=redis://host:port to a running Redis (CI=true makes a missing Redis a failure).';

export const MISSING_IN_CI =
  'keywarden tests: CI=true but no Redis: install redis-server (apt-get install redis-server) or set ' +
  'KEYWARDEN_TEST_REDIS_URL; the distributed tests are never skipped in CI.';

const plan = redisPlan();

/** True when the Redis tests are to be skipped (no Redis and not in CI). */
export const redisSkipped = plan.kind === 'missing' && !plan.required;
