/**
 * The Fastify app factory (separate from the process, so tests use `inject`): scans, findings, the
 * control catalog, health, readiness, metrics and the OpenAPI document, all but health behind a token.
 */
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Catalog } from '../catalog/index.js';
import type { ServiceMetrics } from '../scan/metrics.js';
import type { ScanControl } from '../scan/control.js';
import { parseScanScope, ScanScopeSchema } from '../model/scope.js';
import { ScopeError } from '../scan/scope.js';
import type { ScanStore } from '../store/types.js';
import { bearerToken, tokenMatcher } from './auth.js';
import { errorBody } from './errors.js';
import {
  COMMON_ERRORS,
  CancelAccepted,
  ConflictErrorBody,
  ControlsResponse,
  FindingPage,
  HealthResponse,
  MetricsResponse,
  NotReadyResponse,
  ReadyResponse,
  ScanAccepted,
  ScanPage,
  ScanWithUnitsResponse,
  ScheduleResponse,
  ScopeErrorBody,
} from './responses.js';
import { ErrorBody, EventsStatusResponse, FindingsQuery, PageQuery, ScanIdParams } from './schemas.js';

export interface ApiOptions {
  service: ScanControl;
  store: ScanStore;
  catalog: Catalog;
  metrics: ServiceMetrics;
  tokens: readonly string[];
  rateLimitPerMinute: number;
  bodyLimitBytes: number;
  /** Next scheduled runs (ISO times), for GET /v1/schedule. */
  schedule: () => { crons: string[]; nextRuns: string[] };
  ready: () => boolean | Promise<boolean>;
  /** The change-event consumer's status (absent: events are not configured). */
  events?: () => EventsStatusResponse;
  logger?: Logger;
}

const EVENTS_DISABLED: EventsStatusResponse = {
  enabled: false,
  state: 'disabled',
  held: 0,
  pending: 0,
  inFlight: 0,
  counters: {
    received: 0,
    coalesced: 0,
    evaluated: 0,
    failed: 0,
    ignored: {},
    deadLettered: 0,
    deleted: 0,
    outcomes: { evaluated: 0, gone: 0, skipped: 0, failed: 0 },
  },
};

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
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send(errorBody(401, 'a valid bearer token is required'));
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    // The store rejects a forged page token with a RangeError (Fastify's own errors carry a statusCode).
    if (error.validation || (error instanceof RangeError && error.statusCode === undefined)) {
      return reply.code(400).send(errorBody(400, error.message));
    }
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send(errorBody(500, 'internal error'));
    }
    return reply.code(status).send(errorBody(status, error.message));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody(404, `no route ${request.method} ${request.url.slice(0, 100)}`)),
  );

  // Routes get their params, query and body types from the TypeBox schemas, and each reply is checked
  // against the response schema of its status code.
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const badRequest = { ...ErrorBody, description: 'invalid parameters' };
  const noSuchScan = { ...ErrorBody, description: 'no such scan' };

  api.post(
    '/v1/scans',
    {
      schema: {
        description: 'Start a scan (202), unless one with the same resolved scope is running (409)',
        body: ScanScopeSchema,
        response: {
          202: { ...ScanAccepted, description: 'the scan started; its URL is in Location' },
          400: {
            ...ScopeErrorBody,
            description: 'invalid body, unknown region, or a scope outside the configured one (`outside`)',
          },
          409: { ...ConflictErrorBody, description: 'a scan with the same scope is running (`scanId`)' },
          413: { ...ErrorBody, description: 'body too large' },
          ...COMMON_ERRORS,
        },
      },
      // The scope contract checks the body itself: the same message as for the CLI's flags or a queued job.
      validatorCompiler: () => (data: unknown) => {
        try {
          return { value: parseScanScope(data) };
        } catch (error) {
          return { error: error as Error };
        }
      },
    },
    async (request, reply) => {
      let result;
      try {
        result = await options.service.start(request.body, 'api');
      } catch (error) {
        // A request may only narrow the configured scope.
        if (!(error instanceof ScopeError)) throw error;
        return reply.code(400).send(errorBody(400, error.message, { outside: error.outside }));
      }
      if (!result.started) {
        return reply.code(409).send(
          errorBody(409, `a scan with the same scope is running: ${result.runningScanId}`, {
            scanId: result.runningScanId,
          }),
        );
      }
      const location = `/v1/scans/${result.scan.id}`;
      return reply
        .code(202)
        .header('location', location)
        .send({ id: result.scan.id, state: result.scan.state, location });
    },
  );

  api.get(
    '/v1/scans',
    {
      schema: {
        description: 'Scans, newest first',
        querystring: PageQuery,
        response: { 200: { ...ScanPage, description: 'a page of scans' }, 400: badRequest, ...COMMON_ERRORS },
      },
    },
    async (request) =>
      options.store.listScans({
        limit: request.query.limit ?? 20,
        ...(request.query.nextToken ? { nextToken: request.query.nextToken } : {}),
      }),
  );

  api.get(
    '/v1/scans/:id',
    {
      schema: {
        description: 'A scan: state, progress, summary, errors per unit',
        params: ScanIdParams,
        response: {
          200: { ...ScanWithUnitsResponse, description: 'the scan and its units' },
          400: badRequest,
          404: noSuchScan,
          ...COMMON_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const scan = await options.store.getScan(id);
      if (scan === undefined) return reply.code(404).send(errorBody(404, 'no such scan'));
      const units = await options.store.listUnits(id);
      return { ...scan, units };
    },
  );

  api.post(
    '/v1/scans/:id/cancel',
    {
      schema: {
        description: 'Cancel a running scan',
        params: ScanIdParams,
        response: {
          202: { ...CancelAccepted, description: 'the scan is being cancelled' },
          400: badRequest,
          404: noSuchScan,
          409: { ...ErrorBody, description: 'the scan is not running' },
          ...COMMON_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (await options.service.cancel(id)) return reply.code(202).send({ id, state: 'cancelling' });
      const scan = await options.store.getScan(id);
      if (scan === undefined) return reply.code(404).send(errorBody(404, 'no such scan'));
      return reply.code(409).send(errorBody(409, `the scan is not running (${scan.state})`));
    },
  );

  api.get(
    '/v1/scans/:id/findings',
    {
      schema: {
        description: 'Findings a scan produced',
        params: ScanIdParams,
        querystring: FindingsQuery,
        response: {
          200: { ...FindingPage, description: 'a page of findings' },
          400: badRequest,
          404: noSuchScan,
          ...COMMON_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { query } = request;
      if ((await options.store.getScan(id)) === undefined) {
        return reply.code(404).send(errorBody(404, 'no such scan'));
      }
      return options.store.listFindings(id, {
        limit: query.limit ?? 50,
        ...(query.nextToken ? { nextToken: query.nextToken } : {}),
        ...(query.control ? { controlId: query.control } : {}),
        ...(query.status ? { status: query.status } : {}),
      });
    },
  );

  api.get(
    '/v1/controls',
    {
      schema: {
        description: 'The control catalog',
        response: {
          200: { ...ControlsResponse, description: 'the controls keywarden checks' },
          ...COMMON_ERRORS,
        },
      },
    },
    async () => ({ controls: [...options.catalog.controls] }),
  );
  api.get(
    '/v1/schedule',
    {
      schema: {
        description: 'Scheduled scans and their next runs',
        response: {
          200: { ...ScheduleResponse, description: 'cron expressions and next run times' },
          ...COMMON_ERRORS,
        },
      },
    },
    async () => options.schedule(),
  );
  api.get(
    '/v1/events/status',
    {
      schema: {
        description: 'The change-event consumer: state, messages held, evaluations, counters',
        response: {
          200: {
            ...EventsStatusResponse,
            description: 'the consumer (enabled: false without events.queueUrl)',
          },
          ...COMMON_ERRORS,
        },
      },
    },
    async () => options.events?.() ?? EVENTS_DISABLED,
  );
  const PUBLIC_ERRORS = { 429: COMMON_ERRORS[429], 500: COMMON_ERRORS[500] };
  api.get(
    '/healthz',
    {
      schema: {
        description: 'Liveness',
        security: [],
        response: { 200: { ...HealthResponse, description: 'the process is up' }, ...PUBLIC_ERRORS },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  api.get(
    '/readyz',
    {
      schema: {
        description: 'Readiness',
        security: [],
        response: {
          200: { ...ReadyResponse, description: 'ready to serve' },
          503: {
            ...NotReadyResponse,
            description: 'shutting down, or (distributed mode) Redis is not connected',
          },
          ...PUBLIC_ERRORS,
        },
      },
    },
    async (_request, reply) =>
      (await options.ready()) ? { status: 'ready' as const } : reply.code(503).send({ status: 'not ready' }),
  );
  api.get(
    '/metrics',
    {
      schema: {
        description: 'Prometheus metrics',
        response: {
          200: { description: 'Prometheus metrics', content: { 'text/plain': { schema: MetricsResponse } } },
          ...COMMON_ERRORS,
        },
      },
    },
    async (_request, reply) =>
      reply
        .header('content-type', options.metrics.registry.contentType)
        .send(await options.metrics.registry.metrics()),
  );
  return app;
}
