/** Which version of a customer managed policy KMS.1 reads: the one flagged default, else DefaultVersionId's. */
import { describe, expect, it } from 'vitest';
import { defaultVersionOf } from '../../src/controls/index.js';
import { managedPolicy } from './helpers.js';

const A = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'A', Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }],
};
const B = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'B', Effect: 'Deny', Action: 'kms:*', Resource: '*' }],
};

describe('defaultVersionOf', () => {
  it('takes the version flagged default, even when DefaultVersionId names another', () => {
    const policy = managedPolicy('P', undefined, {
      defaultVersionId: 'v1',
      versions: [
        { versionId: 'v1', isDefaultVersion: false, document: A },
        { versionId: 'v2', isDefaultVersion: true, document: B },
      ],
    });
    expect(defaultVersionOf(policy)?.versionId).toBe('v2');
  });

  it('falls back to DefaultVersionId when no version is flagged', () => {
    const policy = managedPolicy('P', undefined, {
      defaultVersionId: 'v2',
      versions: [
        { versionId: 'v1', isDefaultVersion: false, document: A },
        { versionId: 'v2', isDefaultVersion: false, document: B },
      ],
    });
    expect(defaultVersionOf(policy)?.document).toBe(B);
  });

  it('finds none when neither names a collected version', () => {
    const versions = [{ versionId: 'v1', isDefaultVersion: false, document: A }];
    expect(
      defaultVersionOf(managedPolicy('P', undefined, { defaultVersionId: 'v9', versions })),
    ).toBeUndefined();
    expect(
      defaultVersionOf(managedPolicy('P', undefined, { defaultVersionId: undefined, versions })),
    ).toBeUndefined();
  });
});
