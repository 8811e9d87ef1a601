import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { RedisScanStore } from '../../src/store/redis.js';
import type { RunningRedis } from '../helpers/redis.js';
import { startRedis } from '../helpers/redis.js';
import { describeStoreContract } from './contract.js';

let server: RunningRedis;
const connections: Redis[] = [];
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await Promise.all(connections.map((c) => c.quit()));
  await server?.stop();
});

// Each test its own key space on one real redis-server (the store does not own its connection).
describeStoreContract('Redis (a real redis-server)', async () => {
  const redis = new Redis(server.url);
  connections.push(redis);
  return new RedisScanStore(redis, `contract${connections.length}`);
});
