/**
 * Policy documents the simulator plants in generated accounts, each with its exactly-decided KMS.1/KMS.2
 * verdict (for the default blocked actions). Generated from test/fixtures/policies.jsonl; the simulator
 * ships, so it carries its own copy.
 */
export interface PolicyKind {
  id: string;
  verdict: 'PASSED' | 'FAILED';
  document: Record<string, unknown>;
}

export const POLICY_KINDS: readonly PolicyKind[] = [
  {
    id: 'star-decrypt',
    verdict: 'FAILED',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }],
    },
  },
  {
    id: 'star-decrypt-condition',
    verdict: 'FAILED',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
        },
      ],
    },
  },
  {
    id: 'all-actions-star',
    verdict: 'FAILED',
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
  },
  {
    id: 'kms-star-star',
    verdict: 'FAILED',
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] },
  },
  {
    id: 'case-insensitive-action',
    verdict: 'FAILED',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'KMS:DECRYPT', Resource: '*' }],
    },
  },
  {
    id: 'action-glob-de',
    verdict: 'FAILED',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:De*', Resource: 'arn:aws:kms:*:*:key/*' }],
    },
  },
  {
    id: 'action-glob-question',
    verdict: 'FAILED',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:Decryp?', Resource: '*' }],
    },
  },
  {
    id: 'action-glob-reencrypt',
    verdict: 'FAILED',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:ReEncrypt*', Resource: '*' }],
    },
  },
  {
    id: 'encrypt-only',
    verdict: 'PASSED',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:GenerateDataKey'], Resource: '*' }],
    },
  },
  {
    id: 'one-key',
    verdict: 'PASSED',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        },
      ],
    },
  },
  {
    id: 'one-region-one-account',
    verdict: 'PASSED',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: 'arn:aws:kms:us-east-1:111122223333:key/*' }],
    },
  },
  {
    id: 'all-regions-one-account',
    verdict: 'PASSED',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: 'arn:aws:kms:*:111122223333:key/*' }],
    },
  },
  {
    id: 'all-accounts-one-region',
    verdict: 'PASSED',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:eu-west-1:*:key/*' }],
    },
  },
  {
    id: 'short-arn-service',
    verdict: 'FAILED',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:kms:*' }],
    },
  },
  {
    id: 'partition-wildcard',
    verdict: 'FAILED',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:*:kms:*:*:*' }],
    },
  },
  {
    id: 'wrong-service',
    verdict: 'PASSED',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::*' }],
    },
  },
  {
    id: 'mid-segment-star',
    verdict: 'PASSED',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:kms:*east*' }],
    },
  },
  {
    id: 'region-star-spans',
    verdict: 'FAILED',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:key/*' }],
    },
  },
  {
    id: 'key-prefix-only',
    verdict: 'PASSED',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:*:key/mrk-*' }],
    },
  },
  {
    id: 'alias-resource',
    verdict: 'PASSED',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:*:alias/*' }],
    },
  },
  {
    id: 'notaction-s3',
    verdict: 'FAILED',
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: 's3:*', Resource: '*' }] },
  },
  {
    id: 'notaction-kms',
    verdict: 'PASSED',
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: 'kms:*', Resource: '*' }] },
  },
  {
    id: 'notaction-decrypt-only',
    verdict: 'FAILED',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', NotAction: ['kms:Decrypt'], Resource: '*' }],
    },
  },
  {
    id: 'notresource-one-key',
    verdict: 'PASSED',
    document: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', NotAction: 's3:*', NotResource: 'arn:aws:kms:us-east-1:111122223333:key/abc' },
      ],
    },
  },
  {
    id: 'notresource-other-service',
    verdict: 'FAILED',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', NotResource: ['arn:aws:s3:::*'] }],
    },
  },
  {
    id: 'deny-subset',
    verdict: 'FAILED',
    document: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:*:key/1*' },
      ],
    },
  },
  {
    id: 'deny-all-decrypt',
    verdict: 'FAILED',
    document: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' },
      ],
    },
  },
  {
    id: 'deny-conditional',
    verdict: 'FAILED',
    document: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'kms:*', Resource: '*' },
        {
          Effect: 'Deny',
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    },
  },
  {
    id: 'deny-notresource',
    verdict: 'PASSED',
    document: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' },
        { Effect: 'Deny', Action: 'kms:*', NotResource: 'arn:aws:kms:*:111122223333:key/*' },
      ],
    },
  },
  {
    id: 'union-covers',
    verdict: 'FAILED',
    document: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:*:key/a*' },
        { Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:*:key/*' },
      ],
    },
  },
  {
    id: 'union-gap',
    verdict: 'PASSED',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: ['arn:aws:kms:us-*:*:key/*', 'arn:aws:kms:eu-*:*:key/*'],
        },
      ],
    },
  },
  {
    id: 'variable-username',
    verdict: 'PASSED',
    document: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:*:key/${aws:username}' },
      ],
    },
  },
  {
    id: 'variable-escape-star',
    verdict: 'PASSED',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:*:key/${*}' }],
    },
  },
  {
    id: 'question-marks-account',
    verdict: 'FAILED',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:????????????:key/*' }],
    },
  },
  {
    id: 'statement-object',
    verdict: 'FAILED',
    document: {
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Action: 'kms:ReEncryptFrom', Resource: '*' },
    },
  },
  {
    id: 'mixed-statements',
    verdict: 'FAILED',
    document: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
        { Effect: 'Allow', Action: ['kms:Encrypt', 'kms:ReEncryptFrom'], Resource: ['arn:aws:kms:*:*:*'] },
      ],
    },
  },
];
