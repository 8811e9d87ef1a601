/**
 * GetKeyPolicy, ListResourceTags and key-policy authorization through the real @aws-sdk/client-kms
 * against the simulator over HTTP: AWS's response shapes and errors, and locked keys that refuse the
 * member role exactly the calls issue 16 describes.
 */
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { DEFAULT_EXTERNAL_ID, startSimulator } from '../../src/simulator/index.js';
import type { Credentials } from './signed.js';

let sim: RunningSimulator;
let accounts: string[];
const REGION = 'us-east-1';

async function memberClient(account: string): Promise<KMSClient> {
  const c = (
    await new STSClient({
      endpoint: sim.endpoint,
      region: REGION,
      credentials: sim.hubCredentials,
      maxAttempts: 1,
    }).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${account}:role/KeywardenMemberRole`,
        RoleSessionName: 'policy-test',
        ExternalId: DEFAULT_EXTERNAL_ID,
      }),
    )
  ).Credentials!;
  const credentials: Credentials = {
    accessKeyId: c.AccessKeyId!,
    secretAccessKey: c.SecretAccessKey!,
    sessionToken: c.SessionToken!,
  };
  return new KMSClient({ endpoint: sim.endpoint, region: REGION, credentials, maxAttempts: 1 });
}

const session = (account: string) => `arn:aws:sts::${account}:assumed-role/KeywardenMemberRole/policy-test`;
const arnOf = (account: string, keyId: string) => `arn:aws:kms:${REGION}:${account}:key/${keyId}`;

beforeAll(async () => {
  sim = await startSimulator({
    organization: {
      accounts: 2,
      regions: [REGION],
      seed: 12,
      keyPolicyKinds: true,
      lockedKeys: true,
      memberRoleWithoutDescribeKey: true,
    },
    faults: { throttling: false },
  });
  accounts = [...sim.state.accounts.keys()];
});
afterAll(async () => sim.stop());

describe('GetKeyPolicy', () => {
  it('answers {Policy, PolicyName} with the key’s policy as a JSON string, by key id or key ARN', async () => {
    const kms = await memberClient(accounts[0]!);
    const key = sim.state.keys(accounts[0]!, REGION).find((k) => k.keyManager === 'CUSTOMER')!;
    for (const KeyId of [key.keyId, arnOf(accounts[0]!, key.keyId)]) {
      for (const PolicyName of [undefined, 'default']) {
        const answer = await kms.send(new GetKeyPolicyCommand({ KeyId, PolicyName }));
        expect(answer.PolicyName).toBe('default');
        expect(JSON.parse(answer.Policy!)).toEqual(key.policy);
      }
    }
  });

  it('answers an AWS managed key with AWS’s policy for it', async () => {
    const kms = await memberClient(accounts[0]!);
    const key = sim.state.keys(accounts[0]!, REGION).find((k) => k.keyManager === 'AWS')!;
    const policy = JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: key.keyId }))).Policy!) as {
      Statement: { Sid: string }[];
    };
    expect(policy.Statement.map((s) => s.Sid)).toContain(
      'Allow direct access to key metadata to the account',
    );
  });

  it('refuses a policy name other than default, an alias, and an unknown key as AWS does', async () => {
    const kms = await memberClient(accounts[0]!);
    const key = sim.state.keys(accounts[0]!, REGION).find((k) => k.keyManager === 'CUSTOMER')!;
    await expect(
      kms.send(new GetKeyPolicyCommand({ KeyId: key.keyId, PolicyName: 'other' })),
    ).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    await expect(
      kms.send(new GetKeyPolicyCommand({ KeyId: key.keyId, PolicyName: 'not-a-word' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("at 'policyName' failed to satisfy constraint"),
    });
    await expect(kms.send(new GetKeyPolicyCommand({ KeyId: 'alias/anything' }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    const unknown = '00000000-0000-0000-0000-000000000000';
    await expect(kms.send(new GetKeyPolicyCommand({ KeyId: unknown }))).rejects.toMatchObject({
      name: 'NotFoundException',
      message: `Key '${arnOf(accounts[0]!, unknown)}' does not exist`,
    });
  });
});

describe('PutKeyPolicy', () => {
  it('is refused to the read-only member role, and replaces the policy for a role that may', async () => {
    const account = accounts[0]!;
    const kms = await memberClient(account);
    const key = sim.state.keys(account, REGION).find((k) => k.keyManager === 'CUSTOMER')!;
    const original = key.policy;
    key.policy = undefined; // AWS's default: IAM decides, and the member role's IAM policy only reads
    const locked = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${account}:role/KeyAdmin` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    });
    await expect(
      kms.send(new PutKeyPolicyCommand({ KeyId: key.keyId, Policy: locked })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('because no identity-based policy allows the kms:PutKeyPolicy action'),
    });
    const role = sim.state.account(account)!.roles.get('KeywardenMemberRole')!;
    role.kmsActions = ['kms:*'];
    try {
      // A policy that would lock the caller out is refused unless the safety check is bypassed.
      await expect(
        kms.send(new PutKeyPolicyCommand({ KeyId: key.keyId, Policy: locked })),
      ).rejects.toMatchObject({
        name: 'MalformedPolicyDocumentException',
      });
      await expect(
        kms.send(new PutKeyPolicyCommand({ KeyId: key.keyId, Policy: '{not json' })),
      ).rejects.toMatchObject({
        name: 'MalformedPolicyDocumentException',
      });
      await kms.send(
        new PutKeyPolicyCommand({ KeyId: key.keyId, Policy: locked, BypassPolicyLockoutSafetyCheck: true }),
      );
      expect(key.policy).toEqual(JSON.parse(locked));
      // Now the key policy names only KeyAdmin: the member role cannot even read it.
      await expect(kms.send(new GetKeyPolicyCommand({ KeyId: key.keyId }))).rejects.toMatchObject({
        name: 'AccessDeniedException',
        message: expect.stringContaining(
          'because no resource-based policy allows the kms:GetKeyPolicy action',
        ),
      });
    } finally {
      delete role.kmsActions;
      key.policy = original;
    }
  });
});

describe('ListResourceTags', () => {
  it('answers the key’s tags, paginated', async () => {
    const kms = await memberClient(accounts[0]!);
    const key = sim.state.keys(accounts[0]!, REGION).find((k) => k.keyManager === 'CUSTOMER')!;
    key.tags = [
      { TagKey: 'team', TagValue: 'payments' },
      { TagKey: 'env', TagValue: 'prod' },
    ];
    const first = await kms.send(new ListResourceTagsCommand({ KeyId: key.keyId, Limit: 1 }));
    expect(first).toMatchObject({ Tags: [{ TagKey: 'team', TagValue: 'payments' }], Truncated: true });
    const second = await kms.send(
      new ListResourceTagsCommand({ KeyId: key.keyId, Limit: 1, Marker: first.NextMarker! }),
    );
    expect(second).toMatchObject({ Tags: [{ TagKey: 'env', TagValue: 'prod' }], Truncated: false });
    expect(second.NextMarker).toBeUndefined();
  });
});

/** Issue 16's locked kinds: which of keywarden's calls each refuses the member role, and how. */
const REFUSED: Record<string, { calls: string[]; tail: string }> = {
  'deny-all-except-key-admin': {
    calls: ['DescribeKey', 'GetKeyRotationStatus', 'GetKeyPolicy', 'ListResourceTags'],
    tail: 'with an explicit deny in a resource-based policy',
  },
  'other-account-only': {
    calls: ['DescribeKey', 'GetKeyRotationStatus', 'GetKeyPolicy', 'ListResourceTags'],
    tail: 'because no resource-based policy allows the kms:',
  },
  'deny-rotation-status': {
    calls: ['GetKeyRotationStatus'],
    tail: 'with an explicit deny in a resource-based policy',
  },
  'deny-get-key-policy': {
    calls: ['GetKeyPolicy'],
    tail: 'with an explicit deny in a resource-based policy',
  },
};

async function call(kms: KMSClient, operation: string, KeyId: string): Promise<unknown> {
  switch (operation) {
    case 'DescribeKey':
      return kms.send(new DescribeKeyCommand({ KeyId }));
    case 'GetKeyRotationStatus':
      return kms.send(new GetKeyRotationStatusCommand({ KeyId }));
    case 'GetKeyPolicy':
      return kms.send(new GetKeyPolicyCommand({ KeyId }));
    default:
      return kms.send(new ListResourceTagsCommand({ KeyId }));
  }
}

/** `AccessDeniedException: <message>`, or `ok`/another error's name. */
async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    const e = error as Error;
    return e.name === 'AccessDeniedException' ? `${e.name}: ${e.message}` : e.name;
  }
}

describe('key-policy authorization (issue 16)', () => {
  it('locked keys refuse the member role exactly the calls of their kind, in AWS’s words', async () => {
    const account = accounts[0]!;
    const kms = await memberClient(account);
    const locked = sim.state.keys(account, REGION).filter((k) => k.description.startsWith('locked '));
    expect(locked).toHaveLength(8);
    for (const key of locked) {
      const kind = key.description.slice('locked '.length).split(',')[0]!;
      for (const operation of ['DescribeKey', 'GetKeyRotationStatus', 'GetKeyPolicy', 'ListResourceTags']) {
        const got = await outcome(call(kms, operation, key.keyId));
        const what = `${key.description}: ${operation}`;
        if (REFUSED[kind]!.calls.includes(operation)) {
          expect(got, what).toContain(
            `AccessDeniedException: User: ${session(account)} is not authorized to perform: kms:${operation} on resource: ${arnOf(account, key.keyId)} ${REFUSED[kind]!.tail}`,
          );
        } else {
          // Allowed: answered, or refused for another reason (a key pending deletion has no rotation status).
          expect(got, what).not.toContain('AccessDeniedException');
        }
      }
    }
  });

  it('the key policy neutralised by an unconditional Deny refuses every call; the other kinds none', async () => {
    const account = accounts[0]!;
    const kms = await memberClient(account);
    const keys = sim.state
      .keys(account, REGION)
      .filter((k) => k.keyManager === 'CUSTOMER' && !k.description.startsWith('locked '));
    let refused = 0;
    for (const key of keys) {
      const statements = (key.policy!['Statement'] as Record<string, unknown>[]) ?? [];
      const neutralised = statements.some((s) => s['Sid'] === 'DenyEveryone' && s['Effect'] === 'Deny');
      const got = await outcome(call(kms, 'DescribeKey', key.keyId));
      if (neutralised) refused++;
      expect(got.startsWith('AccessDeniedException'), key.description).toBe(neutralised);
    }
    expect(keys.length).toBeGreaterThan(0);
    // The simulator's expectations say the same: a WARNING for exactly those keys.
    const warned = sim.expected.filter(
      (e) => e.accountId === account && e.controlId === 'KMS.3' && e.status === 'WARNING',
    );
    expect(warned.length).toBe(refused + 4);
  });

  it('a member role without kms:DescribeKey is refused by IAM wherever the key policy defers to IAM', async () => {
    const account = accounts[1]!;
    const kms = await memberClient(account);
    const keys = sim.state.keys(account, REGION).filter((k) => !k.description.startsWith('locked '));
    const awsManaged = keys.find((k) => k.keyManager === 'AWS')!;
    const [withDefault, withPublic] = keys.filter((k) => k.keyManager === 'CUSTOMER');
    withDefault!.policy = undefined; // AWS's default key policy: the account's root, so IAM decides
    withPublic!.policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }],
    };
    for (const key of [awsManaged, withDefault!]) {
      expect(await outcome(call(kms, 'DescribeKey', key.keyId))).toBe(
        `AccessDeniedException: User: ${session(account)} is not authorized to perform: kms:DescribeKey on resource: ${arnOf(account, key.keyId)} because no identity-based policy allows the kms:DescribeKey action`,
      );
      // Its other permissions still hold.
      expect(await outcome(call(kms, 'GetKeyPolicy', key.keyId))).toBe('ok');
    }
    // A key policy that names everyone grants by itself, as at AWS.
    expect(await outcome(call(kms, 'DescribeKey', withPublic!.keyId))).toBe('ok');
  });
});
