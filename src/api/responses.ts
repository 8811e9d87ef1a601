/**
 * Response schemas of the API, one per status code of each route. Fastify serializes a reply by the schema
 * of its status (a field left out here is dropped from the answer), and the OpenAPI document at /docs/json
 * lists them. Each mirrors a stored type; `test/api/responses.test.ts` compares served bodies with the store.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { CatalogControlSchema } from '../catalog/schema.js';
import { CONTROL_IDS, type ControlId } from '../model/result.js';
import type { FindingRecord, Page, ScanRecord } from '../store/types.js';
import type { UnitOutcome } from '../model/scan.js';
import { ErrorBody } from './schemas.js';

/**
 * A string enum as `{ type: 'string', enum }`: serialized as a plain string (a union of literals would make
 * the serializer try each branch) and documented as an enum.
 */
const StringEnum = <T extends string>(values: readonly T[], options: { description?: string } = {}) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });

const ControlIdString = StringEnum<ControlId>(CONTROL_IDS);
const StatusCounts = Type.Object({
  PASSED: Type.Integer(),
  FAILED: Type.Integer(),
  WARNING: Type.Integer(),
  NOT_AVAILABLE: Type.Integer(),
});
/** Counts per control; only controls that produced findings appear. (fromEntries loses the key type.) */
const CountsByControl = Type.Partial(
  Type.Object(
    Object.fromEntries(CONTROL_IDS.map((id) => [id, StatusCounts])) as Record<ControlId, typeof StatusCounts>,
  ),
);

const ScanScopeResponse = Type.Object({
  accounts: Type.Optional(Type.Array(Type.String())),
  regions: Type.Optional(Type.Array(Type.String())),
  controls: Type.Optional(Type.Array(ControlIdString)),
  dryRun: Type.Optional(Type.Boolean()),
});

const ScanStateString = StringEnum([
  'running',
  'completed',
  'completed_with_errors',
  'cancelled',
  'failed',
  'interrupted',
] as const);

const ScanSummaryResponse = Type.Object({
  scanId: Type.String(),
  state: ScanStateString,
  startedAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.Optional(Type.String({ format: 'date-time' })),
  durationMs: Type.Optional(Type.Number()),
  dryRun: Type.Boolean(),
  units: Type.Object({
    planned: Type.Integer(),
    done: Type.Integer(),
    failed: Type.Integer(),
    partial: Type.Integer(),
    cancelled: Type.Integer(),
  }),
  skipped: Type.Array(
    Type.Object({
      controlId: ControlIdString,
      region: Type.String(),
      reason: StringEnum([
        'UNSUPPORTED_REGION',
        'HOME_REGION_UNSUPPORTED',
        'HOME_REGION_NOT_SCANNED',
      ] as const),
      units: Type.Integer(),
    }),
  ),
  findings: CountsByControl,
  imported: Type.Integer(),
  importFailed: Type.Integer(),
  archived: Type.Integer(),
  apiCalls: Type.Record(
    Type.String(),
    Type.Object({ calls: Type.Integer(), throttled: Type.Integer(), errors: Type.Integer() }),
  ),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
});

export const ScanResponse = Type.Object({
  id: Type.String({ format: 'uuid' }),
  trigger: StringEnum(['api', 'schedule', 'cli'] as const),
  scope: ScanScopeResponse,
  state: ScanStateString,
  createdAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.Optional(Type.String({ format: 'date-time' })),
  progress: Type.Object({ done: Type.Integer(), total: Type.Integer() }),
  summary: Type.Optional(ScanSummaryResponse),
});

export const UnitResponse = Type.Object({
  unitId: Type.String(),
  accountId: Type.String(),
  region: Type.String({ description: '`*` when the account failed before its regions were known' }),
  controls: Type.Array(ControlIdString),
  state: StringEnum(['done', 'failed', 'partial', 'cancelled'] as const),
  errors: Type.Array(
    Type.Object({
      stage: StringEnum(['credentials', 'regions', 'collect', 'evaluate', 'import', 'execute'] as const),
      controls: Type.Array(ControlIdString),
      code: Type.String(),
      message: Type.String(),
    }),
  ),
  findings: CountsByControl,
  destination: StringEnum(['security-hub', 'security-hub-not-enabled', 'dry-run', 'none'] as const),
  imported: Type.Integer(),
  importFailed: Type.Integer(),
  archived: Type.Integer(),
  durationMs: Type.Number(),
  attempts: Type.Optional(Type.Integer()),
});

export const ScanWithUnitsResponse = Type.Composite([
  ScanResponse,
  Type.Object({ units: Type.Array(UnitResponse) }),
]);

export const FindingResponse = Type.Object({
  id: Type.String(),
  controlId: ControlIdString,
  status: StringEnum(['PASSED', 'FAILED', 'WARNING', 'NOT_AVAILABLE'] as const),
  accountId: Type.String(),
  region: Type.String(),
  resourceArn: Type.String(),
  resourceType: Type.String(),
  title: Type.String(),
  reason: Type.String(),
  recordState: StringEnum(['ACTIVE', 'ARCHIVED'] as const),
});

const PageOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextToken: Type.Optional(Type.String()) });
export const ScanPage = PageOf(ScanResponse);
export const FindingPage = PageOf(FindingResponse);

export const ScanAccepted = Type.Object({
  id: Type.String({ format: 'uuid' }),
  state: ScanStateString,
  location: Type.String({ description: 'the scan’s URL, also in the Location header' }),
});
export const CancelAccepted = Type.Object({
  id: Type.String({ format: 'uuid' }),
  state: Type.Literal('cancelling'),
});

export const ControlsResponse = Type.Object({ controls: Type.Array(CatalogControlSchema) });
export const ScheduleResponse = Type.Object({
  crons: Type.Array(Type.String()),
  nextRuns: Type.Array(Type.String({ format: 'date-time' })),
});
export const HealthResponse = Type.Object({ status: Type.Literal('ok') });
export const ReadyResponse = Type.Object({ status: Type.Literal('ready') });
export const NotReadyResponse = Type.Object({ status: Type.Literal('not ready') });
export const MetricsResponse = Type.String({ description: 'Prometheus text exposition format' });

/** 400 on POST /v1/scans: `outside` when the scope names ids outside the configured scope. */
export const ScopeErrorBody = Type.Composite([
  ErrorBody,
  Type.Object({
    outside: Type.Optional(
      Type.Object({
        accounts: Type.Array(Type.String()),
        regions: Type.Array(Type.String()),
        controls: Type.Array(Type.String()),
      }),
    ),
  }),
]);
/** 409 on POST /v1/scans: the running scan with the same scope. */
export const ConflictErrorBody = Type.Composite([
  ErrorBody,
  Type.Object({ scanId: Type.Optional(Type.String()) }),
]);

/** Errors any authenticated route can answer. */
export const COMMON_ERRORS = {
  401: { ...ErrorBody, description: 'no valid bearer token' },
  429: { ...ErrorBody, description: 'rate limit exceeded' },
  500: { ...ErrorBody, description: 'internal error' },
};

// Compile-time checks that each schema declares exactly the fields of the type the store returns, so
// neither can gain a field the other lacks (a field missing here would be dropped from answers).
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const exact = <A, B>(check: Equal<A, B>): Equal<A, B> => check;
exact<Static<typeof ScanResponse>, ScanRecord>(true);
exact<Static<typeof UnitResponse>, UnitOutcome>(true);
exact<Static<typeof FindingResponse>, FindingRecord>(true);
exact<Static<typeof FindingPage>, Page<FindingRecord>>(true);
