/**
 * KMS write calls (JSON 1.1) that change what KMS.3, KMS.4 and KMS.5 decide: CreateKey, ScheduleKeyDeletion,
 * CancelKeyDeletion, EnableKey, DisableKey, EnableKeyRotation, DisableKeyRotation and PutKeyPolicy, with
 * KMS's validation, key-state and authorization errors. Each returns its answer and what CloudTrail records
 * of it; the server emits the event only when the call succeeded.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { camelCase, type CallRecord, cloudTrailDate, decapitalize } from './cloudtrail.js';
import { keyArn } from './generate.js';
import {
  authorize,
  decide,
  findKey,
  type JsonCall,
  keyMetadata,
  keyPolicyOf,
  type KeyRef,
  putKeyPolicy as putKeyPolicyCall,
  requireIam,
} from './kms-orgs.js';
import { jsonObject, ParamCheck } from './params.js';
import { AwsError } from './protocol.js';
import type { SimKey } from './state.js';

export interface Written {
  response: unknown;
  record: CallRecord;
}

const keyResources = (ref: KeyRef): CallRecord['resources'] => [
  { accountId: ref.accountId, type: 'AWS::KMS::Key', ARN: keyArn(ref.accountId, ref.region, ref.key.keyId) },
];

/** The request as CloudTrail records it (a key policy is recorded; nothing here is secret). */
const requestOf = (call: JsonCall): Record<string, unknown> =>
  camelCase(call.body) as Record<string, unknown>;

/** The key spec -> the key usages KMS accepts for it. */
const USAGES: Record<string, readonly string[]> = {
  SYMMETRIC_DEFAULT: ['ENCRYPT_DECRYPT'],
  RSA_2048: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  RSA_3072: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  RSA_4096: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  ECC_NIST_P256: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_NIST_P384: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_NIST_P521: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_SECG_P256K1: ['SIGN_VERIFY'],
  HMAC_224: ['GENERATE_VERIFY_MAC'],
  HMAC_256: ['GENERATE_VERIFY_MAC'],
  HMAC_384: ['GENERATE_VERIFY_MAC'],
  HMAC_512: ['GENERATE_VERIFY_MAC'],
};
const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'];

function bool(call: JsonCall, name: string): boolean {
  const value = call.body[name] ?? false;
  if (typeof value !== 'boolean')
    throw new AwsError('SerializationException', `${decapitalize(name)}: expected a boolean`);
  return value;
}

function parsePolicy(text: string): Record<string, unknown> {
  try {
    return jsonObject(JSON.parse(text));
  } catch {
    throw new AwsError('MalformedPolicyDocumentException', 'The new key policy is not a JSON document.');
  }
}

/** CreateKey: a new customer managed key in the caller's account and region. */
export function createKey(call: JsonCall): Written {
  requireIam(call, 'CreateKey');
  const check = new ParamCheck('ValidationException');
  const policyText = check.string('policy', call.body['Policy'], 1, 131_072);
  const description = check.string('description', call.body['Description'], 0, 8192) ?? '';
  const keySpec =
    check.string('keySpec', call.body['KeySpec'], 1, 64) ??
    check.string('customerMasterKeySpec', call.body['CustomerMasterKeySpec'], 1, 64) ??
    'SYMMETRIC_DEFAULT';
  const usage = check.string('keyUsage', call.body['KeyUsage'], 1, 64);
  const origin = check.string('origin', call.body['Origin'], 1, 64) ?? 'AWS_KMS';
  check.done();
  const multiRegion = bool(call, 'MultiRegion');
  const bypass = bool(call, 'BypassPolicyLockoutSafetyCheck');
  const usages = USAGES[keySpec];
  if (usages === undefined)
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${keySpec}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [${Object.keys(USAGES).join(', ')}]`,
    );
  const keyUsage = usage ?? usages[0]!;
  if (!usages.includes(keyUsage))
    throw new AwsError(
      'ValidationException',
      `KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`,
    );
  if (!ORIGINS.includes(origin))
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${origin}' at 'origin' failed to satisfy constraint: Member must satisfy enum value set: [${ORIGINS.join(', ')}]`,
    );
  // Custom key stores are not simulated: there is none to name.
  if (origin === 'AWS_CLOUDHSM' || origin === 'EXTERNAL_KEY_STORE')
    throw new AwsError('CustomKeyStoreNotFoundException', 'A CustomKeyStoreId is required for this origin.');
  if (origin === 'EXTERNAL' && keySpec !== 'SYMMETRIC_DEFAULT')
    throw new AwsError('UnsupportedOperationException', `${keySpec} keys cannot have imported key material.`);
  const key: SimKey = {
    keyId: multiRegion ? `mrk-${randomBytes(16).toString('hex')}` : randomUUID(),
    keyManager: 'CUSTOMER',
    keyState: origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
    keySpec,
    keyUsage,
    origin,
    description,
    creationDate: new Date(),
    multiRegion,
    rotationEnabled: false,
  };
  const ref: KeyRef = { accountId: call.caller.accountId, region: call.region, key };
  if (policyText !== undefined) {
    const policy = parsePolicy(policyText);
    if (!bypass && !decide(call, ref, 'PutKeyPolicy', policy).allowed)
      throw new AwsError(
        'MalformedPolicyDocumentException',
        'The new key policy will not allow you to update the key policy in the future.',
      );
    key.policy = policy;
  }
  const tags = call.body['Tags'];
  if (Array.isArray(tags)) key.tags = tags as { TagKey: string; TagValue: string }[];
  call.state.keys(call.caller.accountId, call.region).push(key);
  const metadata = keyMetadata(call.caller.accountId, call.region, key);
  return {
    response: { KeyMetadata: metadata },
    record: {
      requestParameters: requestOf(call),
      responseElements: {
        keyMetadata: camelCase({ ...metadata, CreationDate: cloudTrailDate(key.creationDate) }),
      },
      resources: keyResources(ref),
    },
  };
}

const invalidState = (ref: KeyRef) =>
  new AwsError(
    'KMSInvalidStateException',
    `${keyArn(ref.accountId, ref.region, ref.key.keyId)} is ${ref.key.keyState}`,
  );
const pending = (key: SimKey) =>
  key.keyState === 'PendingDeletion' || key.keyState === 'PendingReplicaDeletion';

/** The key named by KeyId (id or ARN, no alias), after the key policy allowed the operation. */
function target(call: JsonCall, operation: string): KeyRef {
  const ref = findKey(call, operation, false);
  authorize(call, ref, operation);
  return ref;
}

export function scheduleKeyDeletion(call: JsonCall): Written {
  const check = new ParamCheck('ValidationException');
  const days = check.integer('pendingWindowInDays', call.body['PendingWindowInDays'], 7, 30) ?? 30;
  check.done();
  const ref = target(call, 'ScheduleKeyDeletion');
  if (pending(ref.key)) throw invalidState(ref);
  const deletionDate = new Date(Date.now() + days * 86_400_000);
  ref.key.keyState = 'PendingDeletion';
  ref.key.deletionDate = deletionDate;
  ref.key.pendingWindowDays = days;
  const arn = keyArn(ref.accountId, ref.region, ref.key.keyId);
  return {
    response: {
      KeyId: arn,
      DeletionDate: deletionDate.getTime() / 1000,
      KeyState: 'PendingDeletion',
      PendingWindowInDays: days,
    },
    record: {
      requestParameters: requestOf(call),
      responseElements: {
        keyId: arn,
        deletionDate: cloudTrailDate(deletionDate),
        keyState: 'PendingDeletion',
        pendingWindowInDays: days,
      },
      resources: keyResources(ref),
    },
  };
}

/** CancelKeyDeletion: the key comes back Disabled, as at AWS. */
export function cancelKeyDeletion(call: JsonCall): Written {
  const ref = target(call, 'CancelKeyDeletion');
  if (ref.key.keyState !== 'PendingDeletion') throw invalidState(ref);
  ref.key.keyState = 'Disabled';
  delete ref.key.deletionDate;
  delete ref.key.pendingWindowDays;
  return answeredWithKeyId(call, ref);
}

/** The answer `{KeyId: <arn>}` and its record (CancelKeyDeletion, DeleteImportedKeyMaterial). */
function answeredWithKeyId(call: JsonCall, ref: KeyRef): Written {
  const arn = keyArn(ref.accountId, ref.region, ref.key.keyId);
  return {
    response: { KeyId: arn },
    record: {
      requestParameters: requestOf(call),
      responseElements: { keyId: arn },
      resources: keyResources(ref),
    },
  };
}

function setEnabled(call: JsonCall, operation: 'EnableKey' | 'DisableKey'): Written {
  const ref = target(call, operation);
  if (ref.key.keyState !== 'Enabled' && ref.key.keyState !== 'Disabled') throw invalidState(ref);
  ref.key.keyState = operation === 'EnableKey' ? 'Enabled' : 'Disabled';
  return {
    response: {},
    record: { requestParameters: requestOf(call), responseElements: null, resources: keyResources(ref) },
  };
}

export const enableKey = (call: JsonCall): Written => setEnabled(call, 'EnableKey');
export const disableKey = (call: JsonCall): Written => setEnabled(call, 'DisableKey');

/** Enable/DisableKeyRotation: symmetric keys with KMS's own key material, in the Enabled state. */
function setRotation(call: JsonCall, operation: 'EnableKeyRotation' | 'DisableKeyRotation'): Written {
  const check = new ParamCheck('ValidationException');
  const period =
    operation === 'EnableKeyRotation'
      ? check.integer('rotationPeriodInDays', call.body['RotationPeriodInDays'], 90, 2560)
      : undefined;
  check.done();
  const ref = target(call, operation);
  const { key } = ref;
  if (key.keySpec !== 'SYMMETRIC_DEFAULT' || key.origin !== 'AWS_KMS' || key.customKeyStoreId !== undefined)
    throw new AwsError(
      'UnsupportedOperationException',
      `${keyArn(ref.accountId, ref.region, key.keyId)} origin or key spec does not support automatic rotation`,
    );
  if (key.keyState !== 'Enabled') throw invalidState(ref);
  key.rotationEnabled = operation === 'EnableKeyRotation';
  if (key.rotationEnabled) key.rotationPeriodInDays = period ?? 365;
  else delete key.rotationPeriodInDays;
  return {
    response: {},
    record: { requestParameters: requestOf(call), responseElements: null, resources: keyResources(ref) },
  };
}

export const enableKeyRotation = (call: JsonCall): Written => setRotation(call, 'EnableKeyRotation');
export const disableKeyRotation = (call: JsonCall): Written => setRotation(call, 'DisableKeyRotation');

/** PutKeyPolicy (kms-orgs.ts has the call), with its CloudTrail record. */
export function putKeyPolicy(call: JsonCall): Written {
  const response = putKeyPolicyCall(call);
  const ref = findKey(call, 'PutKeyPolicy', false);
  return {
    response,
    record: { requestParameters: requestOf(call), responseElements: null, resources: keyResources(ref) },
  };
}

/** The KMS write actions this module serves, by X-Amz-Target action. */
export const KMS_WRITES: Readonly<Record<string, (call: JsonCall) => Written>> = {
  CreateKey: createKey,
  ScheduleKeyDeletion: scheduleKeyDeletion,
  CancelKeyDeletion: cancelKeyDeletion,
  EnableKey: enableKey,
  DisableKey: disableKey,
  EnableKeyRotation: enableKeyRotation,
  DisableKeyRotation: disableKeyRotation,
  PutKeyPolicy: putKeyPolicy,
  ReplicateKey: replicateKey,
  ImportKeyMaterial: importKeyMaterial,
  DeleteImportedKeyMaterial: deleteImportedKeyMaterial,
};

/**
 * ReplicateKey: a replica of a multi-Region primary key in another region, with the primary's key id and
 * key material (so its rotation), and the key policy given or the default one.
 */
export function replicateKey(call: JsonCall): Written {
  const check = new ParamCheck('ValidationException');
  const replicaRegion = check.string(
    'replicaRegion',
    call.body['ReplicaRegion'],
    1,
    32,
    /^[a-z0-9-]+$/,
    true,
  );
  const policyText = check.string('policy', call.body['Policy'], 1, 131_072);
  const description = check.string('description', call.body['Description'], 0, 8192);
  check.done();
  const bypass = bool(call, 'BypassPolicyLockoutSafetyCheck');
  const ref = target(call, 'ReplicateKey');
  requireIam(call, 'CreateKey');
  const primary = ref.key;
  if (!primary.multiRegion)
    throw new AwsError('UnsupportedOperationException', `${primary.keyId} is not a multi-Region key.`);
  if (replicaRegion === call.region || !call.state.regions.includes(replicaRegion!))
    throw new AwsError(
      'ValidationException',
      `${replicaRegion!} is not a region this key can be replicated to.`,
    );
  if (pending(primary) || primary.keyState === 'PendingImport') throw invalidState(ref);
  const replicas = call.state.keys(ref.accountId, replicaRegion!);
  if (replicas.some((k) => k.keyId === primary.keyId))
    throw new AwsError(
      'AlreadyExistsException',
      `A replica of ${primary.keyId} already exists in ${replicaRegion!}.`,
    );
  const replica: SimKey = {
    ...structuredClone({ ...primary, policy: undefined, tags: undefined, importToken: undefined }),
    description: description ?? primary.description,
    creationDate: new Date(),
  };
  delete replica.policy;
  const replicaRef: KeyRef = { accountId: ref.accountId, region: replicaRegion!, key: replica };
  if (policyText !== undefined) {
    const policy = parsePolicy(policyText);
    if (!bypass && !decide(call, replicaRef, 'PutKeyPolicy', policy).allowed)
      throw new AwsError(
        'MalformedPolicyDocumentException',
        'The new key policy will not allow you to update the key policy in the future.',
      );
    replica.policy = policy;
  }
  replicas.push(replica);
  const metadata = {
    ...keyMetadata(ref.accountId, replicaRegion!, replica),
    MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA' },
  };
  const replicaPolicy = JSON.stringify(keyPolicyOf(ref.accountId, replicaRegion!, replica));
  return {
    response: { ReplicaKeyMetadata: metadata, ReplicaPolicy: replicaPolicy, ReplicaTags: [] },
    record: {
      requestParameters: requestOf(call),
      responseElements: {
        replicaKeyMetadata: camelCase({ ...metadata, CreationDate: cloudTrailDate(replica.creationDate) }),
        replicaPolicy,
      },
      resources: keyResources(ref),
    },
  };
}

/** Keys with imported key material only (Origin EXTERNAL). */
function externalKey(call: JsonCall, operation: string): KeyRef {
  const ref = target(call, operation);
  if (ref.key.origin !== 'EXTERNAL')
    throw new AwsError(
      'UnsupportedOperationException',
      `${keyArn(ref.accountId, ref.region, ref.key.keyId)} origin is ${ref.key.origin} which is not valid for this operation.`,
    );
  if (pending(ref.key)) throw invalidState(ref);
  return ref;
}

/**
 * GetParametersForImport: a wrapping public key and an import token (random here: the simulator does not
 * unwrap key material; ImportKeyMaterial checks the token). Not a change: no event.
 */
export function getParametersForImport(call: JsonCall): unknown {
  const check = new ParamCheck('ValidationException');
  check.string('wrappingAlgorithm', call.body['WrappingAlgorithm'], 1, 64, undefined, true);
  check.string('wrappingKeySpec', call.body['WrappingKeySpec'], 1, 64, undefined, true);
  check.done();
  const ref = externalKey(call, 'GetParametersForImport');
  const token = randomBytes(64).toString('base64');
  ref.key.importToken = token;
  return {
    KeyId: keyArn(ref.accountId, ref.region, ref.key.keyId),
    ImportToken: token,
    PublicKey: randomBytes(294).toString('base64'),
    ParametersValidTo: Date.now() / 1000 + 86_400,
  };
}

export function importKeyMaterial(call: JsonCall): Written {
  const check = new ParamCheck('ValidationException');
  const token = check.string('importToken', call.body['ImportToken'], 1, 6144, undefined, true);
  check.string('encryptedKeyMaterial', call.body['EncryptedKeyMaterial'], 1, 6144, undefined, true);
  check.done();
  const ref = externalKey(call, 'ImportKeyMaterial');
  if (ref.key.importToken === undefined || ref.key.importToken !== token)
    throw new AwsError('InvalidImportTokenException', 'The import token is not valid for this key.');
  delete ref.key.importToken;
  ref.key.keyState = 'Enabled';
  const arn = keyArn(ref.accountId, ref.region, ref.key.keyId);
  const keyMaterialId = randomBytes(32).toString('hex');
  // CloudTrail leaves the key material and the token out of the record.
  const { importToken: _token, encryptedKeyMaterial: _material, ...request } = requestOf(call);
  return {
    response: { KeyId: arn, KeyMaterialId: keyMaterialId },
    record: {
      requestParameters: request,
      responseElements: { keyId: arn, keyMaterialId },
      resources: keyResources(ref),
    },
  };
}

export function deleteImportedKeyMaterial(call: JsonCall): Written {
  const ref = externalKey(call, 'DeleteImportedKeyMaterial');
  ref.key.keyState = 'PendingImport';
  return answeredWithKeyId(call, ref);
}
