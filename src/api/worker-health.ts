/**
 * A worker's own small HTTP endpoint, on the API port (so the image's health check works for workers
 * too): /healthz (alive), /readyz (Redis connected and taking jobs) and /metrics (the units and scans this
 * worker ran; behind the API tokens, and absent when none are configured).
 */
import helmet from '@fastify/helmet';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { bearerToken, tokenMatcher } from './auth.js';
import type { ServiceMetrics } from '../scan/metrics.js';

export interface WorkerHealthOptions {
  ready: () => boolean;
  metrics: ServiceMetrics;
  tokens: readonly string[];
}

export async function buildWorkerHealth(options: WorkerHealthOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 1024 });
  await app.register(helmet, { contentSecurityPolicy: false });
  const matches = tokenMatcher(options.tokens);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) =>
    options.ready() ? { status: 'ready' } : reply.code(503).send({ status: 'not ready' }),
  );
  if (options.tokens.length > 0) {
    app.get('/metrics', async (request, reply) => {
      if (!matches(bearerToken(request.headers.authorization)))
        return reply.code(401).header('www-authenticate', 'Bearer').send({
          error: 'Unauthorized',
          message: 'a valid bearer token is required',
          statusCode: 401,
        });
      return reply
        .header('content-type', options.metrics.registry.contentType)
        .send(await options.metrics.registry.metrics());
    });
  }
  return app;
}
