/**
 * The distributed duplicate check keys the resolved scope too: with `import.dryRun: true`, `{}` and
 * `{"dryRun":true}` claim the same scope in Redis, across replicas. No worker runs, so queued scans stay
 * running for as long as the test needs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningRedis } from '../helpers/redis.js';
import { redisSkipped, startRedis } from '../helpers/redis.js';
import type { RunningService } from '../../src/service/server.js';
import { API_TOKEN, distributedConfig, startReplica } from './harness.js';

describe.skipIf(redisSkipped)('409 for the same resolved scope across bullmq replicas', () => {
  let redis: RunningRedis;
  let one: RunningService;
  let two: RunningService;
  const start = (replica: RunningService, payload: Record<string, unknown>) =>
    replica.app.inject({
      method: 'POST',
      url: '/v1/scans',
      headers: { authorization: `Bearer ${API_TOKEN}` },
      payload,
    });

  beforeAll(async () => {
    redis = await startRedis();
    const config = distributedConfig(redis.url, { import: { dryRun: true } });
    one = await startReplica(config);
    two = await startReplica(config);
  }, 60_000);
  afterAll(async () => {
    await one?.shutdown();
    await two?.shutdown();
    await redis?.stop();
  });

  it('{} and {"dryRun":true} conflict; {"dryRun":false} does not', async () => {
    const first = await start(one, {});
    expect(first.statusCode).toBe(202);
    const again = await start(two, { dryRun: true });
    expect(again.statusCode).toBe(409);
    expect(again.json().scanId).toBe(first.json().id);
    const importing = await start(two, { dryRun: false });
    expect(importing.statusCode).toBe(202);
    expect((await start(one, { dryRun: false })).json()).toMatchObject({ scanId: importing.json().id });
  });
});
