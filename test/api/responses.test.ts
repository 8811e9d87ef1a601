import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { parseConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import type { RunningService } from '../../src/serve.js';
import { startService } from '../../src/serve.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { DEFAULT_EXTERNAL_ID } from '../../src/simulator/index.js';
import { waitFor } from '../helpers/wait.js';
import { startAws } from '../integration/harness.js';

const TOKEN = 'responses-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };
let aws: RunningSimulator;
let running: RunningService;

const config = (dataDir: string, rateLimitPerMinute: number) =>
  parseConfig({
    memberRole: { externalId: DEFAULT_EXTERNAL_ID },
    aws: { maxAttempts: 3, retryMode: 'standard', requestTimeoutMs: 5000 },
    api: { tokens: [TOKEN], rateLimitPerMinute, bodyLimitBytes: 2048 },
    store: { dataDir },
  });

beforeAll(async () => {
  aws = await startAws({ organization: { accounts: 2, regions: ['us-east-1', 'eu-west-1'] } });
  running = await startService({
    loaded: config(mkdtempSync(join(tmpdir(), 'kw-responses-')), 1000),
    logger: silentLogger(),
  });
});
afterAll(async () => {
  await running.shutdown();
  await aws.stop();
});

const ERROR_KEYS = ['error', 'message', 'statusCode'];

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: { required?: string[] } }> }>;
}

describe('the OpenAPI document declares every response of every route', () => {
  // What each route can answer, written from the routes' contracts (not read from the app).
  const AUTHENTICATED = ['401', '429', '500'];
  const expected: Record<string, string[]> = {
    'post /v1/scans': ['202', '400', '409', '413', ...AUTHENTICATED],
    'get /v1/scans': ['200', '400', ...AUTHENTICATED],
    'get /v1/scans/{id}': ['200', '400', '404', ...AUTHENTICATED],
    'post /v1/scans/{id}/cancel': ['202', '400', '404', '409', ...AUTHENTICATED],
    'get /v1/scans/{id}/findings': ['200', '400', '404', ...AUTHENTICATED],
    'get /v1/controls': ['200', ...AUTHENTICATED],
    'get /v1/schedule': ['200', ...AUTHENTICATED],
    'get /v1/events/status': ['200', ...AUTHENTICATED],
    'get /metrics': ['200', ...AUTHENTICATED],
    'get /healthz': ['200', '429', '500'],
    'get /readyz': ['200', '429', '500', '503'],
  };

  it('lists each route with its status codes, and every error response has the one error shape', async () => {
    const openapi = (await running.app.inject({ url: '/docs/json', headers: auth })).json() as {
      paths: Record<string, Record<string, Operation>>;
    };
    const documented: Record<string, string[]> = {};
    for (const [path, operations] of Object.entries(openapi.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        documented[`${method} ${path}`] = Object.keys(operation.responses).sort();
        for (const [status, response] of Object.entries(operation.responses)) {
          expect(response.content, `${method} ${path} ${status}`).toBeDefined();
          if (status === '503' || Number(status) < 400) continue;
          const schema = response.content!['application/json']!.schema;
          expect(schema.required, `${method} ${path} ${status}`).toEqual(expect.arrayContaining(ERROR_KEYS));
        }
      }
    }
    expect(documented).toEqual(Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, v.sort()])));
  });
});

describe('every error body has the one shape, whoever raised it', () => {
  const post = (payload: string, headers: Record<string, string> = {}) =>
    running.app.inject({
      method: 'POST',
      url: '/v1/scans',
      headers: { ...auth, 'content-type': 'application/json', ...headers },
      payload,
    });
  const unknownScan = '00000000-0000-4000-8000-000000000000';

  it.each([
    ['the auth hook', () => running.app.inject({ url: '/v1/controls' }), 401, 'Unauthorized'],
    ['body validation', () => post('{"colour":"red"}'), 400, 'Bad Request'],
    ['invalid JSON', () => post('{"accounts":'), 400, 'Bad Request'],
    ['an unknown region (route check)', () => post('{"regions":["xx-nowhere-1"]}'), 400, 'Bad Request'],
    [
      'a forged page token (store)',
      () => running.app.inject({ url: '/v1/scans?nextToken=zz', headers: auth }),
      400,
      'Bad Request',
    ],
    [
      'an oversize body',
      () => post(JSON.stringify({ accounts: Array(200).fill('111122223333') })),
      413,
      'Payload Too Large',
    ],
    ['an unknown route', () => running.app.inject({ url: '/v1/nothing', headers: auth }), 404, 'Not Found'],
    [
      'an unknown scan',
      () => running.app.inject({ url: `/v1/scans/${unknownScan}`, headers: auth }),
      404,
      'Not Found',
    ],
    [
      'cancelling an unknown scan',
      () => running.app.inject({ method: 'POST', url: `/v1/scans/${unknownScan}/cancel`, headers: auth }),
      404,
      'Not Found',
    ],
  ])('%s', async (_name, send, status, error) => {
    const response = await send();
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = response.json();
    expect(Object.keys(body).sort()).toEqual(ERROR_KEYS);
    expect(body).toMatchObject({ error, statusCode: status });
    expect(body.message).toEqual(expect.any(String));
  });

  it('the rate limiter', async () => {
    const limited = await startService({
      loaded: config(mkdtempSync(join(tmpdir(), 'kw-responses-rl-')), 1),
      logger: silentLogger(),
    });
    try {
      expect((await limited.app.inject({ url: '/v1/controls', headers: auth })).statusCode).toBe(200);
      const response = await limited.app.inject({ url: '/v1/controls', headers: auth });
      expect(response.statusCode).toBe(429);
      const body = response.json();
      expect(Object.keys(body).sort()).toEqual(ERROR_KEYS);
      expect(body).toMatchObject({ error: 'Too Many Requests', statusCode: 429 });
    } finally {
      await limited.shutdown();
    }
  });
});

describe('response schemas keep every field the store returns', () => {
  it('a finished scan, its units, its findings, the scan list and the catalog are served whole', async () => {
    const started = await running.app.inject({
      method: 'POST',
      url: '/v1/scans',
      headers: auth,
      payload: { regions: ['us-east-1'], controls: ['KMS.3', 'KMS.4'] },
    });
    expect(started.statusCode).toBe(202);
    const { id } = started.json();
    expect(Object.keys(started.json()).sort()).toEqual(['id', 'location', 'state']);
    const scan = await waitFor(
      `scan ${id} to finish`,
      async () => {
        const body = (await running.app.inject({ url: `/v1/scans/${id}`, headers: auth })).json();
        return body.state !== 'running' && body;
      },
      { timeoutMs: 30_000 },
    );
    const stored = await running.store.getScan(id);
    expect(stored?.summary?.apiCalls).not.toEqual({});
    expect(scan).toEqual({ ...stored, units: await running.store.listUnits(id) });

    const findings = (
      await running.app.inject({ url: `/v1/scans/${id}/findings?limit=3`, headers: auth })
    ).json();
    expect(findings.items).toHaveLength(3);
    expect(findings).toEqual(await running.store.listFindings(id, { limit: 3 }));

    const scans = (await running.app.inject({ url: '/v1/scans?limit=1', headers: auth })).json();
    expect(scans).toEqual(await running.store.listScans({ limit: 1 }));

    const controls = (await running.app.inject({ url: '/v1/controls', headers: auth })).json();
    expect(controls).toEqual({ controls: loadCatalog().controls });
  });

  it('the 409 for a scope that is running carries the running scan id, and a finished scan cannot be cancelled', async () => {
    aws.faults.latencyMs = 30;
    try {
      const first = await running.app.inject({
        method: 'POST',
        url: '/v1/scans',
        headers: auth,
        payload: { controls: ['KMS.1'] },
      });
      expect(first.statusCode).toBe(202);
      const { id } = first.json();
      const again = await running.app.inject({
        method: 'POST',
        url: '/v1/scans',
        headers: auth,
        payload: { controls: ['KMS.1'] },
      });
      expect(again.statusCode).toBe(409);
      expect(again.json()).toEqual({
        error: 'Conflict',
        message: expect.stringContaining(id),
        statusCode: 409,
        scanId: id,
      });
      const cancel = await running.app.inject({
        method: 'POST',
        url: `/v1/scans/${id}/cancel`,
        headers: auth,
      });
      expect(cancel.statusCode).toBe(202);
      expect(cancel.json()).toEqual({ id, state: 'cancelling' });
      const state: string = await waitFor(
        `scan ${id} to stop`,
        async () => {
          const now = (await running.app.inject({ url: `/v1/scans/${id}`, headers: auth })).json().state;
          return now !== 'running' && now;
        },
        { timeoutMs: 30_000 },
      );
      const late = await running.app.inject({ method: 'POST', url: `/v1/scans/${id}/cancel`, headers: auth });
      expect(late.statusCode).toBe(409);
      expect(late.json()).toEqual({
        error: 'Conflict',
        message: expect.stringContaining(state),
        statusCode: 409,
      });
    } finally {
      aws.faults.latencyMs = 0;
    }
  });
});
