/** KMS and Organizations (JSON 1.1). */
import { keyArn } from './generate.js';
import { ParamCheck } from './params.js';
import { AwsError } from './protocol.js';
import type { SimKey, SimSession, SimState } from './state.js';

/**
 * Odd answers a client must survive: a page token that repeats forever, empty pages before the data,
 * enum values newer than the client (a new KeyState or KeySpec), and optional fields left out.
 */
export type Quirk = 'repeat-page-token' | 'empty-pages' | 'unknown-enums' | 'missing-fields';

export interface JsonCall {
  state: SimState;
  caller: SimSession;
  region: string;
  body: Record<string, unknown>;
  quirks?: Set<Quirk>;
}

const seconds = (date: Date | undefined): number | undefined => (date ? date.getTime() / 1000 : undefined);

/** One page from an index marker; a marker that no previous answer gave is `invalidMarker()`. */
function page<T>(
  items: T[],
  marker: string | undefined,
  size: number,
  invalidMarker: () => AwsError,
): { items: T[]; next?: string } {
  const start = marker === undefined ? 0 : /^\d+$/.test(marker) ? Number(marker) : -1;
  if (start < 0 || start > items.length) throw invalidMarker();
  const items_ = items.slice(start, start + size);
  return start + size < items.length ? { items: items_, next: String(start + size) } : { items: items_ };
}

const kmsInvalidMarker = () =>
  new AwsError('InvalidMarkerException', 'The request was rejected because the marker is not valid.');

/** KMS's pattern for markers. */
const MARKER = /^[\u0020-\u00FF]*$/;

interface KeyRef {
  accountId: string;
  region: string;
  key: SimKey;
}

/** The alias of a customer managed key: its name and ARN always agree. */
export function aliasOf(accountId: string, region: string, key: SimKey): { name: string; arn: string } {
  const name = `alias/${key.description.replace(/[^A-Za-z0-9/_-]/g, '-')}-${key.keyId.slice(0, 8)}`;
  return { name, arn: `arn:aws:kms:${region}:${accountId}:${name}` };
}

/**
 * Resolves a KeyId as KMS does: a key id, a key ARN, and (where the operation allows) an alias name or
 * alias ARN. An ARN names its own account and region: another account's key is that account's key,
 * which the caller may not use (the simulated key policies trust only their own account).
 */
function findKey(call: JsonCall, operation: string, allowAlias: boolean): KeyRef {
  const check = new ParamCheck('ValidationException');
  const ref = check.string('keyId', call.body['KeyId'], 1, 2048, undefined, true);
  check.done();
  let accountId = call.caller.accountId;
  let region = call.region;
  let id = ref!;
  let alias: string | undefined;
  const arn = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/.exec(id);
  if (arn !== null) {
    [, region, accountId] = arn as unknown as [string, string, string];
    if (arn[3] === 'alias') alias = `alias/${arn[4]!}`;
    else id = arn[4]!;
  } else if (id.startsWith('alias/')) {
    alias = id;
  } else if (id.startsWith('arn:')) {
    throw new AwsError('NotFoundException', `Invalid arn ${id}`);
  }
  const notFound = () =>
    new AwsError(
      'NotFoundException',
      alias !== undefined
        ? `Alias arn:aws:kms:${region}:${accountId}:${alias} is not found.`
        : `Key '${keyArn(accountId, region, id)}' does not exist`,
    );
  if (alias !== undefined && !allowAlias)
    throw new AwsError('NotFoundException', `Alias is not supported for ${operation}: ${ref!}`);
  if (region !== call.region || call.state.account(accountId) === undefined) throw notFound();
  const keys = call.state.keys(accountId, region);
  const key =
    alias !== undefined
      ? keys.find((k) => k.keyManager === 'CUSTOMER' && aliasOf(accountId, region, k).name === alias)
      : keys.find((k) => k.keyId === id);
  if (key === undefined) throw notFound();
  if (accountId !== call.caller.accountId) {
    throw new AwsError(
      'AccessDeniedException',
      `User: ${call.caller.arn} is not authorized to perform: kms:${operation} on resource: ${keyArn(accountId, region, key.keyId)} because no resource-based policy allows the kms:${operation} action`,
    );
  }
  return { accountId, region, key };
}

export function listKeys(call: JsonCall): unknown {
  const keys = call.state.keys(call.caller.accountId, call.region);
  if (call.quirks?.has('repeat-page-token')) {
    return { Keys: keys.slice(0, 1).map((k) => ({ KeyId: k.keyId })), Truncated: true, NextMarker: 'again' };
  }
  const check = new ParamCheck('ValidationException');
  const limit = check.integer('limit', call.body['Limit'], 1, 1000) ?? 1000;
  const marker = check.string('marker', call.body['Marker'], 1, 320, MARKER);
  check.done();
  if (call.quirks?.has('empty-pages') && marker === undefined) {
    return { Keys: [], Truncated: true, NextMarker: '0' };
  }
  const result = page(keys, marker, limit, kmsInvalidMarker);
  return {
    Keys: result.items.map((k) => ({
      KeyId: k.keyId,
      KeyArn: keyArn(call.caller.accountId, call.region, k.keyId),
    })),
    Truncated: result.next !== undefined,
    ...(result.next ? { NextMarker: result.next } : {}),
  };
}

export function describeKey(call: JsonCall): unknown {
  const { key } = findKey(call, 'DescribeKey', true);
  if (call.quirks?.has('missing-fields')) {
    // Only what DescribeKey must return: the key id (and the state, so the key can still be judged).
    return { KeyMetadata: { KeyId: key.keyId, KeyState: key.keyState } };
  }
  if (call.quirks?.has('unknown-enums')) {
    return {
      KeyMetadata: {
        KeyId: key.keyId,
        Arn: keyArn(call.caller.accountId, call.region, key.keyId),
        KeyManager: key.keyManager,
        KeyState: key.keyState === 'Enabled' ? 'Quarantined' : key.keyState,
        KeySpec: key.keySpec === 'SYMMETRIC_DEFAULT' ? 'ML_DSA_65' : key.keySpec,
        Origin: key.origin,
        KeyUsage: 'SIGN_VERIFY_FUTURE',
      },
    };
  }
  return {
    KeyMetadata: {
      AWSAccountId: call.caller.accountId,
      KeyId: key.keyId,
      Arn: keyArn(call.caller.accountId, call.region, key.keyId),
      CreationDate: seconds(key.creationDate),
      Enabled: key.keyState === 'Enabled',
      Description: key.description,
      KeyUsage: key.keyUsage,
      KeyState: key.keyState,
      DeletionDate: seconds(key.deletionDate),
      PendingDeletionWindowInDays:
        key.keyState === 'PendingReplicaDeletion' ? key.pendingWindowDays : undefined,
      Origin: key.origin,
      KeyManager: key.keyManager,
      CustomerMasterKeySpec: key.keySpec,
      KeySpec: key.keySpec,
      CustomKeyStoreId: key.customKeyStoreId,
      MultiRegion: key.multiRegion,
    },
  };
}

export function getKeyRotationStatus(call: JsonCall): unknown {
  const { key } = findKey(call, 'GetKeyRotationStatus', false);
  if (key.rotationDenied) {
    throw new AwsError(
      'AccessDeniedException',
      `User: ${call.caller.arn} is not authorized to perform: kms:GetKeyRotationStatus`,
    );
  }
  if (key.keySpec !== 'SYMMETRIC_DEFAULT' || key.origin !== 'AWS_KMS' || key.customKeyStoreId !== undefined) {
    throw new AwsError(
      'UnsupportedOperationException',
      `${keyArn(call.caller.accountId, call.region, key.keyId)} origin or key spec does not support automatic rotation`,
    );
  }
  if (key.keyState === 'PendingDeletion' || key.keyState === 'PendingReplicaDeletion') {
    throw new AwsError(
      'KMSInvalidStateException',
      `${keyArn(call.caller.accountId, call.region, key.keyId)} is pending deletion.`,
    );
  }
  return {
    KeyId: keyArn(call.caller.accountId, call.region, key.keyId),
    KeyRotationEnabled: key.rotationEnabled,
    ...(key.rotationEnabled
      ? {
          RotationPeriodInDays: key.rotationPeriodInDays ?? 365,
          NextRotationDate: Date.now() / 1000 + 86_400 * 30,
        }
      : {}),
  };
}

/** KMS's default key policy: the account (its IAM policies) may use the key; nobody else. */
export function defaultKeyPolicy(accountId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  });
}

export function getKeyPolicy(call: JsonCall): unknown {
  const { accountId, key } = findKey(call, 'GetKeyPolicy', false);
  const check = new ParamCheck('ValidationException');
  const name = check.string('policyName', call.body['PolicyName'], 1, 128, /^[\w]+$/);
  check.done();
  // KMS has one key policy per key, named default.
  if (name !== undefined && name !== 'default')
    throw new AwsError('NotFoundException', `No such policy: ${name}`);
  if (key.policyDenied) {
    throw new AwsError(
      'AccessDeniedException',
      `User: ${call.caller.arn} is not authorized to perform: kms:GetKeyPolicy on resource: ${keyArn(accountId, call.region, key.keyId)} because no resource-based policy allows the kms:GetKeyPolicy action`,
    );
  }
  return { Policy: key.policy ?? defaultKeyPolicy(accountId), PolicyName: 'default' };
}

export function listAliases(call: JsonCall): unknown {
  const check = new ParamCheck('ValidationException');
  const limit = check.integer('limit', call.body['Limit'], 1, 100) ?? 50;
  const marker = check.string('marker', call.body['Marker'], 1, 320, MARKER);
  const keyId = check.string('keyId', call.body['KeyId'], 1, 2048);
  check.done();
  const target = keyId === undefined ? undefined : findKey(call, 'ListAliases', false).key;
  const aliases = call.state
    .keys(call.caller.accountId, call.region)
    .filter((k) => k.keyManager === 'CUSTOMER' && (target === undefined || k === target))
    .map((k) => {
      const alias = aliasOf(call.caller.accountId, call.region, k);
      return { AliasName: alias.name, AliasArn: alias.arn, TargetKeyId: k.keyId };
    });
  const result = page(aliases, marker, limit, kmsInvalidMarker);
  return {
    Aliases: result.items,
    Truncated: result.next !== undefined,
    ...(result.next ? { NextMarker: result.next } : {}),
  };
}

export function describeOrganization(call: JsonCall): unknown {
  const management = call.state.managementAccountId;
  return {
    Organization: {
      Id: call.state.organizationId,
      Arn: `arn:aws:organizations::${management}:organization/${call.state.organizationId}`,
      MasterAccountId: management,
      MasterAccountArn: `arn:aws:organizations::${management}:account/${call.state.organizationId}/${management}`,
      FeatureSet: 'ALL',
    },
  };
}

export function listAccounts(call: JsonCall): unknown {
  if (call.caller.accountId !== call.state.managementAccountId) {
    throw new AwsError('AccessDeniedException', 'You don’t have permissions to access this resource.');
  }
  const accounts = [...call.state.accounts.values()];
  const maxResults = call.body['MaxResults'];
  // Organizations answers its own InvalidInputException, with the reason.
  const reason =
    typeof maxResults === 'number' && maxResults > 20 ? 'MAX_VALUE_EXCEEDED' : 'MIN_VALUE_EXCEEDED';
  const check = new ParamCheck('InvalidInputException', 'SerializationException', { Reason: reason });
  const max = check.integer('maxResults', maxResults, 1, 20) ?? 20;
  const token = check.string('nextToken', call.body['NextToken'], 0, 100_000);
  check.done();
  const result = page(
    accounts,
    token,
    max,
    () =>
      new AwsError(
        'InvalidInputException',
        'You specified an invalid value for nextToken. You must get the value from the response to a previous call to the API.',
        400,
        { Reason: 'INVALID_NEXT_TOKEN' },
      ),
  );

  return {
    Accounts: result.items.map((a) => ({
      Id: a.id,
      Arn: `arn:aws:organizations::${call.state.managementAccountId}:account/${call.state.organizationId}/${a.id}`,
      Name: a.name,
      Email: `${a.name}@example.com`,
      Status: a.status,
      State: a.status,
      JoinedMethod: 'CREATED',
      JoinedTimestamp: 1_700_000_000,
    })),
    ...(result.next ? { NextToken: result.next } : {}),
  };
}
