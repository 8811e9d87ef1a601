/**
 * The Fastify app factory (separate from the process, so tests use `inject`): scans, findings, the
 * control catalog, health, readiness, metrics and the OpenAPI document, all but health behind a token.
 */
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Catalog } from '../catalog/index.js';
import type { ServiceMetrics } from '../service/metrics.js';
import type { ScanControl } from '../service/scan-service.js';
import type { OutsideScope } from '../scan/scope.js';
import type { ScanScope, ScanStore } from '../store/types.js';
import { bearerToken, tokenMatcher } from './auth.js';
import type { FindingsQuery, PageQuery, ScanIdParams } from './schemas.js';
import {
  FindingsQuery as FindingsQuerySchema,
  PageQuery as PageQuerySchema,
  ScanIdParams as ScanIdSchema,
  StartScanBody,
} from './schemas.js';

export interface ApiOptions {
  service: ScanControl;
  store: ScanStore;
  catalog: Catalog;
  metrics: ServiceMetrics;
  tokens: readonly string[];
  rateLimitPerMinute: number;
  bodyLimitBytes: number;
  isKnownRegion: (region: string) => boolean;
  /** Why a requested scope is refused: it names accounts, regions or controls outside the configured scope. */
  checkScope: (scope: ScanScope) => { message: string; outside: OutsideScope } | undefined;
  /** Next scheduled runs (ISO times), for GET /v1/schedule. */
  schedule: () => { crons: string[]; nextRuns: string[] };
  ready: () => boolean | Promise<boolean>;
  logger?: Logger;
}

const PUBLIC_ROUTES = new Set(['/healthz', '/readyz']);

export async function buildApp(options: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is what Fastify logs with; its type is wider than FastifyBaseLogger's.
    loggerInstance: options.logger as FastifyBaseLogger | undefined,
    bodyLimit: options.bodyLimitBytes,
    // Reject unknown fields instead of silently dropping them.
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 100 },
  });
  const matches = tokenMatcher(options.tokens);

  await app.register(helmet, { contentSecurityPolicy: false });
  await app.register(rateLimit, { max: options.rateLimitPerMinute, timeWindow: 60_000 });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'keywarden',
        version: '0.1.0',
        description: 'AWS Security Hub KMS controls across an organization',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.addHook('onRequest', async (request, reply) => {
    if (PUBLIC_ROUTES.has(request.url.split('?')[0]!)) return;
    if (!matches(bearerToken(request.headers.authorization))) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({
        error: 'Unauthorized',
        message: 'a valid bearer token is required',
        statusCode: 401,
      });
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      return reply.code(400).send({ error: 'Bad Request', message: error.message, statusCode: 400 });
    }
    // The store rejects a forged page token with a RangeError (Fastify's own errors carry a statusCode).
    if (error instanceof RangeError && error.statusCode === undefined) {
      return reply.code(400).send({ error: 'Bad Request', message: error.message, statusCode: 400 });
    }
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      request.log.error({ err: error }, 'request failed');
      return reply
        .code(500)
        .send({ error: 'Internal Server Error', message: 'internal error', statusCode: 500 });
    }
    return reply
      .code(status)
      .send({ error: error.name || 'Error', message: error.message, statusCode: status });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: 'Not Found',
      message: `no route ${request.method} ${request.url.slice(0, 100)}`,
      statusCode: 404,
    }),
  );

  app.post(
    '/v1/scans',
    {
      schema: {
        description: 'Start a scan (202), unless one with the same scope is running (409)',
        body: StartScanBody,
      },
    },
    async (request, reply) => {
      const body = request.body as StartScanBody;
      const unknown = body.regions?.filter((r) => !options.isKnownRegion(r)) ?? [];
      if (unknown.length > 0) {
        return reply
          .code(400)
          .send({ error: 'Bad Request', message: `unknown regions: ${unknown.join(', ')}`, statusCode: 400 });
      }
      const scope: ScanScope = {
        ...(body.accounts ? { accounts: body.accounts } : {}),
        ...(body.regions ? { regions: body.regions } : {}),
        ...(body.controls ? { controls: body.controls } : {}),
        ...(body.dryRun !== undefined ? { dryRun: body.dryRun } : {}),
      };
      // A request may only narrow the configured scope.
      const refused = options.checkScope(scope);
      if (refused !== undefined) {
        return reply.code(400).send({
          error: 'Bad Request',
          message: refused.message,
          statusCode: 400,
          outside: refused.outside,
        });
      }
      const result = await options.service.start(scope, 'api');
      if (!result.started) {
        return reply.code(409).send({
          error: 'Conflict',
          message: `a scan with the same scope is running: ${result.runningScanId}`,
          statusCode: 409,
          scanId: result.runningScanId,
        });
      }
      const location = `/v1/scans/${result.scan.id}`;
      return reply
        .code(202)
        .header('location', location)
        .send({ id: result.scan.id, state: result.scan.state, location });
    },
  );

  app.get(
    '/v1/scans',
    { schema: { description: 'Scans, newest first', querystring: PageQuerySchema } },
    async (request) => {
      const query = request.query as PageQuery;
      return options.store.listScans({
        limit: query.limit ?? 20,
        ...(query.nextToken ? { nextToken: query.nextToken } : {}),
      });
    },
  );

  app.get(
    '/v1/scans/:id',
    { schema: { description: 'A scan: state, progress, summary, errors per unit', params: ScanIdSchema } },
    async (request, reply) => {
      const { id } = request.params as ScanIdParams;
      const scan = await options.store.getScan(id);
      if (scan === undefined)
        return reply.code(404).send({ error: 'Not Found', message: 'no such scan', statusCode: 404 });
      const units = await options.store.listUnits(id);
      return { ...scan, units };
    },
  );

  app.post(
    '/v1/scans/:id/cancel',
    { schema: { description: 'Cancel a running scan', params: ScanIdSchema } },
    async (request, reply) => {
      const { id } = request.params as ScanIdParams;
      if (await options.service.cancel(id)) return reply.code(202).send({ id, state: 'cancelling' });
      const scan = await options.store.getScan(id);
      if (scan === undefined)
        return reply.code(404).send({ error: 'Not Found', message: 'no such scan', statusCode: 404 });
      return reply
        .code(409)
        .send({ error: 'Conflict', message: `the scan is not running (${scan.state})`, statusCode: 409 });
    },
  );

  app.get(
    '/v1/scans/:id/findings',
    {
      schema: {
        description: 'Findings a scan produced',
        params: ScanIdSchema,
        querystring: FindingsQuerySchema,
      },
    },
    async (request, reply) => {
      const { id } = request.params as ScanIdParams;
      const query = request.query as FindingsQuery;
      if ((await options.store.getScan(id)) === undefined) {
        return reply.code(404).send({ error: 'Not Found', message: 'no such scan', statusCode: 404 });
      }
      return options.store.listFindings(id, {
        limit: query.limit ?? 50,
        ...(query.nextToken ? { nextToken: query.nextToken } : {}),
        ...(query.control ? { controlId: query.control } : {}),
        ...(query.status ? { status: query.status } : {}),
      });
    },
  );

  app.get('/v1/controls', { schema: { description: 'The control catalog' } }, async () => ({
    controls: options.catalog.controls,
  }));
  app.get('/v1/schedule', { schema: { description: 'Scheduled scans and their next runs' } }, async () =>
    options.schedule(),
  );
  app.get('/healthz', { schema: { description: 'Liveness', security: [] } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { description: 'Readiness', security: [] } }, async (_request, reply) =>
    (await options.ready()) ? { status: 'ready' } : reply.code(503).send({ status: 'not ready' }),
  );
  app.get('/metrics', { schema: { description: 'Prometheus metrics' } }, async (_request, reply) =>
    reply
      .header('content-type', options.metrics.registry.contentType)
      .send(await options.metrics.registry.metrics()),
  );
  return app;
}
