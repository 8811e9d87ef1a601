/**
 * KMS's own events, which no API call triggers: "KMS CMK Deletion" when a key's waiting period ends and
 * KMS deletes it, "KMS CMK Rotation" when KMS rotates a key's material on schedule. The simulator keeps no
 * clock for either; a test or demo makes them happen now.
 */
import { randomUUID } from 'node:crypto';
import { keyArn } from './generate.js';
import type { SimState } from './state.js';

export interface KeyAt {
  accountId: string;
  region: string;
  keyId: string;
}

function kmsEvent(detailType: string, at: KeyAt): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: 'aws.kms',
    account: at.accountId,
    time: `${new Date().toISOString().slice(0, 19)}Z`,
    region: at.region,
    resources: [keyArn(at.accountId, at.region, at.keyId)],
    detail: { 'key-id': at.keyId },
  };
}

function keyOf(state: SimState, at: KeyAt) {
  const keys = state.account(at.accountId) === undefined ? [] : state.keys(at.accountId, at.region);
  const key = keys.find((k) => k.keyId === at.keyId);
  if (key === undefined) throw new Error(`no key ${at.keyId} in ${at.accountId}/${at.region}`);
  return { keys, key };
}

/** Ends the waiting period of a key pending deletion: the key is gone (NotFoundException from now on). */
export function completeKeyDeletion(state: SimState, at: KeyAt): Record<string, unknown> {
  const { keys, key } = keyOf(state, at);
  if (key.keyState !== 'PendingDeletion')
    throw new Error(`key ${at.keyId} is ${key.keyState}, not PendingDeletion`);
  keys.splice(keys.indexOf(key), 1);
  return kmsEvent('KMS CMK Deletion', at);
}

/** A scheduled rotation of a key whose automatic rotation is on. */
export function rotateKey(state: SimState, at: KeyAt): Record<string, unknown> {
  const { key } = keyOf(state, at);
  if (!key.rotationEnabled || key.keyState !== 'Enabled')
    throw new Error(`key ${at.keyId} does not rotate automatically (rotation off or not Enabled)`);
  return kmsEvent('KMS CMK Rotation', at);
}
