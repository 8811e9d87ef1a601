import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CatalogError,
  isKnownRegion,
  loadCatalog,
  loadKmsActions,
  parseCatalog,
  partitionOfRegion,
} from '../../src/catalog/index.js';

const NIST_AC = ['AC-2', 'AC-2(1)', 'AC-3', 'AC-3(15)', 'AC-3(7)', 'AC-5', 'AC-6', 'AC-6(3)'].map(
  (c) => `NIST.800-53.r5 ${c}`,
);

describe('the shipped catalog', () => {
  const catalog = loadCatalog();

  it('holds KMS.1 to KMS.5 with their severities, scope and Config rules', () => {
    expect(catalog.controls.map((c) => [c.id, c.severity, c.scope, c.configRule])).toEqual([
      ['KMS.1', 'MEDIUM', 'global', 'iam-customer-policy-blocked-kms-actions'],
      ['KMS.2', 'MEDIUM', 'global', 'iam-inline-policy-blocked-kms-actions'],
      ['KMS.3', 'CRITICAL', 'regional', 'kms-cmk-not-scheduled-for-deletion-2'],
      ['KMS.4', 'MEDIUM', 'regional', 'cmk-backing-key-rotation-enabled'],
      ['KMS.5', 'CRITICAL', 'regional', 'kms-key-policy-no-public-access'],
    ]);
  });

  it('has the unsupported regions of each control', () => {
    expect(catalog.get('KMS.1').unsupportedRegions).toEqual([
      'ap-southeast-3',
      'ap-northeast-3',
      'me-central-1',
    ]);
    expect(catalog.get('KMS.2').unsupportedRegions).toEqual([
      'ap-southeast-3',
      'ap-northeast-3',
      'me-central-1',
    ]);
    expect(catalog.get('KMS.3').unsupportedRegions).toEqual(['ap-northeast-3', 'eu-south-1']);
    expect(catalog.get('KMS.4').unsupportedRegions).toEqual(['me-central-1']);
    // Where AWS's Config rule kms-key-policy-no-public-access is not offered (SEMANTICS.md).
    expect(catalog.get('KMS.5').unsupportedRegions).toEqual([
      'ap-southeast-7',
      'ap-southeast-5',
      'mx-central-1',
      'ap-east-2',
      'ca-west-1',
      'ap-southeast-6',
      'us-gov-east-1',
      'us-gov-west-1',
    ]);
  });

  it('describes KMS.5 as AWS does: no related requirements, change triggered, its category', () => {
    const kms5 = catalog.get('KMS.5');
    expect(kms5.title).toBe('KMS keys should not be publicly accessible');
    expect(kms5.relatedRequirements).toEqual([]);
    expect(kms5.scheduleType).toBe('CHANGE_TRIGGERED');
    expect(kms5.resourceTypes).toEqual(['AWS::KMS::Key']);
    expect(kms5.categories).toEqual([
      'Protect > Secure network configuration > Resources not publicly accessible',
    ]);
    // The restricting condition keys are data, defaulting to SEMANTICS.md's list.
    expect(kms5.parameters.map((p) => [p.name, p.default])).toEqual([
      [
        'restrictingConditionKeys',
        [
          'aws:PrincipalAccount',
          'aws:PrincipalArn',
          'aws:PrincipalOrgID',
          'aws:PrincipalOrgPaths',
          'aws:userid',
          'aws:username',
          'aws:SourceAccount',
          'aws:SourceArn',
          'aws:SourceOwner',
          'aws:SourceOrgID',
          'aws:SourceOrgPaths',
          'aws:SourceVpc',
          'aws:SourceVpce',
          'aws:SourceIp',
          'kms:CallerAccount',
        ],
      ],
    ]);
  });

  it('carries the related requirements verbatim', () => {
    expect(catalog.get('KMS.1').relatedRequirements).toEqual(NIST_AC);
    expect(catalog.get('KMS.2').relatedRequirements).toEqual(NIST_AC);
    expect(catalog.get('KMS.3').relatedRequirements).toEqual([
      'NIST.800-53.r5 SC-12',
      'NIST.800-53.r5 SC-12(2)',
    ]);
    // As AWS lists them now (SEMANTICS.md): CIS v5.0.0 / v3.0.0 3.6 and PCI DSS v4.0.1 3.7.4 added.
    expect(catalog.get('KMS.4').relatedRequirements).toEqual([
      'CIS AWS Foundations Benchmark v5.0.0/3.6',
      'CIS AWS Foundations Benchmark v3.0.0/3.6',
      'CIS AWS Foundations Benchmark v1.4.0/3.8',
      'CIS AWS Foundations Benchmark v1.2.0/2.8',
      'NIST.800-53.r5 SC-12',
      'NIST.800-53.r5 SC-12(2)',
      'NIST.800-53.r5 SC-28(3)',
      'PCI DSS v3.2.1/3.6.4',
      'PCI DSS v4.0.1/3.7.4',
    ]);
  });

  it('has the categories, resource types, schedules and parameter defaults', () => {
    expect(catalog.get('KMS.1').categories).toEqual(['Protect > Secure access management']);
    expect(catalog.get('KMS.2').categories).toEqual(['Protect > Secure access management']);
    expect(catalog.get('KMS.3').categories).toEqual(['Protect > Data protection > Data deletion protection']);
    expect(catalog.get('KMS.4').categories).toEqual([
      'Protect > Data Protection > Encryption of data-at-rest',
    ]);
    expect(catalog.get('KMS.2').resourceTypes).toEqual([
      'AWS::IAM::Group',
      'AWS::IAM::Role',
      'AWS::IAM::User',
    ]);
    expect(catalog.get('KMS.3').scheduleType).toBe('CHANGE_TRIGGERED');
    expect(catalog.get('KMS.4').scheduleType).toBe('PERIODIC');
    expect(catalog.get('KMS.1').parameters.map((p) => [p.name, p.default])).toEqual([
      ['blockedActionsPatterns', ['kms:ReEncryptFrom', 'kms:Decrypt']],
      ['excludePermissionBoundaryPolicy', true],
      ['exemptBoundaryPoliciesEvenIfAttached', false],
    ]);
    expect(
      catalog.get('KMS.2').parameters.find((p) => p.name === 'excludeRoleByManagementAccount')?.default,
    ).toBe(false);
  });

  it('loads the KMS actions as prefixed names', () => {
    const actions = loadKmsActions();
    expect(actions).toContain('kms:Decrypt');
    expect(actions).toContain('kms:ReEncryptFrom');
    expect(actions.every((a) => a.startsWith('kms:'))).toBe(true);
  });

  it('knows regions and their partitions', () => {
    expect(isKnownRegion('eu-south-1')).toBe(true);
    expect(isKnownRegion('xx-nowhere-1')).toBe(false);
    expect(partitionOfRegion('cn-north-1')).toBe('aws-cn');
    expect(partitionOfRegion('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOfRegion('eu-west-1')).toBe('aws');
  });
});

describe('an invalid catalog stops with a message naming the field', () => {
  const text = readFileSync(new URL('../../config/controls.yaml', import.meta.url), 'utf8');
  const cases: [string, string, string, RegExp][] = [
    [
      'bad severity',
      'severity: CRITICAL',
      'severity: SEVERE',
      /controls\[2\] \(KMS\.3\)\.severity: must be one of LOW, MEDIUM, HIGH, CRITICAL, INFORMATIONAL/,
    ],
    [
      'missing Config rule',
      'configRule: cmk-backing-key-rotation-enabled\n',
      '\n',
      /controls\[3\] \(KMS\.4\)\.configRule: is required/,
    ],
    [
      'bad region code',
      'unsupportedRegions: [me-central-1]',
      'unsupportedRegions: [middle-east]',
      /controls\[3\] \(KMS\.4\)\.unsupportedRegions\[0\]/,
    ],
    [
      'bad URL',
      'url: https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-3',
      'url: ftp://x',
      /controls\[2\] \(KMS\.3\)\.remediation\.url/,
    ],
    ['duplicate id', 'id: KMS.2', 'id: KMS.1', /controls\[1\] \(KMS\.1\)\.id: duplicate control id/],
    [
      'unknown control id',
      'id: KMS.4',
      'id: KMS.9',
      /controls\[3\] \(KMS\.9\)\.id: must be one of KMS\.1, KMS\.2, KMS\.3, KMS\.4/,
    ],
    [
      'wrong scope',
      'scope: regional',
      'scope: local',
      /controls\[2\] \(KMS\.3\)\.scope: must be one of global, regional/,
    ],
    [
      'requirements not a list',
      'relatedRequirements:\n      - NIST.800-53.r5 SC-12\n      - NIST.800-53.r5 SC-12(2)\n    categories: [Protect > Data',
      'relatedRequirements: 7\n    categories: [Protect > Data',
      /controls\[2\] \(KMS\.3\)\.relatedRequirements: expected array/,
    ],
    [
      'bad default type',
      'default: true',
      'default: [x]',
      /controls\[0\] \(KMS\.1\)\.parameters\[1\] \(excludePermissionBoundaryPolicy\)\.default: does not fit type boolean/,
    ],
    [
      'unknown blocked action',
      'default: [kms:ReEncryptFrom, kms:Decrypt]',
      'default: [kms:Nope]',
      /controls\[0\] \(KMS\.1\)\.parameters\[0\] \(blockedActionsPatterns\)\.default: no known KMS action matches kms:Nope/,
    ],
    [
      'unknown field',
      '    scope: global\n',
      '    scope: global\n    colour: red\n',
      /controls\[0\] \(KMS\.1\)/,
    ],
    ['not YAML', 'version: 1', 'version: [1', /not valid YAML/],
  ];
  it.each(cases)('%s', (_name, from, to, message) => {
    expect(text.includes(from)).toBe(true);
    const broken = text.replace(from, to);
    expect(() => parseCatalog(broken, 'config/controls.yaml')).toThrow(CatalogError);
    expect(() => parseCatalog(broken, 'config/controls.yaml')).toThrow(message);
  });

  it('too-long remediation text', () => {
    const broken = text.replace(
      /text: >-\n\s+Edit the policy's default version/,
      `text: ${'x'.repeat(600)}\n      textx: >-\n        Edit`,
    );
    expect(() => parseCatalog(broken, 'c.yaml')).toThrow(/remediation/);
  });
});
