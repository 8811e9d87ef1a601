/**
 * API authentication: every route of the app, enumerated from the app itself (a route added later is
 * covered without editing this file), refuses a request without a token and with a wrong one -- wrong
 * tokens of the same length as a configured one included -- and accepts each configured token.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import { summarize } from '../../src/scan/runner.js';
import type { RunningService } from '../../src/serve.js';
import { startService } from '../../src/serve.js';

import { ALPHA, BRAVO, WRONG_TOKENS } from './tokens.js';

/** Routes anyone may call: liveness and readiness probes only. */
const PUBLIC = new Set(['/healthz', '/readyz']);
const UNKNOWN_SCAN = '00000000-0000-4000-8000-000000000000';

/** Every wrong way to present credentials, as request headers. */
const REFUSED_HEADERS: [string, Record<string, string>][] = [
  ['no Authorization header', {}],
  ...WRONG_TOKENS.map(([name, token]): [string, Record<string, string>] => [
    `wrong token (${name})`,
    { authorization: `Bearer ${token}` },
  ]),
  ['a valid token without the Bearer scheme', { authorization: ALPHA }],
  ['a valid token with the Basic scheme', { authorization: `Basic ${ALPHA}` }],
  ['an empty bearer token', { authorization: 'Bearer ' }],
];

interface Route {
  method: string;
  url: string;
}

/**
 * The app's routes, read from Fastify's own route tree (`printRoutes`), with a concrete URL for each:
 * `:id` becomes an unknown scan id, a wildcard a file name.
 */
function routesOf(tree: string): Route[] {
  const routes: Route[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│├└─ ]*)(\S.*?) \(([A-Z, ]+)\)$/.exec(line);
    if (match === null) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const segment = match[2]!.startsWith('/') ? match[2]! : `/${match[2]!}`;
    stack.push(segment);
    const path = stack.join('');
    const url = path.replaceAll(':id', UNKNOWN_SCAN).replace(/\/\*$/, '/some-file.js');
    for (const method of match[3]!.split(',').map((m) => m.trim())) routes.push({ method, url });
  }
  return routes;
}

let running: RunningService;
let routes: Route[];
let scansStarted = 0;

beforeAll(async () => {
  running = await startService({
    loaded: parseConfig({
      api: { tokens: [ALPHA, BRAVO], rateLimitPerMinute: 100_000 },
      store: { dataDir: mkdtempSync(join(tmpdir(), 'kw-auth-')) },
    }),
    logger: silentLogger(),
    // A scan that starts and completes at once: what is under test is who may start it.
    execute: (request) => {
      scansStarted++;
      const summary = summarize(request.scanId, new Date(), false, 0, [], []);
      return Promise.resolve({
        summary: { ...summary, state: 'completed', finishedAt: new Date().toISOString() },
        units: [],
      });
    },
  });
  routes = routesOf(running.app.printRoutes({ commonPrefix: false }));
});
afterAll(async () => {
  await running.shutdown();
});

const request = (route: Route, headers: Record<string, string>) =>
  running.app.inject({
    method: route.method as InjectOptions['method'],
    url: route.url,
    headers: route.method === 'POST' ? { ...headers, 'content-type': 'application/json' } : headers,
    ...(route.method === 'POST' ? { payload: '{}' } : {}),
  });

describe('the route list read from the app', () => {
  it('holds every route the API documents, and the probes', () => {
    const listed = new Set(routes.map((r) => `${r.method} ${r.url}`));
    for (const expected of [
      'POST /v1/scans',
      'GET /v1/scans',
      `GET /v1/scans/${UNKNOWN_SCAN}`,
      `POST /v1/scans/${UNKNOWN_SCAN}/cancel`,
      `GET /v1/scans/${UNKNOWN_SCAN}/findings`,
      'GET /v1/controls',
      'GET /v1/schedule',
      'GET /v1/events/status',
      'GET /metrics',
      'GET /docs/json',
      'GET /healthz',
      'GET /readyz',
    ])
      expect(listed, expected).toContain(expected);
  });
});

describe('every route but the probes refuses a request without a valid token', () => {
  it.each(REFUSED_HEADERS)('%s: 401 with a Bearer challenge, and no scan started', async (_name, headers) => {
    const protectedRoutes = routes.filter((r) => !PUBLIC.has(r.url));
    expect(protectedRoutes.length).toBeGreaterThanOrEqual(10);
    for (const route of protectedRoutes) {
      const response = await request(route, headers);
      expect(response.statusCode, `${route.method} ${route.url}`).toBe(401);
      expect(response.headers['www-authenticate'], `${route.method} ${route.url}`).toBe('Bearer');
      if (route.method !== 'HEAD')
        expect(response.json(), `${route.method} ${route.url}`).toMatchObject({ error: 'Unauthorized' });
    }
    expect(scansStarted).toBe(0);
  });

  it('serves the probes without a token', async () => {
    for (const route of routes.filter((r) => PUBLIC.has(r.url)))
      expect((await request(route, {})).statusCode, `${route.method} ${route.url}`).toBe(200);
  });

  it('a query string does not make a route public', async () => {
    expect((await running.app.inject({ url: '/v1/controls?/healthz' })).statusCode).toBe(401);
    expect((await running.app.inject({ url: '/metrics?x=/readyz' })).statusCode).toBe(401);
  });
});

describe('each configured token is accepted on every route', () => {
  it.each([
    ['the first token', ALPHA],
    ['the second token', BRAVO],
  ])('%s', async (_name, token) => {
    for (const route of routes) {
      const response = await request(route, { authorization: `Bearer ${token}` });
      expect(response.statusCode, `${route.method} ${route.url}`).not.toBe(401);
      expect(response.statusCode, `${route.method} ${route.url}`).toBeLessThan(500);
    }
  });

  it('a valid token reaches the handler: the scan starts, the unknown scan is 404', async () => {
    const auth = { authorization: `Bearer ${ALPHA}` };
    const before = scansStarted;
    const started = await running.app.inject({
      method: 'POST',
      url: '/v1/scans',
      headers: auth,
      payload: {},
    });
    expect(started.statusCode).toBe(202);
    expect(scansStarted).toBeGreaterThan(before);
    const missing = await running.app.inject({ url: `/v1/scans/${UNKNOWN_SCAN}`, headers: auth });
    expect(missing.statusCode).toBe(404);
  });
});
