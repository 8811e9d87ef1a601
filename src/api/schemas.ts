/** Request and response schemas of the API (JSON Schema via TypeBox; the types derive from them). */
import { type Static, Type } from '@sinclair/typebox';
import { ControlIdSchema } from '../model/scope.js';

// The body of POST /v1/scans is the scope contract itself (model/scope.ts).

export const ScanIdParams = Type.Object(
  { id: Type.String({ format: 'uuid', description: 'scan id' }) },
  { additionalProperties: false },
);
export type ScanIdParams = Static<typeof ScanIdParams>;

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    nextToken: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
  },
  { additionalProperties: false },
);
export type PageQuery = Static<typeof PageQuery>;

export const FindingsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    nextToken: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
    control: Type.Optional(ControlIdSchema),
    status: Type.Optional(
      Type.Union([
        Type.Literal('PASSED'),
        Type.Literal('FAILED'),
        Type.Literal('WARNING'),
        Type.Literal('NOT_AVAILABLE'),
      ]),
    ),
  },
  { additionalProperties: false },
);
export type FindingsQuery = Static<typeof FindingsQuery>;

/** Every error the API answers has this shape (see errors.ts); some routes document extra fields. */
export const ErrorBody = Type.Object({
  error: Type.String({ description: "the status code's reason phrase" }),
  message: Type.String(),
  statusCode: Type.Integer(),
});
export type ErrorBody = Static<typeof ErrorBody>;

const EventStateString = Type.Unsafe<'disabled' | 'starting' | 'idle' | 'running' | 'stopping' | 'stopped'>({
  type: 'string',
  enum: ['disabled', 'starting', 'idle', 'running', 'stopping', 'stopped'],
});

/** GET /v1/events/status: the change-event consumer (never credentials, only the queue's name). */
export const EventsStatusResponse = Type.Object({
  enabled: Type.Boolean({ description: 'whether events.queueUrl is configured' }),
  queue: Type.Optional(Type.String({ description: "the event queue's name" })),
  state: EventStateString,
  held: Type.Integer({ description: 'received messages not yet deleted or handed back' }),
  pending: Type.Integer({ description: 'resources waiting for their coalescing window or a free slot' }),
  inFlight: Type.Integer({ description: 'evaluations running' }),
  counters: Type.Object({
    received: Type.Integer(),
    coalesced: Type.Integer(),
    evaluated: Type.Integer({ description: 'evaluations that completed (their messages can be deleted)' }),
    failed: Type.Integer({ description: 'evaluations that failed (their messages are retried)' }),
    ignored: Type.Record(Type.String(), Type.Integer(), { description: 'by reason' }),
    deadLettered: Type.Integer({ description: 'messages keywarden moved to the dead-letter queue' }),
    deleted: Type.Integer(),
    outcomes: Type.Object({
      evaluated: Type.Integer(),
      gone: Type.Integer(),
      skipped: Type.Integer(),
      failed: Type.Integer(),
    }),
  }),
  customAction: Type.Optional(
    Type.Object(
      {
        state: Type.Union([Type.Literal('creating'), Type.Literal('done')]),
        actionTargets: Type.Record(Type.String(), Type.String(), {
          description: "the custom action's ARN by region of the security account",
        }),
        failed: Type.Record(Type.String(), Type.String(), {
          description: 'why it could not be created, by region (`*`: the regions could not be listed)',
        }),
      },
      { description: 'the Security Hub custom action "Re-check (keywarden)" (events.customAction)' },
    ),
  ),
});
export type EventsStatusResponse = Static<typeof EventsStatusResponse>;
