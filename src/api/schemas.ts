/** Request and response schemas of the API (JSON Schema via TypeBox; the types derive from them). */
import { type Static, Type } from '@sinclair/typebox';
import { CONTROL_IDS } from '../model/result.js';

export const AccountId = Type.String({ pattern: '^\\d{12}$', description: '12-digit AWS account id' });
export const ControlIdSchema = Type.Union(
  CONTROL_IDS.map((id) => Type.Literal(id)),
  { description: 'Security Hub control id' },
);
// Region codes are further checked against the known regions in the route.
export const Region = Type.String({ pattern: '^[a-z]{2}(-[a-z]+)+-\\d$', maxLength: 32 });

export const StartScanBody = Type.Object(
  {
    accounts: Type.Optional(Type.Array(AccountId, { minItems: 1, maxItems: 1000, uniqueItems: true })),
    regions: Type.Optional(Type.Array(Region, { minItems: 1, maxItems: 50, uniqueItems: true })),
    controls: Type.Optional(Type.Array(ControlIdSchema, { minItems: 1, maxItems: 4, uniqueItems: true })),
    dryRun: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type StartScanBody = Static<typeof StartScanBody>;

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
