import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import type { RunningService } from '../../src/serve.js';
import { startService } from '../../src/serve.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { DEFAULT_EXTERNAL_ID } from '../../src/simulator/index.js';
import { startAws } from '../integration/harness.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = 'test-token-0123456789abcdef';
let aws: RunningSimulator;
let running: RunningService;
const auth = { authorization: `Bearer ${TOKEN}` };

function loaded(dataDir: string, extra: Record<string, unknown> = {}) {
  return parseConfig({
    memberRole: { externalId: DEFAULT_EXTERNAL_ID },
    aws: { maxAttempts: 3, retryMode: 'standard', requestTimeoutMs: 5000 },
    api: { tokens: [TOKEN], rateLimitPerMinute: 1000, bodyLimitBytes: 2048 },
    store: { dataDir },
    shutdownGraceSeconds: 5,
    ...extra,
  });
}

function waitForScan(id: string, states = ['completed', 'completed_with_errors', 'cancelled', 'failed']) {
  return waitFor(
    `scan ${id} to end`,
    async () => {
      const response = await running.app.inject({ method: 'GET', url: `/v1/scans/${id}`, headers: auth });
      const body = response.json();
      return states.includes(body.state) && body;
    },
    { timeoutMs: 30_000, intervalMs: 50 },
  );
}

beforeAll(async () => {
  aws = await startAws({ organization: { accounts: 2, regions: ['us-east-1', 'eu-west-1'] } });
  running = await startService({
    loaded: loaded(mkdtempSync(join(tmpdir(), 'kw-api-'))),
    logger: silentLogger(),
  });
});
afterAll(async () => {
  await running.shutdown();
  await aws.stop();
});

describe('authentication', () => {
  it('serves health without a token and everything else only with a valid one', async () => {
    expect((await running.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await running.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    for (const headers of [
      {},
      { authorization: 'Bearer wrong-token-0123456789' },
      { authorization: TOKEN },
      { authorization: `Basic ${TOKEN}` },
    ]) {
      const response = await running.app.inject({ url: '/v1/controls', headers });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: 'Unauthorized' });
    }
    for (const url of ['/v1/scans', '/metrics', '/docs/json', '/v1/schedule']) {
      expect((await running.app.inject({ url })).statusCode).toBe(401);
    }
    expect((await running.app.inject({ url: '/v1/controls', headers: auth })).json().controls).toHaveLength(
      5,
    );
  });

  it('sends security headers and no CORS headers', async () => {
    const response = await running.app.inject({
      url: '/healthz',
      headers: { origin: 'https://evil.example' },
    });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('input validation: 4xx with a JSON error, never a 5xx', () => {
  const post = (payload: string, headers: Record<string, string> = {}) =>
    running.app.inject({
      method: 'POST',
      url: '/v1/scans',
      headers: { ...auth, 'content-type': 'application/json', ...headers },
      payload,
    });
  it.each([
    ['unknown field', '{"accounts":["111122223333"],"colour":"red"}', 400],
    ['short account id', '{"accounts":["1234"]}', 400],
    ['unknown region', '{"regions":["xx-nowhere-1"]}', 400],
    ['malformed region', '{"regions":["../etc"]}', 400],
    ['unknown control', '{"controls":["KMS.9"]}', 400],
    ['wrong type', '{"dryRun":"yes please"}', 400],
    ['invalid JSON', '{"accounts":', 400],
    ['oversize body', JSON.stringify({ accounts: Array.from({ length: 200 }, () => '111122223333') }), 413],
  ])('%s', async (_name, payload, status) => {
    const response = await post(payload);
    expect(response.statusCode).toBe(status);
    expect(response.json()).toHaveProperty('message');
    expect(response.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('rejects ids that are not scan ids, and unknown scans', async () => {
    expect((await running.app.inject({ url: '/v1/scans/..%2F..%2Fetc', headers: auth })).statusCode).toBe(
      400,
    );
    expect(
      (await running.app.inject({ url: '/v1/scans/00000000-0000-4000-8000-000000000000', headers: auth }))
        .statusCode,
    ).toBe(404);
    expect(
      (await running.app.inject({ url: `/v1/scans?limit=5&nextToken=${'a'.repeat(5000)}`, headers: auth }))
        .statusCode,
    ).toBe(400);
    expect((await running.app.inject({ url: '/v1/scans?nextToken=zz', headers: auth })).statusCode).toBe(400);
  });
});

describe('scans through the API (real scan against the simulator)', () => {
  it('runs a scan: 202 with Location, then its summary, units and findings', async () => {
    const response = await running.app.inject({
      method: 'POST',
      url: '/v1/scans',
      headers: auth,
      payload: { regions: ['us-east-1'] },
    });
    expect(response.statusCode).toBe(202);
    const { id, location } = response.json();
    expect(response.headers.location).toBe(`/v1/scans/${id}`);
    expect(location).toBe(`/v1/scans/${id}`);
    const scan = await waitForScan(id);
    expect(scan).toMatchObject({ state: 'completed', trigger: 'api', scope: { regions: ['us-east-1'] } });
    expect(scan.summary.findings['KMS.3'].FAILED).toBeGreaterThan(0);
    expect(scan.units).toHaveLength(2);
    const failed = await running.app.inject({
      url: `/v1/scans/${id}/findings?control=KMS.3&status=FAILED&limit=1`,
      headers: auth,
    });
    const page = failed.json();
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ controlId: 'KMS.3', status: 'FAILED', region: 'us-east-1' });
    const next = await running.app.inject({
      url: `/v1/scans/${id}/findings?control=KMS.3&status=FAILED&limit=1&nextToken=${page.nextToken}`,
      headers: auth,
    });
    expect(next.json().items[0].id).not.toBe(page.items[0].id);
  });

  it('answers 409 for an identical scope while it runs, and cancels it', async () => {
    aws.faults.latencyMs = 30;
    const first = await running.app.inject({
      method: 'POST',
      url: '/v1/scans',
      headers: auth,
      payload: { controls: ['KMS.4', 'KMS.3'] },
    });
    expect(first.statusCode).toBe(202);
    const { id } = first.json();
    const again = await running.app.inject({
      method: 'POST',
      url: '/v1/scans',
      headers: auth,
      payload: { controls: ['KMS.3', 'KMS.4'] },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().scanId).toBe(id);
    const cancel = await running.app.inject({ method: 'POST', url: `/v1/scans/${id}/cancel`, headers: auth });
    expect(cancel.statusCode).toBe(202);
    const scan = await waitForScan(id);
    aws.faults.latencyMs = 0;
    expect(scan.state).toBe('cancelled');
    expect(scan.summary.archived).toBe(0);
    expect(
      (await running.app.inject({ method: 'POST', url: `/v1/scans/${id}/cancel`, headers: auth })).statusCode,
    ).toBe(409);
  });

  it('lists scans newest first, page by page', async () => {
    const first = (await running.app.inject({ url: '/v1/scans?limit=1', headers: auth })).json();
    expect(first.items).toHaveLength(1);
    const second = (
      await running.app.inject({ url: `/v1/scans?limit=1&nextToken=${first.nextToken}`, headers: auth })
    ).json();
    expect(Date.parse(second.items[0].createdAt)).toBeLessThanOrEqual(Date.parse(first.items[0].createdAt));
  });

  it('exposes Prometheus metrics and the OpenAPI document', async () => {
    const metrics = await running.app.inject({ url: '/metrics', headers: auth });
    expect(metrics.body).toMatch(/keywarden_scans_total\{state="completed"\} \d+/);
    expect(metrics.body).toMatch(/keywarden_findings_total\{control="KMS.3",status="FAILED"\}/);
    expect(metrics.body).toMatch(/keywarden_aws_api_calls_total\{operation="KMS.DescribeKey"\}/);
    const openapi = (await running.app.inject({ url: '/docs/json', headers: auth })).json();
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/v1/scans', '/v1/scans/{id}', '/v1/scans/{id}/findings', '/v1/controls']),
    );
  });

  it('works over a real socket', async () => {
    const address = await running.app.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(`${address}/v1/controls`, { headers: auth });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { controls: unknown[] }).controls).toHaveLength(5);
    expect((await fetch(`${address}/v1/controls`)).status).toBe(401);
  });
});

describe('rate limit', () => {
  it('answers 429 past the limit', async () => {
    const limited = await startService({
      loaded: loaded(mkdtempSync(join(tmpdir(), 'kw-rl-')), {
        api: { tokens: [TOKEN], rateLimitPerMinute: 3 },
      }),
      logger: silentLogger(),
    });
    const codes = [];
    for (let i = 0; i < 5; i++)
      codes.push((await limited.app.inject({ url: '/v1/controls', headers: auth })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429, 429]);
    await limited.shutdown();
  });
});
