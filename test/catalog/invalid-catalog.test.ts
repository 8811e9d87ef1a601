/**
 * Every field of the catalog is required and typed: each broken copy of the shipped catalog is refused
 * with a message naming the file, the control and the field.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { CatalogError, parseCatalog } from '../../src/catalog/index.js';

const SOURCE = 'config/controls.yaml';
const shipped = readFileSync(new URL('../../config/controls.yaml', import.meta.url), 'utf8');

type Json = Record<string, unknown>;
type Edit = (doc: { version: unknown; controls: Json[] }) => void;

/** The shipped catalog, edited as data and written back as YAML. */
function broken(edit: Edit): string {
  const doc = parse(shipped) as { version: unknown; controls: Json[] };
  edit(doc);
  return stringify(doc);
}

function rejection(text: string): string {
  try {
    parseCatalog(text, SOURCE);
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogError);
    return (error as Error).message;
  }
  throw new Error('the catalog was accepted');
}

const control = (doc: { controls: Json[] }, index: number): Json => doc.controls[index]!;
const parameter = (doc: { controls: Json[] }, index: number, p: number): Json =>
  (control(doc, index).parameters as Json[])[p]!;
const remediation = (doc: { controls: Json[] }, index: number): Json =>
  control(doc, index).remediation as Json;

const CONTROL_FIELDS = [
  'title',
  'description',
  'severity',
  'scope',
  'resourceTypes',
  'configRule',
  'scheduleType',
  'parameters',
  'relatedRequirements',
  'categories',
  'findingTypes',
  'unsupportedRegions',
  'remediation',
] as const;

describe('a missing field is named', () => {
  it.each(CONTROL_FIELDS)('controls[2].%s', (field) => {
    const message = rejection(broken((doc) => delete control(doc, 2)[field]));
    expect(message).toBe(`${SOURCE}: controls[2] (KMS.3).${field}: is required`);
  });

  it('controls[1].id', () => {
    expect(rejection(broken((doc) => delete control(doc, 1).id))).toBe(
      `${SOURCE}: controls[1].id: is required`,
    );
  });

  it.each(['text', 'url'])('controls[3].remediation.%s', (field) => {
    const message = rejection(broken((doc) => delete remediation(doc, 3)[field]));
    expect(message).toBe(`${SOURCE}: controls[3] (KMS.4).remediation.${field}: is required`);
  });

  it.each(['name', 'type', 'default', 'description'])('controls[0].parameters[1].%s', (field) => {
    const message = rejection(broken((doc) => delete parameter(doc, 0, 1)[field]));
    expect(message).toMatch(
      new RegExp(
        `^config/controls\\.yaml: controls\\[0\\] \\(KMS\\.1\\)\\.parameters\\[1\\]( \\(\\w+\\))?\\.${field}: is required$`,
      ),
    );
  });

  it('version and controls', () => {
    expect(rejection(broken((doc) => delete (doc as Json).version))).toBe(`${SOURCE}: version: is required`);
    expect(rejection(broken((doc) => delete (doc as Json).controls))).toBe(
      `${SOURCE}: controls: is required`,
    );
  });
});

describe('a field of the wrong type is named', () => {
  const wrong: [string, unknown, RegExp][] = [
    ['id', 7, /must be one of KMS\.1, KMS\.2, KMS\.3, KMS\.4/],
    ['title', 7, /expected string/],
    ['description', ['a'], /expected string/],
    ['severity', 'medium', /must be one of LOW, MEDIUM, HIGH, CRITICAL, INFORMATIONAL/],
    ['scope', 'local', /must be one of global, regional/],
    ['resourceTypes', 'AWS::KMS::Key', /expected array/],
    ['configRule', 'Not A Rule', /expected string to match/],
    ['scheduleType', 'periodic', /must be one of PERIODIC, CHANGE_TRIGGERED/],
    ['parameters', {}, /expected array/],
    ['relatedRequirements', 'NIST.800-53.r5 SC-12', /expected array/],
    ['categories', 'Protect', /expected array/],
    ['findingTypes', 'Software and Configuration Checks', /expected array/],
    ['unsupportedRegions', 'eu-south-1', /expected array/],
    ['remediation', 'see the docs', /expected object/],
  ];
  it.each(wrong)('controls[2].%s', (field, value, message) => {
    const text = rejection(broken((doc) => (control(doc, 2)[field] = value)));
    const label = field === 'id' ? 'controls[2]' : 'controls[2] (KMS.3)';
    expect(text.startsWith(`${SOURCE}: ${label}.${field}`)).toBe(true);
    expect(text).toMatch(message);
  });

  const wrongParameter: [string, unknown, RegExp][] = [
    ['name', 'not a name', /expected string to match/],
    ['type', 'string', /must be one of actionPatterns, boolean, stringList, integer/],
    ['description', '', /expected string length greater or equal to 1/],
    ['minimum', 'ninety', /expected integer/],
  ];
  it.each(wrongParameter)('controls[3].parameters[0].%s', (field, value, message) => {
    const text = rejection(broken((doc) => (parameter(doc, 3, 0)[field] = value)));
    expect(text).toMatch(
      new RegExp(
        `^config/controls\\.yaml: controls\\[3\\] \\(KMS\\.4\\)\\.parameters\\[0\\]( \\([^)]+\\))?\\.${field}: `,
      ),
    );
    expect(text).toMatch(message);
  });
});

describe('values that do not fit are named', () => {
  const cases: [string, Edit, string][] = [
    ['duplicate id', (doc) => (control(doc, 3).id = 'KMS.2'), 'controls[3] (KMS.2).id: duplicate control id'],
    [
      'unknown control id',
      (doc) => (control(doc, 0).id = 'KMS.6'),
      'controls[0] (KMS.6).id: must be one of KMS.1, KMS.2, KMS.3, KMS.4, KMS.5',
    ],
    [
      'bad region code',
      (doc) => (control(doc, 2).unsupportedRegions = ['eu-south-1', 'Milan']),
      'controls[2] (KMS.3).unsupportedRegions[1]: must be a region code such as eu-south-1',
    ],
    [
      'region code without its number',
      (doc) => (control(doc, 0).unsupportedRegions = ['ap-southeast']),
      'controls[0] (KMS.1).unsupportedRegions[0]: must be a region code such as eu-south-1',
    ],
    [
      'plain http URL',
      (doc) => (remediation(doc, 1).url = 'http://docs.aws.amazon.com/securityhub/'),
      'controls[1] (KMS.2).remediation.url: must be an https:// URL',
    ],
    [
      'remediation text over 512 characters',
      (doc) => (remediation(doc, 2).text = 'x'.repeat(513)),
      'controls[2] (KMS.3).remediation.text: expected string length less or equal to 512',
    ],
    [
      'more related requirements than ASFF takes',
      (doc) => (control(doc, 2).relatedRequirements = Array.from({ length: 33 }, (_, i) => `R ${i}`)),
      'controls[2] (KMS.3).relatedRequirements: expected array length to be less or equal to 32',
    ],
    [
      'empty related requirement',
      (doc) => (control(doc, 3).relatedRequirements = ['PCI DSS v3.2.1/3.6.4', '']),
      'controls[3] (KMS.4).relatedRequirements[1]: expected string length greater or equal to 1',
    ],
    [
      'finding type outside the ASFF namespaces',
      (doc) => (control(doc, 0).findingTypes = ['Compliance/NIST']),
      'controls[0] (KMS.1).findingTypes[0]: must be namespace[/category[/classifier]] with namespace one of ' +
        'Software and Configuration Checks, TTPs, Effects, Unusual Behaviors, Sensitive Data Identifications',
    ],
    [
      'boolean default that is a list',
      (doc) => (parameter(doc, 0, 1).default = ['x']),
      'controls[0] (KMS.1).parameters[1] (excludePermissionBoundaryPolicy).default: does not fit type boolean',
    ],
    [
      'boolean default that is null',
      (doc) => (parameter(doc, 1, 1).default = null),
      'controls[1] (KMS.2).parameters[1] (excludeRoleByManagementAccount).default: does not fit type boolean',
    ],
    [
      'integer default that is a boolean',
      (doc) => (parameter(doc, 3, 0).default = true),
      'controls[3] (KMS.4).parameters[0] (maxRotationPeriodDays).default: does not fit type integer',
    ],
    [
      'integer default below its minimum',
      (doc) => (parameter(doc, 3, 0).default = 30),
      'controls[3] (KMS.4).parameters[0] (maxRotationPeriodDays).default: is below the minimum 90',
    ],
    [
      'integer default above its maximum',
      (doc) => (parameter(doc, 3, 0).default = 3000),
      'controls[3] (KMS.4).parameters[0] (maxRotationPeriodDays).default: is above the maximum 2560',
    ],
    [
      'minimum above maximum',
      (doc) => Object.assign(parameter(doc, 3, 0), { minimum: 500, maximum: 100 }),
      'controls[3] (KMS.4).parameters[0] (maxRotationPeriodDays).default: minimum 500 is greater than maximum 100',
    ],
    [
      'stringList default that is a boolean',
      (doc) => (parameter(doc, 2, 0).default = false),
      'controls[2] (KMS.3).parameters[0] (kmsKeyIds).default: does not fit type stringList',
    ],
    [
      'blocked action patterns that are empty',
      (doc) => (parameter(doc, 1, 0).default = []),
      'controls[1] (KMS.2).parameters[0] (blockedActionsPatterns).default: does not fit type actionPatterns',
    ],
    [
      'blocked action pattern matching no KMS action',
      (doc) => (parameter(doc, 1, 0).default = ['kms:Decrypt', 'kms:Decrypted*']),
      'controls[1] (KMS.2).parameters[0] (blockedActionsPatterns).default: no known KMS action matches kms:Decrypted*',
    ],
    [
      'duplicate parameter',
      (doc) => (control(doc, 0).parameters as Json[]).push({ ...parameter(doc, 0, 1) }),
      'controls[0] (KMS.1).parameters[3] (excludePermissionBoundaryPolicy).name: duplicate parameter name',
    ],
    [
      'unknown field',
      (doc) => (control(doc, 2).owner = 'security'),
      'controls[2] (KMS.3).owner: unexpected property',
    ],
    [
      'no control',
      (doc) => (doc.controls = []),
      'controls: expected array length to be greater or equal to 1',
    ],
    ['unknown version', (doc) => (doc.version = 2), 'version: expected 1'],
    [
      'a control the code implements left out',
      (doc) => (doc.controls = doc.controls.filter((c) => c['id'] !== 'KMS.3')),
      'controls: missing KMS.3',
    ],
  ];
  it.each(cases)('%s', (_name, edit, message) => {
    const text = rejection(broken(edit));
    expect(text.startsWith(`${SOURCE}: ${message}`)).toBe(true);
  });

  it('accepts the shipped catalog written back unchanged, so each rejection is the edit', () => {
    expect(
      parseCatalog(
        broken(() => undefined),
        SOURCE,
      ).controls,
    ).toHaveLength(5);
  });

  it('accepts a user edit that fits: a wildcard pattern and another severity', () => {
    const catalog = parseCatalog(
      broken((doc) => {
        parameter(doc, 0, 0).default = ['kms:ReEncrypt*', 'kms:Decrypt'];
        control(doc, 3).severity = 'HIGH';
        parameter(doc, 3, 0).default = 365;
      }),
      SOURCE,
    );
    expect(catalog.get('KMS.4').severity).toBe('HIGH');
    expect(catalog.get('KMS.4').parameters[0]?.default).toBe(365);
  });

  it('rejects text that is not YAML, naming the file', () => {
    expect(rejection('controls: [')).toMatch(/^config\/controls\.yaml: not valid YAML/);
  });
});
