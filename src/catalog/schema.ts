/** The control catalog's schema: every field SEMANTICS.md names, required. Types derive from it. */
import { type Static, Type } from '@sinclair/typebox';
import { CONTROL_IDS } from './control-ids.js';

const NonEmpty = Type.String({ minLength: 1 });
export const REGION_PATTERN = '^[a-z]{2}(-[a-z]+)+-\\d$';
export const SEVERITY_LABELS = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'INFORMATIONAL'] as const;
/** ASFF finding type namespaces: a type is `namespace[/category[/classifier]]`. */
export const FINDING_TYPE_NAMESPACES = [
  'Software and Configuration Checks',
  'TTPs',
  'Effects',
  'Unusual Behaviors',
  'Sensitive Data Identifications',
] as const;
// ASFF array limits, so that a catalog Security Hub would reject stops keywarden at start-up instead.
const MAX_RELATED_REQUIREMENTS = 32;
const MAX_FINDING_TYPES = 50;

export const ControlParameterSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]*$' }),
    type: Type.Union([
      Type.Literal('actionPatterns'),
      Type.Literal('boolean'),
      Type.Literal('stringList'),
      Type.Literal('integer'),
    ]),
    default: Type.Union([Type.Null(), Type.Boolean(), Type.Integer(), Type.Array(Type.String())]),
    minimum: Type.Optional(Type.Integer()),
    maximum: Type.Optional(Type.Integer()),
    description: NonEmpty,
  },
  { additionalProperties: false },
);

export const CatalogControlSchema = Type.Object(
  {
    id: Type.Union(CONTROL_IDS.map((id) => Type.Literal(id))),
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.String({ minLength: 1, maxLength: 600 }),
    severity: Type.Union(SEVERITY_LABELS.map((s) => Type.Literal(s))),
    scope: Type.Union([Type.Literal('global'), Type.Literal('regional')]),
    resourceTypes: Type.Array(
      Type.Union(
        ['AWS::IAM::Policy', 'AWS::IAM::User', 'AWS::IAM::Group', 'AWS::IAM::Role', 'AWS::KMS::Key'].map(
          (t) => Type.Literal(t),
        ),
      ),
      { minItems: 1 },
    ),
    configRule: Type.String({ pattern: '^[a-z0-9-]+$' }),
    scheduleType: Type.Union([Type.Literal('PERIODIC'), Type.Literal('CHANGE_TRIGGERED')]),
    parameters: Type.Array(ControlParameterSchema),
    // May be empty: AWS lists none for some controls (KMS.5); an invented requirement would mislead.
    relatedRequirements: Type.Array(NonEmpty, { maxItems: MAX_RELATED_REQUIREMENTS }),
    categories: Type.Array(NonEmpty),
    findingTypes: Type.Array(
      Type.String({
        pattern: `^(${FINDING_TYPE_NAMESPACES.join('|')})(/[^/]+){0,2}$`,
        errorMessage: `must be namespace[/category[/classifier]] with namespace one of ${FINDING_TYPE_NAMESPACES.join(', ')}`,
      }),
      { minItems: 1, maxItems: MAX_FINDING_TYPES },
    ),
    unsupportedRegions: Type.Array(
      Type.String({ pattern: REGION_PATTERN, errorMessage: 'must be a region code such as eu-south-1' }),
    ),
    remediation: Type.Object(
      {
        text: Type.String({ minLength: 1, maxLength: 512 }),
        url: Type.String({ pattern: '^https://[^\\s]+$', errorMessage: 'must be an https:// URL' }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type CatalogControl = Static<typeof CatalogControlSchema>;
export type ControlParameter = Static<typeof ControlParameterSchema>;

export const CatalogFileSchema = Type.Object(
  { version: Type.Literal(1), controls: Type.Array(CatalogControlSchema, { minItems: 1 }) },
  { additionalProperties: false },
);
export type CatalogFile = Static<typeof CatalogFileSchema>;

export const KmsActionsFileSchema = Type.Object(
  {
    prefix: Type.Literal('kms'),
    actions: Type.Array(Type.String({ pattern: '^[A-Z][A-Za-z]+$' }), { minItems: 1 }),
  },
  { additionalProperties: false },
);
