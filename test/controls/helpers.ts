/** Builders for control tests: small snapshots with sensible defaults, overridden per case. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type {
  IamIdentity,
  IamSnapshot,
  KmsKey,
  KmsSnapshot,
  ManagedPolicy,
} from '../../src/model/snapshot.js';
import type { ResolvedControlParams } from '../../src/controls/index.js';
import { resolveControlParams } from '../../src/controls/index.js';

export const ACCOUNT = '111122223333';
export const MANAGEMENT_ACCOUNT = '999988887777';
export const HOME_REGION = 'us-east-1';

/** The KMS action list as `kms:Name`, read from the repository's data file. */
export function loadKnownKmsActions(): string[] {
  const data = parse(readFileSync(new URL('../../config/kms-actions.yaml', import.meta.url), 'utf8')) as {
    prefix: string;
    actions: string[];
  };
  return data.actions.map((name) => `${data.prefix}:${name}`);
}

export const KNOWN_KMS_ACTIONS = loadKnownKmsActions();

export function params(input: Partial<Record<string, unknown>> = {}): ResolvedControlParams {
  const result = resolveControlParams(input, { knownKmsActions: KNOWN_KMS_ACTIONS });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.params;
}

export function doc(...statements: Record<string, unknown>[]): Record<string, unknown> {
  return { Version: '2012-10-17', Statement: statements };
}

export const ALLOW_DECRYPT_ALL = doc({
  Sid: 'AllowAll',
  Effect: 'Allow',
  Action: 'kms:Decrypt',
  Resource: '*',
});
export const ALLOW_ONE_ACCOUNT = doc({
  Effect: 'Allow',
  Action: 'kms:*',
  Resource: `arn:aws:kms:*:${ACCOUNT}:key/*`,
});
export const ALLOW_S3_ONLY = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });

export function managedPolicy(
  name: string,
  document: ManagedPolicy['versions'][number]['document'] | undefined,
  overrides: Partial<ManagedPolicy> = {},
): ManagedPolicy {
  return {
    arn: `arn:aws:iam::${ACCOUNT}:policy/${name}`,
    name,
    policyId: `ANPA${name.toUpperCase()}`,
    path: '/',
    defaultVersionId: 'v1',
    attachmentCount: 1,
    permissionsBoundaryUsageCount: 0,
    isAttachable: true,
    createDate: '2024-01-02T03:04:05Z',
    updateDate: '2024-02-02T03:04:05Z',
    versions: document === undefined ? [] : [{ versionId: 'v1', isDefaultVersion: true, document }],
    ...overrides,
  };
}

export function identity(
  kind: IamIdentity['kind'],
  name: string,
  inline: Record<string, IamIdentity['inlinePolicies'][number]['document']>,
  overrides: Partial<IamIdentity> = {},
): IamIdentity {
  return {
    kind,
    arn: `arn:aws:iam::${ACCOUNT}:${kind}/${name}`,
    name,
    id: `AID${name.toUpperCase()}`,
    path: '/',
    createDate: '2024-01-02T03:04:05Z',
    inlinePolicies: Object.entries(inline).map(([policyName, document]) => ({ name: policyName, document })),
    ...overrides,
  };
}

export function iamSnapshot(overrides: Partial<IamSnapshot> = {}): IamSnapshot {
  return { accountId: ACCOUNT, partition: 'aws', managedPolicies: [], identities: [], ...overrides };
}

let keyCounter = 0;

/** A customer managed, enabled, symmetric AWS_KMS key with rotation enabled, unless overridden. */
export function kmsKey(overrides: Partial<KmsKey> = {}): KmsKey {
  keyCounter += 1;
  const keyId = overrides.keyId ?? `0000abcd-12ab-34cd-56ef-${String(keyCounter).padStart(12, '0')}`;
  return {
    keyId,
    arn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${keyId}`,
    keyManager: 'CUSTOMER',
    keyState: 'Enabled',
    keySpec: 'SYMMETRIC_DEFAULT',
    origin: 'AWS_KMS',
    keyUsage: 'ENCRYPT_DECRYPT',
    description: 'test key',
    creationDate: '2024-01-01T00:00:00Z',
    enabled: true,
    rotation: { kind: 'enabled', rotationPeriodInDays: 365 },
    ...overrides,
  };
}

export function kmsSnapshot(keys: KmsKey[], overrides: Partial<KmsSnapshot> = {}): KmsSnapshot {
  return { accountId: ACCOUNT, region: 'eu-west-1', partition: 'aws', keys, ...overrides };
}
