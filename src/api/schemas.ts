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
