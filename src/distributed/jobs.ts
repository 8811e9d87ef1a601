/**
 * The jobs of the distributed mode and their data. A job carries only what a worker cannot read from its
 * own configuration: which scan, which unit, the scan's resolved settings. Never credentials: workers
 * assume the member roles themselves. Job data is checked against these schemas when a worker takes it.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ControlIdSchema, parseScanScope, ScanScopeSchema } from '../model/scope.js';
import type { UnitSettings } from '../scan/executor.js';

export const QUEUES = {
  /** One job per scan: plans it, fans its units out and writes its summary. */
  scans: 'scans',
  /** One job per (account, region) unit. */
  units: 'units',
  /** Ticks of the configured schedule (BullMQ job schedulers): one job per tick, whatever the replicas. */
  schedule: 'schedule',
  /** One job per change-event target: the serve replica consuming the event queue waits for it. */
  targets: 'targets',
} as const;

const AccountId = Type.String({ pattern: '^[0-9]{12}$' });
const Region = Type.String({ pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]$' });
const ScanId = Type.String({ pattern: '^[0-9a-f-]{36}$' });

export const ScanJobSchema = Type.Object(
  {
    scanId: ScanId,
    scopeKey: Type.String({ maxLength: 100_000 }),
    // As it was asked for: the worker resolves it against its own configuration.
    scope: ScanScopeSchema,
  },
  { additionalProperties: false },
);
export type ScanJob = Static<typeof ScanJobSchema>;

export const UnitJobSchema = Type.Object(
  {
    scanId: ScanId,
    unit: Type.Object(
      {
        id: Type.String({ maxLength: 100 }),
        accountId: AccountId,
        region: Region,
        controls: Type.Array(ControlIdSchema, { minItems: 1 }),
      },
      { additionalProperties: false },
    ),
    // Resolved by the scan's coordinator from its configuration; plain data.
    settings: Type.Unsafe<UnitSettings>(
      Type.Object({
        partition: Type.String(),
        params: Type.Object({}),
        import: Type.Object({ dryRun: Type.Boolean() }),
        managementAccountId: Type.Optional(AccountId),
      }),
    ),
  },
  { additionalProperties: false },
);
export type UnitJob = Static<typeof UnitJobSchema>;

/** BullMQ job ids may not contain ':'; unit ids are `<account>/<region>`. */
export function unitJobId(scanId: string, unitId: string): string {
  return `${scanId}.${unitId.replace('/', '.')}`;
}

/** Job data as the schema says, or an error naming the first wrong field. */
export function parseJob<S extends TSchema>(schema: S, data: unknown, what: string): Static<S> {
  if (Value.Check(schema, data)) return data;
  const first = Value.Errors(schema, data).First();
  throw new Error(`invalid ${what} job data at ${first?.path || '/'}: ${first?.message ?? 'unknown'}`);
}

/** A scan job's data; a bad scope is refused with the scope contract's message (as the CLI and API do). */
export function parseScanJob(data: unknown): ScanJob {
  const scope = typeof data === 'object' && data !== null ? (data as { scope?: unknown }).scope : undefined;
  if (scope !== undefined) parseScanScope(scope);
  return parseJob(ScanJobSchema, data, 'scan');
}

const IamName = Type.String({ pattern: '^[\\w+=,.@-]{1,128}$' });

/** A change target as the event consumer hands it on (events/targets.ts `ChangeTarget`). */
export const TargetJobSchema = Type.Object(
  {
    target: Type.Object(
      {
        accountId: AccountId,
        region: Region,
        controls: Type.Array(ControlIdSchema, { minItems: 1 }),
        resource: Type.Union([
          Type.Object(
            {
              kind: Type.Literal('managed-policy'),
              arn: Type.String({ pattern: '^arn:[a-z-]+:iam::', maxLength: 2048 }),
            },
            { additionalProperties: false },
          ),
          Type.Object(
            {
              kind: Type.Union([Type.Literal('user'), Type.Literal('group'), Type.Literal('role')]),
              name: IamName,
            },
            { additionalProperties: false },
          ),
          Type.Object(
            {
              kind: Type.Literal('key'),
              keyId: Type.String({ minLength: 1, maxLength: 2048 }),
              arn: Type.Optional(Type.String({ pattern: '^arn:[a-z-]+:kms:', maxLength: 2048 })),
            },
            { additionalProperties: false },
          ),
          Type.Object({ kind: Type.Literal('account') }, { additionalProperties: false }),
        ]),
        source: Type.Object(
          {
            eventId: Type.String({ maxLength: 256 }),
            time: Type.String({ maxLength: 64 }),
            name: Type.String({ maxLength: 256 }),
          },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type TargetJob = Static<typeof TargetJobSchema>;
