/**
 * A real Redis for the distributed mode's tests: redis-server (Debian's package) on a free port, or the
 * running Redis named by KEYWARDEN_TEST_REDIS_URL (see redis-plan.ts for which, and when tests skip).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { MISSING_IN_CI, redisPlan } from './redis-plan.js';

export { redisSkipped } from './redis-plan.js';
import { waitFor } from './wait.js';

export interface RunningRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Each caller gets a database of its own (1-15, taken in turn through a counter in database 0) and
 * finds it empty, so test files running at once do not see each other's keys.
 */
async function useExternalRedis(url: string): Promise<RunningRedis> {
  const base = new URL(url);
  const admin = new Redis(url, { maxRetriesPerRequest: 1, db: 0 });
  try {
    const db = 1 + ((await admin.incr('keywarden-test:next-db')) % 15);
    await admin.select(db);
    await admin.flushdb();
    base.pathname = `/${db}`;
    return { url: base.toString(), port: Number(base.port || 6379), stop: async () => undefined };
  } finally {
    admin.disconnect();
  }
}

export async function startRedis(): Promise<RunningRedis> {
  const plan = redisPlan();
  if (plan.kind === 'url') return useExternalRedis(plan.url);
  if (plan.kind === 'missing') throw new Error(MISSING_IN_CI);
  const port = await freePort();
  const child: ChildProcess = spawn(
    plan.command,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}); is it installed?`))),
  );
  const url = `redis://127.0.0.1:${port}`;
  const ready = waitFor(
    'redis-server to answer PING',
    async () => {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } finally {
        probe.disconnect();
      }
    },
    { timeoutMs: 10_000, intervalMs: 50 },
  );
  await Promise.race([ready, exited]);
  exited.catch(() => undefined);
  return {
    url,
    port,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
