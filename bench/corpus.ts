/** A generated corpus of realistic IAM policies (seeded, so every run measures the same documents). */
import { seededRandom } from '../src/simulator/random.js';

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', '*', 'us-*', '*-1'];
const SERVICES_ACTIONS: Record<string, string[]> = {
  s3: ['s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:*', 's3:Get*'],
  ec2: ['ec2:Describe*', 'ec2:StartInstances', 'ec2:*'],
  dynamodb: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:*'],
  kms: [
    'kms:Decrypt',
    'kms:Encrypt',
    'kms:GenerateDataKey*',
    'kms:ReEncrypt*',
    'kms:DescribeKey',
    'kms:*',
    'kms:De*',
  ],
  logs: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  '*': ['*'],
};

/**
 * Where account and key ids come from. A real organization has a bounded set of accounts and keys that
 * its policies name over and over (`pool`); `unique` draws fresh ids for every pattern, the worst case
 * for the engine's memo tables.
 */
export type IdSource = 'pool' | 'unique';

const ACCOUNT_POOL = Array.from({ length: 25 }, (_, i) => String(111122220000 + i * 7919));
const KEY_POOL = Array.from(
  { length: 200 },
  (_, i) => `${(0x1234abcd + i * 104729).toString(16)}-12ab-34cd-56ef-1234567890ab`,
);

export function generatePolicy(
  random: () => number,
  statements: number,
  ids: IdSource = 'pool',
): Record<string, unknown> {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const account = (): string =>
    random() < 0.2
      ? '*'
      : ids === 'pool'
        ? pick(ACCOUNT_POOL)
        : String(100000000000 + Math.floor(random() * 899999999999));
  const keyId = (): string => {
    if (random() < 0.4) return '*';
    if (random() < 0.5)
      return ids === 'pool'
        ? pick(KEY_POOL)
        : `${Math.floor(random() * 0xffffffff).toString(16)}-12ab-34cd-56ef-1234567890ab`;
    return `mrk-${ids === 'pool' ? Math.floor(random() * 50) : Math.floor(random() * 1e6)}*`;
  };
  const resourceFor = (service: string): string => {
    switch (service) {
      case 's3':
        return pick(['arn:aws:s3:::my-bucket', 'arn:aws:s3:::my-bucket/*', 'arn:aws:s3:::*', '*']);
      case 'kms':
        return pick([
          `arn:aws:kms:${pick(REGIONS)}:${account()}:key/${keyId()}`,
          `arn:aws:kms:${pick(REGIONS)}:${account()}:alias/app-*`,
          'arn:aws:kms:*',
          '*',
          `arn:aws:kms:*:${account()}:*`,
        ]);
      case 'dynamodb':
        return `arn:aws:dynamodb:${pick(REGIONS)}:${account()}:table/${pick(['orders', 'users', '*'])}`;
      case 'ec2':
        return pick(['*', `arn:aws:ec2:${pick(REGIONS)}:${account()}:instance/*`]);
      default:
        return pick(['*', `arn:aws:logs:${pick(REGIONS)}:${account()}:log-group:*`]);
    }
  };
  const body = [];
  for (let i = 0; i < statements; i++) {
    const service = pick(Object.keys(SERVICES_ACTIONS));
    const actions = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
      pick(SERVICES_ACTIONS[service]!),
    );
    const resources = Array.from({ length: 1 + Math.floor(random() * 3) }, () => resourceFor(service));
    const statement: Record<string, unknown> = { Sid: `S${i}`, Effect: random() < 0.15 ? 'Deny' : 'Allow' };
    statement[random() < 0.08 ? 'NotAction' : 'Action'] = actions;
    statement[random() < 0.05 ? 'NotResource' : 'Resource'] = resources;
    if (random() < 0.2) statement['Condition'] = { StringEquals: { 'aws:RequestedRegion': pick(REGIONS) } };
    body.push(statement);
  }
  return { Version: '2012-10-17', Statement: body };
}

/** `count` policies, generated one at a time (a scan streams them too); statement counts spread over 1..max. */
export function* generateCorpus(
  seed: number,
  count: number,
  maxStatements: number,
  ids: IdSource = 'pool',
): Generator<Record<string, unknown>> {
  const random = seededRandom(seed);
  for (let i = 0; i < count; i++) yield generatePolicy(random, 1 + (i % maxStatements), ids);
}
