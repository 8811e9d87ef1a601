import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteScanStore } from '../../src/store/sqlite.js';
import { describeStoreContract } from './contract.js';

describeStoreContract(
  'SQLite (a real file)',
  async () => new SqliteScanStore(join(mkdtempSync(join(tmpdir(), 'kw-contract-')), 'scans.db')),
);
