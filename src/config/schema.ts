/**
 * keywarden's configuration schema (TypeBox): the file, after environment overrides and defaults.
 * Endpoints are deliberately absent: the AWS SDK takes them from AWS_ENDPOINT_URL* only.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { ControlId } from '../catalog/control-ids.js';
import { CONTROL_IDS } from '../catalog/control-ids.js';

const AccountId = Type.String({ pattern: '^\\d{12}$' });
const Region = Type.String({ pattern: '^[a-z]{2}(-[a-z]+)+-\\d$' });
const strict = { additionalProperties: false } as const;
/** An SQS queue URL: AWS's (sqs.<region>.amazonaws.com, legacy <region>.queue.amazonaws.com) or an endpoint's. */
const SQS_QUEUE_URL = '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/[0-9]{12}/[A-Za-z0-9_-]{1,80}$';

const ControlSettings = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    parameters: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
  },
  { ...strict, default: {} },
);

/** One settings object per control of the catalog. */
const controlSettings = Object.fromEntries(CONTROL_IDS.map((id) => [id, ControlSettings])) as {
  [K in ControlId]: typeof ControlSettings;
};

export const ConfigSchema = Type.Object(
  {
    accounts: Type.Object(
      {
        source: Type.Union([Type.Literal('organizations'), Type.Literal('list')], {
          default: 'organizations',
        }),
        list: Type.Array(AccountId, { default: [] }),
        include: Type.Array(AccountId, { default: [] }),
        exclude: Type.Array(AccountId, { default: [] }),
      },
      { ...strict, default: {} },
    ),
    memberRole: Type.Object(
      {
        name: Type.String({ pattern: '^[\\w+=,.@-]{1,64}$', default: 'KeywardenMemberRole' }),
        externalId: Type.Optional(Type.String({ pattern: '^[\\w+=,.@:\\/-]{2,1224}$' })),
        // Hub to member is role chaining (the service itself runs with role credentials, or assumes
        // hub.roleArn first), and AWS caps a chained session at one hour whatever the role's maximum.
        sessionDurationSeconds: Type.Integer({
          minimum: 900,
          maximum: 3600,
          default: 3600,
          errorMessage:
            'must be between 900 and 3600: assuming the member role is role chaining, and AWS caps chained sessions at 1 hour',
        }),
        sessionNamePrefix: Type.String({ pattern: '^[\\w+=,.@-]{1,24}$', default: 'keywarden' }),
      },
      { ...strict, default: {} },
    ),
    hub: Type.Object(
      {
        roleArn: Type.Optional(Type.String({ pattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+$' })),
        externalId: Type.Optional(Type.String({ pattern: '^[\\w+=,.@:\\/-]{2,1224}$' })),
      },
      { ...strict, default: {} },
    ),
    regions: Type.Object(
      {
        mode: Type.Union([Type.Literal('enabled'), Type.Literal('list')], { default: 'enabled' }),
        list: Type.Array(Region, { default: [] }),
        exclude: Type.Array(Region, { default: [] }),
      },
      { ...strict, default: {} },
    ),
    homeRegion: Type.String({ ...Region, default: 'us-east-1' }),
    controls: Type.Object(controlSettings, { ...strict, default: {} }),
    concurrency: Type.Object(
      {
        units: Type.Integer({ minimum: 1, maximum: 1024, default: 16 }),
        perAccount: Type.Integer({ minimum: 1, maximum: 64, default: 4 }),
        /** Worker threads for policy analysis (0: in the event loop); absent: CPU count - 1, 1..8. */
        policyWorkers: Type.Optional(Type.Integer({ minimum: 0, maximum: 64 })),
      },
      { ...strict, default: {} },
    ),
    aws: Type.Object(
      {
        maxAttempts: Type.Integer({ minimum: 1, maximum: 20, default: 8 }),
        retryMode: Type.Union([Type.Literal('adaptive'), Type.Literal('standard')], { default: 'adaptive' }),
        requestTimeoutMs: Type.Integer({ minimum: 100, maximum: 300_000, default: 10_000 }),
      },
      { ...strict, default: {} },
    ),
    import: Type.Object(
      {
        dryRun: Type.Boolean({ default: false }),
        importPassed: Type.Boolean({ default: true }),
        archiveResolved: Type.Boolean({ default: true }),
        productName: Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$', default: 'keywarden' }),
        companyName: Type.String({ minLength: 1, maxLength: 128, default: 'keywarden' }),
      },
      { ...strict, default: {} },
    ),
    api: Type.Object(
      {
        host: Type.String({ default: '0.0.0.0' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
        tokens: Type.Array(Type.String({ minLength: 16, maxLength: 512 }), { default: [] }),
        tokensFile: Type.Optional(Type.String({ minLength: 1 })),
        rateLimitPerMinute: Type.Integer({ minimum: 1, maximum: 100_000, default: 120 }),
        bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 10 * 1024 * 1024, default: 65_536 }),
      },
      { ...strict, default: {} },
    ),
    schedule: Type.Object(
      {
        crons: Type.Array(Type.String({ minLength: 9, maxLength: 100 }), { default: [] }),
        timezone: Type.String({ default: 'UTC' }),
      },
      { ...strict, default: {} },
    ),
    store: Type.Object(
      {
        dataDir: Type.String({ minLength: 1, default: './data' }),
        retentionDays: Type.Integer({ minimum: 1, maximum: 3650, default: 90 }),
      },
      { ...strict, default: {} },
    ),
    executor: Type.Object(
      {
        mode: Type.Union([Type.Literal('inprocess'), Type.Literal('bullmq')], { default: 'inprocess' }),
        redisUrl: Type.Optional(Type.String({ pattern: '^rediss?://' })),
        workerConcurrency: Type.Integer({ minimum: 1, maximum: 256, default: 4 }),
        /** Key prefix for the queues, records and rate limits, so several deployments can share a Redis. */
        prefix: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', default: 'keywarden' }),
        /** Runs of a unit whose failure was transient (throttling, 5xx, timeouts) before it ends failed. */
        unitAttempts: Type.Integer({ minimum: 1, maximum: 10, default: 3 }),
        /** First retry delay; doubles on each further attempt. */
        retryBackoffMs: Type.Integer({ minimum: 0, maximum: 600_000, default: 5_000 }),
        /** A unit whose worker stops renewing its lock for this long is handed to another worker. */
        lockDurationMs: Type.Integer({ minimum: 1_000, maximum: 600_000, default: 30_000 }),
        /** How often workers look for units whose worker died. */
        stalledIntervalMs: Type.Integer({ minimum: 500, maximum: 600_000, default: 15_000 }),
      },
      { ...strict, default: {} },
    ),
    events: Type.Object(
      {
        /**
         * The SQS queue of change events in the security account (set only in the configuration or
         * KEYWARDEN_EVENTS_QUEUE_URL, never by an API caller); absent: no change-triggered evaluation.
         */
        queueUrl: Type.Optional(
          Type.String({
            pattern: SQS_QUEUE_URL,
            errorMessage:
              'must be an SQS queue URL, https://sqs.<region>.amazonaws.com/<12-digit account>/<queue name>',
          }),
        ),
        /** Failed evaluations of a message before keywarden moves it to the dead-letter queue itself. */
        maxReceives: Type.Integer({ minimum: 1, maximum: 1000, default: 5 }),
        /** Changes to one resource within this window become one evaluation. */
        coalesceMs: Type.Integer({ minimum: 0, maximum: 300_000, default: 2_000 }),
        /** SQS long-poll wait (0 to 20 s). */
        waitTimeSeconds: Type.Integer({ minimum: 0, maximum: 20, default: 20 }),
        /** Evaluations at once. */
        concurrency: Type.Integer({ minimum: 1, maximum: 256, default: 4 }),
        /** Create the Security Hub custom action "Re-check (keywarden)"; defaults to true when queueUrl is set. */
        customAction: Type.Optional(Type.Boolean()),
      },
      { ...strict, default: {} },
    ),
    shutdownGraceSeconds: Type.Integer({ minimum: 0, maximum: 3600, default: 30 }),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      {
        default: 'info',
      },
    ),
  },
  strict,
);

export type KeywardenConfig = Static<typeof ConfigSchema>;
