/** Loading the catalog and the KMS action list from a user's own files, and the known regions. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CatalogError,
  KNOWN_REGIONS,
  KNOWN_REGIONS_BY_PARTITION,
  REGION_PATTERN,
  isKnownRegion,
  loadCatalog,
  loadKmsActions,
  partitionOfRegion,
} from '../../src/catalog/index.js';

const dir = mkdtempSync(join(tmpdir(), 'keywarden-catalog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const shipped = readFileSync(new URL('../../config/controls.yaml', import.meta.url), 'utf8');

describe('a catalog at an explicit path', () => {
  it('loads a user-edited copy instead of the shipped one', () => {
    const path = join(dir, 'edited.yaml');
    writeFileSync(path, shipped.replace('severity: CRITICAL', 'severity: HIGH'));
    const catalog = loadCatalog(path);
    expect(catalog.source).toBe(path);
    expect(catalog.get('KMS.3').severity).toBe('HIGH');
    expect(loadCatalog().get('KMS.3').severity).toBe('CRITICAL');
  });

  it('names the file when the copy is invalid', () => {
    const path = join(dir, 'invalid.yaml');
    writeFileSync(path, shipped.replace('scheduleType: PERIODIC', 'scheduleType: HOURLY'));
    expect(() => loadCatalog(path)).toThrow(CatalogError);
    expect(() => loadCatalog(path)).toThrow(
      `${path}: controls[3] (KMS.4).scheduleType: must be one of PERIODIC, CHANGE_TRIGGERED`,
    );
  });

  it('names the file when it cannot be read', () => {
    const path = join(dir, 'missing.yaml');
    expect(() => loadCatalog(path)).toThrow(`cannot read the control catalog ${path}`);
  });

  it('refuses a catalog that lacks a control the code implements, naming it', () => {
    const path = join(dir, 'three.yaml');
    writeFileSync(path, shipped.slice(0, shipped.indexOf('  - id: KMS.4')));
    expect(() => loadCatalog(path)).toThrow(`${path}: controls: missing KMS.4`);
  });
});

describe('the KMS action list', () => {
  it('ships every action once, sorted, as kms:Name', () => {
    const actions = loadKmsActions();
    expect(actions.length).toBeGreaterThan(40);
    expect(new Set(actions).size).toBe(actions.length);
    expect([...actions].sort()).toEqual(actions);
    for (const action of ['kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:ScheduleKeyDeletion'])
      expect(actions).toContain(action);
  });

  it('rejects a list with a wrong prefix or a malformed name, naming the field', () => {
    const path = join(dir, 'actions.yaml');
    writeFileSync(path, 'prefix: kms\nactions: [Decrypt, "kms:Encrypt"]\n');
    expect(() => loadKmsActions(path)).toThrow(`${path}: actions[1]: expected string to match`);
    writeFileSync(path, 'prefix: s3\nactions: [GetObject]\n');
    expect(() => loadKmsActions(path)).toThrow(`${path}: prefix: expected 'kms'`);
  });
});

describe('known regions', () => {
  it('are region codes, each in exactly one partition, sorted', () => {
    const pattern = new RegExp(REGION_PATTERN);
    for (const region of KNOWN_REGIONS) expect(region).toMatch(pattern);
    const all = Object.values(KNOWN_REGIONS_BY_PARTITION).flat();
    expect(new Set(all).size).toBe(all.length);
    expect([...KNOWN_REGIONS]).toEqual([...all].sort());
  });

  it('give each region the partition it is listed under', () => {
    for (const [partition, regions] of Object.entries(KNOWN_REGIONS_BY_PARTITION))
      for (const region of regions) expect(partitionOfRegion(region)).toBe(partition);
    expect(Object.keys(KNOWN_REGIONS_BY_PARTITION).sort()).toEqual(['aws', 'aws-cn', 'aws-us-gov']);
  });

  it('include every unsupported region of the shipped catalog and the default home region', () => {
    for (const control of loadCatalog().controls)
      for (const region of control.unsupportedRegions) expect(isKnownRegion(region)).toBe(true);
    expect(isKnownRegion('us-east-1')).toBe(true);
    expect(isKnownRegion('us-east-7')).toBe(false);
  });
});
