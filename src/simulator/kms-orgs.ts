/** KMS and Organizations (JSON 1.1). */
import { keyArn } from './generate.js';
import { actionMatches, authorizeKeyRequest } from './key-policy-auth.js';
import { awsManagedKeyPolicy, defaultKeyPolicy, MEMBER_ROLE_KMS_ACTIONS } from './key-policies.js';
import { jsonObject, ParamCheck } from './params.js';
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

export interface KeyRef {
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
export function findKey(call: JsonCall, operation: string, allowAlias: boolean): KeyRef {
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

/** The key's policy: its own, else the default AWS gives its kind of key. */
export function keyPolicyOf(accountId: string, region: string, key: SimKey): Record<string, unknown> {
  if (key.policy !== undefined) return key.policy;
  return key.keyManager === 'AWS'
    ? { ...awsManagedKeyPolicy(accountId, region) }
    : { ...defaultKeyPolicy(accountId) };
}

/** Who the caller is to a policy: its session ARN, and the role ARN behind an assumed-role session. */
function principalOf(caller: SimSession): { callerArn: string; principalArn: string; role?: string } {
  const session = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(caller.arn);
  if (session === null) return { callerArn: caller.arn, principalArn: caller.arn };
  return {
    callerArn: caller.arn,
    principalArn: `arn:aws:iam::${session[1]!}:role/${session[2]!}`,
    role: session[2]!,
  };
}

/**
 * Whether the caller's identity-based policies allow the action. Only roles are modelled (the member
 * role by default); the hub's own user is treated as allowed, as an administrator would be.
 */
function iamAllows(call: JsonCall, action: string): boolean {
  const { role } = principalOf(call.caller);
  const simRole = role === undefined ? undefined : call.state.account(call.caller.accountId)?.roles.get(role);
  if (simRole === undefined) return true;
  const patterns = simRole.kmsActions ?? MEMBER_ROLE_KMS_ACTIONS;
  return patterns.some((pattern) => actionMatches(pattern, action));
}

/** An action that only IAM governs (ListKeys, ListAliases): refused when the caller's IAM policy lacks it. */
export function requireIam(call: JsonCall, operation: string): void {
  if (iamAllows(call, `kms:${operation}`)) return;
  throw new AwsError(
    'AccessDeniedException',
    `User: ${call.caller.arn} is not authorized to perform: kms:${operation} on resource: * because no identity-based policy allows the kms:${operation} action`,
  );
}

/** The key policy's say on one call to one key (issue 16), with the caller's IAM side. */
export function decide(call: JsonCall, ref: KeyRef, operation: string, policy: unknown) {
  const { callerArn, principalArn } = principalOf(call.caller);
  const action = `kms:${operation}`;
  return authorizeKeyRequest(policy, {
    action,
    keyArn: keyArn(ref.accountId, ref.region, ref.key.keyId),
    callerArn,
    principalArn,
    callerAccount: call.caller.accountId,
    iamAllows: iamAllows(call, action),
    context: { 'aws:PrincipalOrgID': call.state.organizationId },
  });
}

/** Refuses the call with AccessDeniedException, as AWS words it, unless the key policy allows it. */
export function authorize(call: JsonCall, ref: KeyRef, operation: string): void {
  const decision = decide(call, ref, operation, keyPolicyOf(ref.accountId, ref.region, ref.key));
  if (!decision.allowed) throw new AwsError('AccessDeniedException', decision.message);
}

export function listKeys(call: JsonCall): unknown {
  requireIam(call, 'ListKeys');
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
  const ref = findKey(call, 'DescribeKey', true);
  authorize(call, ref, 'DescribeKey');
  const { key } = ref;
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
  return { KeyMetadata: keyMetadata(call.caller.accountId, call.region, key) };
}

/** A key's KeyMetadata as DescribeKey and CreateKey answer it. */
export function keyMetadata(accountId: string, region: string, key: SimKey): Record<string, unknown> {
  return {
    AWSAccountId: accountId,
    KeyId: key.keyId,
    Arn: keyArn(accountId, region, key.keyId),
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
  };
}

export function getKeyRotationStatus(call: JsonCall): unknown {
  const ref = findKey(call, 'GetKeyRotationStatus', false);
  authorize(call, ref, 'GetKeyRotationStatus');
  const { key } = ref;
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
  requireIam(call, 'ListAliases');
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

/** GetKeyPolicy: the key id or key ARN (no alias), and the only policy name KMS has, `default`. */
export function getKeyPolicy(call: JsonCall): unknown {
  const check = new ParamCheck('ValidationException');
  const policyName = check.string('policyName', call.body['PolicyName'], 1, 128, /^\w+$/) ?? 'default';
  check.done();
  const ref = findKey(call, 'GetKeyPolicy', false);
  authorize(call, ref, 'GetKeyPolicy');
  // KMS has one key policy per key; another name is not found (the API reference: "The only valid
  // name is default").
  if (policyName !== 'default')
    throw new AwsError(
      'NotFoundException',
      `Key policy ${policyName} is not found for key ${ref.key.keyId}.`,
    );
  return {
    Policy: JSON.stringify(keyPolicyOf(ref.accountId, ref.region, ref.key)),
    PolicyName: 'default',
  };
}

/**
 * PutKeyPolicy: replaces the key policy. Like KMS, it refuses a policy that would stop the caller from
 * changing it again, unless BypassPolicyLockoutSafetyCheck is true.
 */
export function putKeyPolicy(call: JsonCall): unknown {
  const check = new ParamCheck('ValidationException');
  const policyName = check.string('policyName', call.body['PolicyName'], 1, 128, /^\w+$/) ?? 'default';
  const text = check.string('policy', call.body['Policy'], 1, 131_072, undefined, true);
  check.done();
  const bypass = call.body['BypassPolicyLockoutSafetyCheck'] ?? false;
  if (typeof bypass !== 'boolean')
    throw new AwsError('SerializationException', 'bypassPolicyLockoutSafetyCheck: expected a boolean');
  const ref = findKey(call, 'PutKeyPolicy', false);
  authorize(call, ref, 'PutKeyPolicy');
  if (policyName !== 'default')
    throw new AwsError(
      'NotFoundException',
      `Key policy ${policyName} is not found for key ${ref.key.keyId}.`,
    );
  let document: Record<string, unknown>;
  try {
    document = jsonObject(JSON.parse(text!));
  } catch {
    throw new AwsError('MalformedPolicyDocumentException', 'The new key policy is not a JSON document.');
  }
  if (!bypass && !decide(call, ref, 'PutKeyPolicy', document).allowed)
    throw new AwsError(
      'MalformedPolicyDocumentException',
      'The new key policy will not allow you to update the key policy in the future.',
    );
  ref.key.policy = document;
  return {};
}

/** ListResourceTags: the key's tags, paginated like the other KMS lists. */
export function listResourceTags(call: JsonCall): unknown {
  const check = new ParamCheck('ValidationException');
  const limit = check.integer('limit', call.body['Limit'], 1, 50) ?? 50;
  const marker = check.string('marker', call.body['Marker'], 1, 1024, MARKER);
  check.done();
  const ref = findKey(call, 'ListResourceTags', false);
  authorize(call, ref, 'ListResourceTags');
  const result = page(ref.key.tags ?? [], marker, limit, kmsInvalidMarker);
  return {
    Tags: result.items,
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
