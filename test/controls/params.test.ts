import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  formatParameterErrors,
  resolveControlParams,
  resolveKms1Params,
  resolveKms2Params,
  resolveKms3Params,
  resolveKms4Params,
  resolveKms5Params,
} from '../../src/controls/index.js';
import { KNOWN_KMS_ACTIONS } from './helpers.js';

const env = { knownKmsActions: KNOWN_KMS_ACTIONS };

/** The defaults, written out from SEMANTICS.md (not computed by the code under test). */
const DEFAULTS = {
  'KMS.1': {
    blockedActionsPatterns: ['kms:ReEncryptFrom', 'kms:Decrypt'],
    blockedActions: ['kms:Decrypt', 'kms:ReEncryptFrom'],
    excludePermissionBoundaryPolicy: true,
    exemptBoundaryPoliciesEvenIfAttached: false,
  },
  'KMS.2': {
    blockedActionsPatterns: ['kms:ReEncryptFrom', 'kms:Decrypt'],
    blockedActions: ['kms:Decrypt', 'kms:ReEncryptFrom'],
    excludeRoleByManagementAccount: false,
  },
  'KMS.3': { kmsKeyIds: [] },
  'KMS.4': {},
  'KMS.5': {
    restrictingConditionKeys: [
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
    kmsActions: KNOWN_KMS_ACTIONS,
  },
};

describe('defaults', () => {
  it('are those of SEMANTICS.md', () => {
    const result = resolveControlParams({}, env);
    expect(result).toEqual({ ok: true, params: DEFAULTS });
  });

  it('agree with the defaults in config/controls.yaml', () => {
    const catalog = parse(readFileSync(new URL('../../config/controls.yaml', import.meta.url), 'utf8')) as {
      controls: { id: string; parameters: { name: string; default: unknown }[] }[];
    };
    const fromCatalog = Object.fromEntries(
      catalog.controls.map((control) => [
        control.id,
        Object.fromEntries(control.parameters.map((parameter) => [parameter.name, parameter.default])),
      ]),
    );
    const result = resolveControlParams(fromCatalog, env);
    expect(result).toEqual({ ok: true, params: DEFAULTS });
  });

  it('null and empty string mean "use the default"', () => {
    expect(
      resolveKms1Params({ blockedActionsPatterns: '', excludePermissionBoundaryPolicy: null }, env),
    ).toEqual({ ok: true, params: DEFAULTS['KMS.1'] });
    expect(resolveKms1Params(undefined, env)).toEqual({ ok: true, params: DEFAULTS['KMS.1'] });
  });
});

describe('blockedActionsPatterns', () => {
  it.each([
    ['CSV string', 'kms:Decrypt, kms:Encrypt', ['kms:Decrypt', 'kms:Encrypt']],
    ['list', ['kms:Decrypt', ' kms:Encrypt '], ['kms:Decrypt', 'kms:Encrypt']],
    ['wildcard', 'kms:ReEncrypt*', ['kms:ReEncryptFrom', 'kms:ReEncryptTo']],
    ['question mark', 'kms:?ecrypt', ['kms:Decrypt']],
    ['any case, canonical spelling', 'KMS:decrypt', ['kms:Decrypt']],
    ['duplicates merged', 'kms:Decrypt,kms:Decr*', ['kms:Decrypt']],
  ])('%s', (_name, value, expected) => {
    const kms1 = resolveKms1Params({ blockedActionsPatterns: value }, env);
    const kms2 = resolveKms2Params({ blockedActionsPatterns: value }, env);
    expect(kms1.ok && kms1.params.blockedActions).toEqual(expected);
    expect(kms2.ok && kms2.params.blockedActions).toEqual(expected);
  });

  it('expands kms:* to every known KMS action', () => {
    const result = resolveKms1Params({ blockedActionsPatterns: 'kms:*' }, env);
    expect(result.ok && result.params.blockedActions).toHaveLength(KNOWN_KMS_ACTIONS.length);
  });

  it.each([
    ['a typo', 'kms:Decrpyt, kms:ReEncryptFrom', "'kms:Decrpyt' matches no known KMS action"],
    ['another service', ['s3:GetObject'], "'s3:GetObject' matches no known KMS action"],
    ['two unknown', 'kms:Foo,kms:Bar', "'kms:Foo', 'kms:Bar' match no known KMS action"],
    ['an empty list', [], 'at least one KMS action pattern'],
    ['only commas', ' , ', 'at least one KMS action pattern'],
    ['a number', 3, 'must be a list of strings'],
    ['a list with a number', ['kms:Decrypt', 3], 'must be a list of strings'],
  ])('rejects %s with a clear message', (_name, value, message) => {
    for (const resolve of [resolveKms1Params, resolveKms2Params]) {
      const result = resolve({ blockedActionsPatterns: value }, env);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.errors).toHaveLength(1);
        expect(result.errors[0]?.parameter).toBe('blockedActionsPatterns');
        expect(result.errors[0]?.message).toContain(message);
      }
    }
  });
});

describe('boolean parameters', () => {
  it.each([
    [true, true],
    [false, false],
    ['true', true],
    ['FALSE', false],
    [' True ', true],
  ])('%j -> %j', (value, expected) => {
    const kms1 = resolveKms1Params({ excludePermissionBoundaryPolicy: value }, env);
    const kms2 = resolveKms2Params({ excludeRoleByManagementAccount: value }, env);
    const evenIfAttached = resolveKms1Params({ exemptBoundaryPoliciesEvenIfAttached: value }, env);
    expect(kms1.ok && kms1.params.excludePermissionBoundaryPolicy).toBe(expected);
    expect(kms2.ok && kms2.params.excludeRoleByManagementAccount).toBe(expected);
    expect(evenIfAttached.ok && evenIfAttached.params.exemptBoundaryPoliciesEvenIfAttached).toBe(expected);
  });

  it.each(['yes', 1, [true]])('rejects %j', (value) => {
    const result = resolveKms2Params({ excludeRoleByManagementAccount: value }, env);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]?.message).toContain('must be true or false');
    const kms1 = resolveKms1Params({ exemptBoundaryPoliciesEvenIfAttached: value }, env);
    expect(kms1.ok).toBe(false);
    if (!kms1.ok) expect(kms1.errors[0]?.parameter).toBe('exemptBoundaryPoliciesEvenIfAttached');
  });
});

describe('kmsKeyIds', () => {
  const arn = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  it.each([
    ['absent', undefined, []],
    ['one id', '1234abcd-12ab-34cd-56ef-1234567890ab', ['1234abcd-12ab-34cd-56ef-1234567890ab']],
    ['CSV of id and ARN', `mrk-1234abcd, ${arn}`, ['mrk-1234abcd', arn]],
    ['list, duplicates removed', [arn, arn], [arn]],
    [
      'GovCloud ARN',
      ['arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/abc'],
      ['arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/abc'],
    ],
  ])('%s', (_name, value, expected) => {
    const result = resolveKms3Params(value === undefined ? {} : { kmsKeyIds: value });
    expect(result).toEqual({ ok: true, params: { kmsKeyIds: expected } });
  });

  it.each(['alias/my-key', 'arn:aws:kms:eu-west-1:111122223333:alias/my-key', 'key id with spaces'])(
    'rejects %j',
    (value) => {
      const result = resolveKms3Params({ kmsKeyIds: [value] });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors[0]?.message).toContain('neither a key id nor a key ARN');
    },
  );
});

describe('maxRotationPeriodDays', () => {
  it.each([
    [undefined, {}],
    [null, {}],
    [365, { maxRotationPeriodDays: 365 }],
    ['180', { maxRotationPeriodDays: 180 }],
    [90, { maxRotationPeriodDays: 90 }],
    [2560, { maxRotationPeriodDays: 2560 }],
  ])('%j', (value, expected) => {
    expect(resolveKms4Params({ maxRotationPeriodDays: value })).toEqual({ ok: true, params: expected });
  });

  it.each([
    [89, 'between 90 and 2560'],
    [2561, 'between 90 and 2560'],
    [365.5, 'must be an integer'],
    ['a year', 'must be an integer'],
    [true, 'must be an integer'],
  ])('rejects %j', (value, message) => {
    const result = resolveKms4Params({ maxRotationPeriodDays: value });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]?.message).toContain(message);
  });
});

describe('errors', () => {
  it('rejects an unknown parameter name', () => {
    const result = resolveKms3Params({ kmsKeyId: ['abc'] });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors[0]).toMatchObject({ controlId: 'KMS.3', parameter: 'kmsKeyId' });
      expect(result.errors[0]?.message).toContain('known parameters: kmsKeyIds');
    }
  });

  it('rejects parameters that are not an object', () => {
    expect(resolveKms4Params('365').ok).toBe(false);
    expect(resolveKms4Params([365]).ok).toBe(false);
  });

  it('reports the errors of every control at once', () => {
    const result = resolveControlParams(
      { 'KMS.1': { blockedActionsPatterns: 'kms:Nope' }, 'KMS.4': { maxRotationPeriodDays: 1 } },
      env,
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.map((error) => error.controlId)).toEqual(['KMS.1', 'KMS.4']);
      expect(formatParameterErrors(result.errors)).toMatch(
        /^KMS\.1 blockedActionsPatterns: .*\nKMS\.4 maxRotationPeriodDays: /,
      );
    }
  });
});

describe('restrictingConditionKeys (KMS.5)', () => {
  it('takes a list or a comma-separated string, without duplicates', () => {
    expect(
      resolveKms5Params({ restrictingConditionKeys: 'aws:PrincipalOrgID, aws:SourceVpce' }, env),
    ).toEqual({
      ok: true,
      params: {
        restrictingConditionKeys: ['aws:PrincipalOrgID', 'aws:SourceVpce'],
        kmsActions: KNOWN_KMS_ACTIONS,
      },
    });
    const twice = resolveKms5Params({ restrictingConditionKeys: ['aws:SourceIp', 'aws:SourceIp'] }, env);
    expect(twice.ok && twice.params.restrictingConditionKeys).toEqual(['aws:SourceIp']);
  });

  it('refuses a value that is not a condition key, naming it', () => {
    const result = resolveKms5Params(
      { restrictingConditionKeys: ['aws:PrincipalOrgID', 'PrincipalOrgID'] },
      env,
    );
    expect(result.ok).toBe(false);
    expect(formatParameterErrors(result.ok ? [] : result.errors)).toBe(
      "KMS.5 restrictingConditionKeys: 'PrincipalOrgID' is not a condition key (write them as service:Name, e.g. aws:PrincipalOrgID)",
    );
  });
});
