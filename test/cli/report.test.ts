import { describe, expect, it } from 'vitest';
import { formatFindingsTable } from '../../src/cli/report.js';
import type { UnitOutcome } from '../../src/model/scan.js';

const unit: UnitOutcome = {
  unitId: '111122223333/us-east-1',
  accountId: '111122223333',
  region: 'us-east-1',
  controls: ['KMS.1'],
  state: 'done',
  errors: [],
  findings: { 'KMS.1': { PASSED: 3, FAILED: 2, WARNING: 1, NOT_AVAILABLE: 4 } },
  destination: 'security-hub',
  imported: 10,
  importFailed: 0,
  archived: 0,
  durationMs: 5,
};

describe('the findings table', () => {
  it('shows WARNING findings (a policy beyond the engine budget) in their own column', () => {
    const [header, row] = formatFindingsTable([unit]).trimEnd().split('\n');
    expect(header!.split(/\s{2,}/).map((cell) => cell.trim())).toEqual([
      'control',
      'account',
      'region',
      'PASSED',
      'FAILED',
      'WARNING',
      'N/A',
      'sent to',
    ]);
    expect(row!.split(/\s{2,}/).map((cell) => cell.trim())).toEqual([
      'KMS.1',
      '111122223333',
      'us-east-1',
      '3',
      '2',
      '1',
      '4',
      'Security Hub 111122223333/us-east-1',
    ]);
  });
});
