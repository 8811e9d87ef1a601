import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kw-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const SECRET = 'super-secret-token-value-0123456789';

describe('configuration', () => {
  it('has defaults for everything', () => {
    const { config, enabledControls, params } = parseConfig({});
    expect(config).toMatchObject({
      accounts: { source: 'organizations' },
      memberRole: { name: 'KeywardenMemberRole', sessionDurationSeconds: 3600 },
      regions: { mode: 'enabled' },
      homeRegion: 'us-east-1',
      concurrency: { units: 16, perAccount: 4 },
      aws: { retryMode: 'adaptive', maxAttempts: 8 },
      import: { dryRun: false, importPassed: true, archiveResolved: true, productName: 'keywarden' },
      executor: { mode: 'inprocess' },
    });
    expect(enabledControls).toEqual(['KMS.1', 'KMS.2', 'KMS.3', 'KMS.4', 'KMS.5']);
    expect(params['KMS.1'].blockedActions).toEqual(['kms:Decrypt', 'kms:ReEncryptFrom']);
    expect(params['KMS.1'].excludePermissionBoundaryPolicy).toBe(true);
  });

  it('applies the file, then the environment, then overrides', () => {
    const path = file(
      'a.yaml',
      'homeRegion: eu-west-1\nmemberRole:\n  name: FromFile\ncontrols:\n  KMS.2:\n    enabled: false\n  KMS.4:\n    parameters:\n      maxRotationPeriodDays: 180\n',
    );
    const loaded = loadConfig({
      file: path,
      env: {
        KEYWARDEN_MEMBER_ROLE_NAME: 'FromEnv',
        KEYWARDEN_REGIONS: 'us-east-1, eu-west-1',
        KEYWARDEN_DRY_RUN: 'true',
      },
      overrides: { homeRegion: 'us-west-2' },
    });
    expect(loaded.config.memberRole.name).toBe('FromEnv');
    expect(loaded.config.homeRegion).toBe('us-west-2');
    expect(loaded.config.regions).toMatchObject({ mode: 'list', list: ['us-east-1', 'eu-west-1'] });
    expect(loaded.config.import.dryRun).toBe(true);
    expect(loaded.enabledControls).toEqual(['KMS.1', 'KMS.3', 'KMS.4', 'KMS.5']);
    expect(loaded.params['KMS.4'].maxRotationPeriodDays).toBe(180);
  });

  it('reads API tokens from a file', () => {
    const tokens = file('tokens', `# comment\n${SECRET}\nsecond-token-abcdefghijkl\n`);
    expect(loadConfig({ env: { KEYWARDEN_API_TOKENS_FILE: tokens } }).apiTokens).toEqual([
      SECRET,
      'second-token-abcdefghijkl',
    ]);
  });

  it.each([
    ['unknown field', { colour: 'red' }, /config: colour: unexpected property/],
    ['unknown control', { controls: { 'KMS.9': {} } }, /config: controls\.KMS\.9: unexpected property/],
    [
      'bad region',
      { regions: { mode: 'list', list: ['xx-nowhere-1'] } },
      /regions\.list: unknown region xx-nowhere-1/,
    ],
    ['malformed region', { homeRegion: 'EU-WEST' }, /homeRegion/],
    ['bad account id', { accounts: { source: 'list', list: ['1234'] } }, /accounts\.list\.0/],
    [
      'empty account list',
      { accounts: { source: 'list' } },
      /accounts\.list: must name at least one account/,
    ],
    [
      'session too long',
      { memberRole: { sessionDurationSeconds: 99999 } },
      /memberRole\.sessionDurationSeconds/,
    ],
    [
      'session longer than a chained session may last',
      { memberRole: { sessionDurationSeconds: 3601 } },
      /memberRole\.sessionDurationSeconds: must be between 900 and 3600: .*role chaining.*1 hour/,
    ],
    ['bad retry mode', { aws: { retryMode: 'legacy' } }, /aws\.retryMode: must be one of adaptive, standard/],
    [
      'rotation period too short',
      { controls: { 'KMS.4': { parameters: { maxRotationPeriodDays: 30 } } } },
      /controls\.KMS\.4\.parameters\.maxRotationPeriodDays/,
    ],
    [
      'unknown blocked action',
      { controls: { 'KMS.1': { parameters: { blockedActionsPatterns: 'kms:Nope' } } } },
      /controls\.KMS\.1\.parameters\.blockedActionsPatterns/,
    ],
    ['bullmq without redis', { executor: { mode: 'bullmq' } }, /executor\.redisUrl/],
    ['bad product name', { import: { productName: 'key warden!' } }, /import\.productName/],
  ])('rejects %s, naming the field', (_name, input, message) => {
    expect(() => parseConfig(input)).toThrow(ConfigError);
    expect(() => parseConfig(input)).toThrow(message);
  });

  it('never puts a token in an error message', () => {
    for (const input of [
      { api: { tokens: ['short'] } },
      { api: { tokens: [SECRET, 42] } },
      { memberRole: { externalId: `${SECRET} with spaces` } },
    ]) {
      try {
        parseConfig(input);
        expect.unreachable();
      } catch (error) {
        expect((error as Error).message).not.toContain(SECRET);
        expect((error as Error).message).not.toContain('short"');
      }
    }
    expect(() => loadConfig({ env: { KEYWARDEN_DRY_RUN: 'maybe' } })).toThrow(
      /KEYWARDEN_DRY_RUN: must be true or false/,
    );
  });

  it('events: off without a queue; defaults; the queue URL from KEYWARDEN_EVENTS_QUEUE_URL', () => {
    expect(parseConfig({}).config.events).toEqual({
      maxReceives: 5,
      coalesceMs: 2000,
      waitTimeSeconds: 20,
      concurrency: 4,
      customAction: false,
    });
    const url = 'https://sqs.eu-west-1.amazonaws.com/111122223333/keywarden-events';
    const loaded = loadConfig({ env: { KEYWARDEN_EVENTS_QUEUE_URL: url } });
    expect(loaded.config.events).toMatchObject({ queueUrl: url, customAction: true });
    expect(parseConfig({ events: { queueUrl: url, customAction: false } }).config.events.customAction).toBe(
      false,
    );
  });

  it('events: a clear error for a URL that is not an SQS queue URL, and for out-of-range settings', () => {
    for (const queueUrl of [
      'https://sqs.us-east-1.amazonaws.com/keywarden-events',
      'https://sqs.us-east-1.amazonaws.com/111122223333/a/b',
      'file:///etc/passwd/111122223333/q',
      'https://sqs.us-east-1.amazonaws.com/111122223333/bad name',
    ])
      expect(() => parseConfig({ events: { queueUrl } }), queueUrl).toThrow(
        /events\.queueUrl: must be an SQS queue URL/,
      );
    expect(() => parseConfig({ events: { waitTimeSeconds: 21 } })).toThrow(/events\.waitTimeSeconds/);
    expect(() => parseConfig({ events: { maxReceives: 0 } })).toThrow(/events\.maxReceives/);
    expect(() => parseConfig({ events: { queue: 'x' } })).toThrow(/events/);
    expect(() => parseConfig({ events: { customAction: true } })).toThrow(
      /events\.customAction: needs events\.queueUrl/,
    );
  });

  it('reports a missing or invalid file', () => {
    expect(() => loadConfig({ file: join(dir, 'missing.yaml') })).toThrow(/cannot read/);
    expect(() => loadConfig({ file: file('bad.yaml', 'a: [1') })).toThrow(/not valid YAML/);
  });
});

describe('the example configuration', () => {
  it('loads and documents every top-level field', async () => {
    const { ConfigSchema } = await import('../../src/config/index.js');
    const example = new URL('../../config/keywarden.example.yaml', import.meta.url).pathname;
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(example, 'utf8');
    expect(() => loadConfig({ file: example, env: {} })).not.toThrow();
    for (const field of Object.keys(ConfigSchema.properties))
      expect(text).toMatch(new RegExp(`^${field}:`, 'm'));
  });
});
