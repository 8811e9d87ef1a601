/** Job data is checked before a worker acts on it: a malformed or credential-carrying job is refused. */
import { describe, expect, it } from 'vitest';
import {
  ScanJobSchema,
  TargetJobSchema,
  UnitJobSchema,
  parseJob,
  unitJobId,
} from '../../src/distributed/jobs.js';

const unitJob = {
  scanId: '0b6f3c2e-8f9a-4c1d-9e7b-2a5d6c7e8f90',
  unit: { id: '111122223333/us-east-1', accountId: '111122223333', region: 'us-east-1', controls: ['KMS.3'] },
  settings: {
    partition: 'aws',
    params: {},
    import: {
      dryRun: false,
      importPassed: true,
      archiveResolved: true,
      productName: 'keywarden',
      companyName: 'x',
    },
  },
};

describe('job data', () => {
  it('accepts a well-formed unit job and scan job', () => {
    expect(parseJob(UnitJobSchema, unitJob, 'unit')).toBe(unitJob);
    const scan = { scanId: unitJob.scanId, scopeKey: '[]', scope: { regions: ['eu-west-1'], dryRun: true } };
    expect(parseJob(ScanJobSchema, scan, 'scan')).toBe(scan);
  });

  it.each([
    ['a missing scan id', { ...unitJob, scanId: undefined }, /\/scanId/],
    ['a bad account id', { ...unitJob, unit: { ...unitJob.unit, accountId: '1234' } }, /\/unit\/accountId/],
    [
      'an unknown control',
      { ...unitJob, unit: { ...unitJob.unit, controls: ['KMS.9'] } },
      /\/unit\/controls\/0/,
    ],
    [
      'credentials smuggled in',
      { ...unitJob, credentials: { secretAccessKey: 'x' } },
      /invalid unit job data/,
    ],
    ['not an object', 'hello', /invalid unit job data at \//],
  ])('refuses %s, naming the field', (_, data, message) => {
    expect(() => parseJob(UnitJobSchema, data, 'unit')).toThrow(message);
  });

  it('derives job ids BullMQ accepts (no colon) from scan and unit', () => {
    const id = unitJobId(unitJob.scanId, unitJob.unit.id);
    expect(id).toBe(`${unitJob.scanId}.111122223333.us-east-1`);
    expect(id).not.toContain(':');
  });
});

describe('target job data', () => {
  const target = {
    accountId: '111122223333',
    region: 'eu-west-1',
    controls: ['KMS.3', 'KMS.5'],
    resource: { kind: 'key', keyId: '1234abcd-12ab-34cd-56ef-1234567890ab' },
    source: { eventId: 'e-1', time: '2026-12-01T00:00:00Z', name: 'PutKeyPolicy' },
  };

  it('accepts a change target of each kind', () => {
    for (const resource of [
      target.resource,
      { kind: 'role', name: 'app-deployer' },
      { kind: 'managed-policy', arn: 'arn:aws:iam::111122223333:policy/team/KeyReaders' },
      { kind: 'account' },
    ]) {
      const job = { target: { ...target, resource } };
      expect(parseJob(TargetJobSchema, job, 'target')).toBe(job);
    }
  });

  it.each([
    ['a bad account id', { target: { ...target, accountId: '1234' } }, /\/target\/accountId/],
    ['no controls', { target: { ...target, controls: [] } }, /\/target\/controls/],
    ['an unknown control', { target: { ...target, controls: ['KMS.9'] } }, /\/target\/controls\/0/],
    [
      'an unknown resource kind',
      { target: { ...target, resource: { kind: 'bucket', name: 'b' } } },
      /\/target\/resource/,
    ],
    ['credentials smuggled in', { target, credentials: { secretAccessKey: 'x' } }, /invalid target job data/],
  ])('refuses %s, naming the field', (_, data, message) => {
    expect(() => parseJob(TargetJobSchema, data, 'target')).toThrow(message);
  });
});
