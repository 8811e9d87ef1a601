/**
 * POST /v1/scans answers 409 for the same scan however the body spells it: the duplicate check keys the
 * scope resolved against the configuration (here `import.dryRun: true`), not the body as written.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import { summarize } from '../../src/scan/runner.js';
import type { ExecuteScan } from '../../src/service/scan-service.js';
import type { RunningService } from '../../src/service/server.js';
import { startService } from '../../src/service/server.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = 'scope-conflict-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
let running: RunningService;

// Scans that run until the test releases them: the duplicate check, not AWS, is under test.
const releases: (() => void)[] = [];
const execute: ExecuteScan = (request) =>
  new Promise((resolve) => {
    releases.push(() => {
      const summary = summarize(request.scanId, new Date(), true, 0, [], []);
      resolve({
        summary: { ...summary, state: 'completed', finishedAt: new Date().toISOString() },
        units: [],
      });
    });
  });

const start = (payload: Record<string, unknown>) =>
  running.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload });

beforeAll(async () => {
  running = await startService({
    loaded: parseConfig({
      accounts: { source: 'list', list: ['111111111111', '222222222222'] },
      regions: { mode: 'list', list: ['us-east-1', 'eu-west-1'] },
      import: { dryRun: true },
      api: { tokens: [TOKEN], rateLimitPerMinute: 1000 },
      store: { dataDir: mkdtempSync(join(tmpdir(), 'kw-scope-conflict-')) },
    }),
    logger: silentLogger(),
    execute,
  });
});
afterAll(async () => {
  releases.splice(0).forEach((release) => release());
  await running.shutdown();
});

async function releaseAll() {
  releases.splice(0).forEach((release) => release());
  await waitFor('the released scans to end', async () => {
    const scans = (await running.app.inject({ url: '/v1/scans', headers: auth })).json().items;
    return scans.every((s: { state: string }) => s.state !== 'running');
  });
}

describe('409 for the same resolved scope', () => {
  it('{} and {"dryRun":true} are the same scan when the configuration defaults to a dry run', async () => {
    const first = await start({});
    expect(first.statusCode).toBe(202);
    const again = await start({ dryRun: true });
    expect(again.statusCode).toBe(409);
    expect(again.json().scanId).toBe(first.json().id);
    // And the other way round.
    await releaseAll();
    const explicit = await start({ dryRun: true });
    expect(explicit.statusCode).toBe(202);
    expect((await start({})).json()).toMatchObject({ scanId: explicit.json().id });
    await releaseAll();
  });

  it('{"dryRun":false} is another scan: it does not conflict with them', async () => {
    const dry = await start({});
    expect(dry.statusCode).toBe(202);
    const importing = await start({ dryRun: false });
    expect(importing.statusCode).toBe(202);
    expect((await start({ dryRun: false })).json()).toMatchObject({ scanId: importing.json().id });
    expect((await start({ dryRun: true })).json()).toMatchObject({ scanId: dry.json().id });
    await releaseAll();
  });

  it('the same scope in another order, with repeats or with the defaults written out conflicts', async () => {
    const first = await start({
      accounts: ['111111111111'],
      regions: ['eu-west-1', 'us-east-1'],
      controls: ['KMS.3', 'KMS.4'],
    });
    expect(first.statusCode).toBe(202);
    for (const same of [
      {
        accounts: ['111111111111', '111111111111'],
        regions: ['us-east-1', 'eu-west-1'],
        controls: ['KMS.4', 'KMS.3'],
      },
      { accounts: ['111111111111'], controls: ['KMS.4', 'KMS.3', 'KMS.4'], dryRun: true },
    ]) {
      const response = await start(same);
      expect(response.statusCode).toBe(409);
      expect(response.json().scanId).toBe(first.json().id);
    }
    // Another account is another scan.
    expect((await start({ accounts: ['222222222222'], controls: ['KMS.3', 'KMS.4'] })).statusCode).toBe(202);
    await releaseAll();
  });
});
