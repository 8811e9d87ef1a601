/** KMS and Organizations (JSON 1.1). */
import { keyArn } from './generate.js';
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

function page<T>(items: T[], marker: unknown, limit: unknown, max: number): { items: T[]; next?: string } {
  const start = marker === undefined ? 0 : Number(marker);
  if (!Number.isInteger(start) || start < 0) throw new AwsError('InvalidMarkerException', 'invalid marker');
  const size = Math.min(Number(limit ?? max), max);
  const items_ = items.slice(start, start + size);
  return start + size < items.length ? { items: items_, next: String(start + size) } : { items: items_ };
}

function findKey(call: JsonCall): SimKey {
  const ref = String(call.body['KeyId'] ?? '');
  const id = ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref;
  const key = call.state.keys(call.caller.accountId, call.region).find((k) => k.keyId === id);
  if (key === undefined)
    throw new AwsError(
      'NotFoundException',
      `Key '${keyArn(call.caller.accountId, call.region, id)}' does not exist`,
    );
  return key;
}

export function listKeys(call: JsonCall): unknown {
  const keys = call.state.keys(call.caller.accountId, call.region);
  if (call.quirks?.has('repeat-page-token')) {
    return { Keys: keys.slice(0, 1).map((k) => ({ KeyId: k.keyId })), Truncated: true, NextMarker: 'again' };
  }
  if (call.quirks?.has('empty-pages') && call.body['Marker'] === undefined) {
    return { Keys: [], Truncated: true, NextMarker: '0' };
  }
  const result = page(keys, call.body['Marker'], call.body['Limit'], 1000);
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
  const key = findKey(call);
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
  const key = findKey(call);
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

export function listAliases(call: JsonCall): unknown {
  const keys = call.state.keys(call.caller.accountId, call.region);
  return {
    Aliases: keys
      .filter((k) => k.keyManager === 'CUSTOMER')
      .map((k) => ({
        AliasName: `alias/${k.description.replace(/[^A-Za-z0-9/_-]/g, '-')}-${k.keyId.slice(0, 8)}`,
        AliasArn: `arn:aws:kms:${call.region}:${call.caller.accountId}:alias/${k.keyId.slice(0, 8)}`,
        TargetKeyId: k.keyId,
      })),
    Truncated: false,
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
  const result = page(accounts, call.body['NextToken'], call.body['MaxResults'] ?? 20, 20);
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
