/** In-process: an account that fails while the scan is planned is a unit of the scan's record too. */
import { describe, expect, it } from 'vitest';
import { executeScan, scopeResolver } from '../../src/compose.js';
import { parseConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import { ScanService } from '../../src/service/scan-service.js';
import { DEFAULT_EXTERNAL_ID } from '../../src/simulator/index.js';
import { SqliteScanStore } from '../../src/store/sqlite.js';
import { simulatedRegions, startAws } from '../integration/harness.js';

describe('scan records of the in-process service', () => {
  it('list an account whose role could not be assumed, and count it in the progress', async () => {
    const aws = await startAws({ organization: { seed: 9, accounts: 2, regions: ['us-east-1'] } });
    const denied = [...aws.state.accounts.keys()].sort()[1]!;
    aws.faults.deniedAccounts.add(denied);
    const loaded = parseConfig(
      { ...simulatedRegions(), memberRole: { externalId: DEFAULT_EXTERNAL_ID } },
      'test',
    );
    const store = new SqliteScanStore(':memory:');
    const service = new ScanService(
      store,
      (request) => executeScan(loaded, request),
      scopeResolver(loaded),
      silentLogger(),
    );
    const started = await service.start({}, 'api');
    if (!started.started) throw new Error('not started');
    await service.drain(30_000);
    const record = (await store.getScan(started.scan.id))!;
    expect(record.state).toBe('completed_with_errors');
    expect(record.progress).toEqual({ done: 2, total: 2 });
    const units = await store.listUnits(started.scan.id);
    expect(units.find((u) => u.accountId === denied)).toMatchObject({
      region: '*',
      state: 'failed',
      errors: [expect.objectContaining({ stage: 'credentials', code: 'AccessDenied' })],
    });
    await store.close();
    await aws.stop();
  });
});
