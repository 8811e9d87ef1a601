/**
 * One scope contract: the CLI's flags, the API's body and a queued scan job's scope are refused for the
 * same inputs with the same message, and a control id the catalog does not hold is refused everywhere.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScope } from '../../src/cli/commands/scan.js';
import { parseConfig } from '../../src/config/index.js';
import { parseJob, parseScanJob, UnitJobSchema } from '../../src/distributed/jobs.js';
import { silentLogger } from '../../src/log/index.js';
import { CONTROL_IDS } from '../../src/model/result.js';
import type { RunningService } from '../../src/service/server.js';
import { startService } from '../../src/service/server.js';

const TOKEN = 'scope-contract-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const SCAN_ID = '0b6f3c2e-8f9a-4c1d-9e7b-2a5d6c7e8f90';
// The catalog's ids, as the message lists them (a control added to the catalog joins the list).
const known = CONTROL_IDS.join(', ');
let running: RunningService;

beforeAll(async () => {
  running = await startService({
    loaded: parseConfig({
      api: { tokens: [TOKEN], rateLimitPerMinute: 1000 },
      store: { dataDir: mkdtempSync(join(tmpdir(), 'kw-scope-contract-')) },
    }),
    logger: silentLogger(),
    // Every input here is refused before a scan could start.
    execute: () => Promise.reject(new Error('no scan may start in this test')),
  });
});
afterAll(() => running.shutdown());

type Lists = { accounts?: string[]; regions?: string[]; controls?: string[] };

/** The message each entry point refuses a scope with (undefined: accepted). */
const entryPoints: Record<string, (scope: Lists) => Promise<string | undefined>> = {
  cli: async (scope) => {
    try {
      parseScope({
        ...(scope.accounts ? { accounts: scope.accounts.join(',') } : {}),
        ...(scope.regions ? { regions: scope.regions.join(',') } : {}),
        ...(scope.controls ? { controls: scope.controls.join(',') } : {}),
      });
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  },
  api: async (scope) => {
    const response = await running.app.inject({
      method: 'POST',
      url: '/v1/scans',
      headers: auth,
      payload: scope,
    });
    if (response.statusCode === 202) return undefined;
    expect(response.statusCode).toBe(400);
    return response.json().message;
  },
  job: async (scope) => {
    try {
      parseScanJob({ scanId: SCAN_ID, scopeKey: 'k', scope });
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  },
};

const cases: [string, Lists, string][] = [
  [
    'a short account id',
    { accounts: ['1234'] },
    'invalid scope: accounts: not a 12-digit account id: "1234"',
  ],
  [
    'one bad account among good ones',
    { accounts: ['111122223333', '12345678901a'] },
    'invalid scope: accounts: not a 12-digit account id: "12345678901a"',
  ],
  [
    'an empty account list',
    { accounts: [] },
    'invalid scope: accounts: expected array length to be greater or equal to 1',
  ],
  [
    'an unknown region',
    { regions: ['xx-nowhere-1'] },
    'invalid scope: regions: unknown region: "xx-nowhere-1"',
  ],
  ['a region in capitals', { regions: ['US-EAST-1'] }, 'invalid scope: regions: unknown region: "US-EAST-1"'],
  [
    'a control id not in the catalog',
    { controls: ['KMS.9'] },
    `invalid scope: controls: unknown control (known: ${known}): "KMS.9"`,
  ],
  [
    'a control id in lower case',
    { controls: ['KMS.3', 'kms.3'] },
    `invalid scope: controls: unknown control (known: ${known}): "kms.3"`,
  ],
  [
    'everything wrong at once',
    { accounts: ['1'], regions: ['mars-north-1'], controls: ['KMS.0', 'KMS.10'] },
    'invalid scope: accounts: not a 12-digit account id: "1"; regions: unknown region: "mars-north-1"; ' +
      `controls: unknown control (known: ${known}): "KMS.0", "KMS.10"`,
  ],
];

describe('the CLI, the API and a scan job refuse the same scopes with the same message', () => {
  it.each(cases)('%s', async (_name, scope, message) => {
    for (const [entry, refuse] of Object.entries(entryPoints))
      expect({ entry, message: await refuse(scope) }).toEqual({ entry, message });
  });

  it.each([
    ['an unknown field', { colour: 'red' }, 'invalid scope: colour: unknown field'],
    ['a dryRun that is not a boolean', { dryRun: 'yes' }, 'invalid scope: dryRun: expected boolean'],
    ['a list given as a string', { controls: 'KMS.3' }, 'invalid scope: controls: expected array'],
  ])('%s (the API and a scan job; flags cannot say it)', async (_name, scope, message) => {
    const response = await running.app.inject({
      method: 'POST',
      url: '/v1/scans',
      headers: auth,
      payload: scope,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toBe(message);
    expect(() => parseScanJob({ scanId: SCAN_ID, scopeKey: 'k', scope })).toThrow(message);
  });

  it('a scan job with a good scope but bad job fields is still refused, naming the field', () => {
    expect(() => parseScanJob({ scanId: 'nope', scopeKey: 'k', scope: {} })).toThrow(/\/scanId/);
    expect(parseScanJob({ scanId: SCAN_ID, scopeKey: 'k', scope: { controls: ['KMS.3'] } }).scope).toEqual({
      controls: ['KMS.3'],
    });
  });
});

describe('a control id the catalog does not hold is refused wherever a control id comes in', () => {
  it('the findings filter of the API and a unit job', async () => {
    const findings = await running.app.inject({
      url: `/v1/scans/${SCAN_ID}/findings?control=KMS.9`,
      headers: auth,
    });
    expect(findings.statusCode).toBe(400);
    const unit = {
      scanId: SCAN_ID,
      unit: {
        id: '111122223333/us-east-1',
        accountId: '111122223333',
        region: 'us-east-1',
        controls: ['KMS.9'],
      },
      settings: { partition: 'aws', params: {}, import: { dryRun: true } },
    };
    expect(() => parseJob(UnitJobSchema, unit, 'unit')).toThrow(/\/unit\/controls\/0/);
    // Every id the catalog holds is accepted by all three entry points of the scope.
    for (const refuse of Object.values(entryPoints))
      expect(await refuse({ controls: [...CONTROL_IDS] })).toBeUndefined();
  });
});
