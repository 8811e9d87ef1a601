/**
 * The AwsSecurityFinding shape as AWS publishes it (the Security Hub API model's member list and types,
 * with the limits, enums and patterns of the ASFF syntax page), and BatchImportFindings' per-finding
 * verdict in AWS's words: "Finding does not adhere to Amazon Finding Format. data.X should ...".
 * Nested structures the simulated products never send (Network, Process, Vulnerabilities...) are checked
 * for their type only; resource Details are open, as they hold hundreds of resource kinds.
 */
import { FormatRegistry, type Static, type TSchema, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors';

/** RFC 3339 date-time, as ASFF requires for every timestamp. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
if (!FormatRegistry.Has('date-time'))
  FormatRegistry.Set('date-time', (value) => RFC3339.test(value) && !Number.isNaN(Date.parse(value)));

/** A string holding at least one non-blank character (the model's NonEmptyString: `.*\S.*`). */
const NonEmpty = (options: { maxLength?: number; pattern?: string } = {}) =>
  Type.String({
    minLength: 1,
    pattern: options.pattern ?? '.*\\S.*',
    ...(options.maxLength ? { maxLength: options.maxLength } : {}),
  });
const Timestamp = Type.String({ format: 'date-time' });
const Enum = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Open = Type.Object({}, { additionalProperties: true });

const SEVERITY_LABELS = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;

/** `namespace/category/classifier`, in one of the five ASFF namespaces. */
const TYPE_PATTERN =
  '^(Software and Configuration Checks|TTPs|Effects|Unusual Behaviors|Sensitive Data Identifications)(/[^/]+){0,2}$';
const FindingType = Type.String({ maxLength: 256, pattern: TYPE_PATTERN });
const TypeList = Type.Array(FindingType, { minItems: 1, maxItems: 50 });

/** Keys of at most 128 characters (checked in `shapeProblems`: a record's key schema is not enforced). */
const FieldMap = Type.Record(Type.String(), Type.String({ maxLength: 2048 }), { maxProperties: 50 });
const FIELD_MAPS = ['ProductFields', 'UserDefinedFields'] as const;

const Severity = Type.Object(
  {
    Product: Type.Optional(Type.Number()),
    Label: Type.Optional(Enum(SEVERITY_LABELS)),
    Normalized: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    Original: Type.Optional(NonEmpty({ maxLength: 256 })),
  },
  { additionalProperties: false },
);

const Resource = Type.Object(
  {
    Type: NonEmpty({ maxLength: 256 }),
    Id: NonEmpty({ maxLength: 512 }),
    Partition: Type.Optional(Enum(['aws', 'aws-cn', 'aws-us-gov'] as const)),
    Region: Type.Optional(NonEmpty({ maxLength: 16 })),
    ResourceRole: Type.Optional(NonEmpty()),
    Tags: Type.Optional(FieldMap),
    DataClassification: Type.Optional(Open),
    Details: Type.Optional(Type.Record(Type.String(), Open)),
    ApplicationName: Type.Optional(NonEmpty()),
    ApplicationArn: Type.Optional(NonEmpty()),
  },
  { additionalProperties: false },
);

const StatusReason = Type.Object(
  { ReasonCode: NonEmpty(), Description: Type.Optional(NonEmpty({ maxLength: 2048 })) },
  { additionalProperties: false },
);

const Compliance = Type.Object(
  {
    Status: Type.Optional(Enum(['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE'] as const)),
    RelatedRequirements: Type.Optional(Type.Array(NonEmpty(), { maxItems: 32 })),
    StatusReasons: Type.Optional(Type.Array(StatusReason)),
    SecurityControlId: Type.Optional(NonEmpty()),
    AssociatedStandards: Type.Optional(Type.Array(Open)),
    SecurityControlParameters: Type.Optional(Type.Array(Open)),
  },
  { additionalProperties: false },
);

const Workflow = Type.Object(
  { Status: Type.Optional(Enum(['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED'] as const)) },
  { additionalProperties: false },
);

const Note = Type.Object(
  { Text: NonEmpty({ maxLength: 512 }), UpdatedBy: NonEmpty({ maxLength: 512 }), UpdatedAt: Timestamp },
  { additionalProperties: false },
);

const Remediation = Type.Object(
  {
    Recommendation: Type.Optional(
      Type.Object(
        { Text: Type.Optional(NonEmpty({ maxLength: 512 })), Url: Type.Optional(NonEmpty()) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const RatioScale = Type.Integer({ minimum: 0, maximum: 100 });

const RelatedFinding = Type.Object(
  { ProductArn: NonEmpty(), Id: NonEmpty() },
  { additionalProperties: false },
);

const FindingProviderFields = Type.Object(
  {
    Confidence: Type.Optional(RatioScale),
    Criticality: Type.Optional(RatioScale),
    RelatedFindings: Type.Optional(Type.Array(RelatedFinding, { maxItems: 10 })),
    Severity: Type.Optional(
      Type.Object(
        {
          Label: Type.Optional(Enum(SEVERITY_LABELS)),
          Original: Type.Optional(NonEmpty({ maxLength: 256 })),
        },
        { additionalProperties: false },
      ),
    ),
    Types: Type.Optional(Type.Array(FindingType, { maxItems: 50 })),
  },
  { additionalProperties: false },
);

/** Every member of AwsSecurityFinding; any other member is refused. */
export const AwsSecurityFinding = Type.Object(
  {
    SchemaVersion: Type.Literal('2018-10-08'),
    Id: NonEmpty({ maxLength: 512 }),
    ProductArn: NonEmpty({ maxLength: 2048 }),
    ProductName: Type.Optional(NonEmpty({ maxLength: 128 })),
    CompanyName: Type.Optional(NonEmpty({ maxLength: 128 })),
    Region: Type.Optional(NonEmpty({ maxLength: 16 })),
    GeneratorId: NonEmpty({ maxLength: 512 }),
    AwsAccountId: Type.String({ pattern: '^\\d{12}$' }),
    Types: TypeList,
    FirstObservedAt: Type.Optional(Timestamp),
    LastObservedAt: Type.Optional(Timestamp),
    CreatedAt: Timestamp,
    UpdatedAt: Timestamp,
    Severity,
    Confidence: Type.Optional(RatioScale),
    Criticality: Type.Optional(RatioScale),
    Title: NonEmpty({ maxLength: 256 }),
    Description: NonEmpty({ maxLength: 1024 }),
    Remediation: Type.Optional(Remediation),
    SourceUrl: Type.Optional(NonEmpty()),
    ProductFields: Type.Optional(FieldMap),
    UserDefinedFields: Type.Optional(FieldMap),
    Malware: Type.Optional(Type.Array(Open, { maxItems: 5 })),
    Network: Type.Optional(Open),
    NetworkPath: Type.Optional(Type.Array(Open)),
    Process: Type.Optional(Open),
    Threats: Type.Optional(Type.Array(Open)),
    ThreatIntelIndicators: Type.Optional(Type.Array(Open, { maxItems: 5 })),
    Resources: Type.Array(Resource, { minItems: 1, maxItems: 32 }),
    Compliance: Type.Optional(Compliance),
    VerificationState: Type.Optional(
      Enum(['UNKNOWN', 'TRUE_POSITIVE', 'FALSE_POSITIVE', 'BENIGN_POSITIVE'] as const),
    ),
    WorkflowState: Type.Optional(Enum(['NEW', 'ASSIGNED', 'IN_PROGRESS', 'DEFERRED', 'RESOLVED'] as const)),
    Workflow: Type.Optional(Workflow),
    RecordState: Type.Optional(Enum(['ACTIVE', 'ARCHIVED'] as const)),
    RelatedFindings: Type.Optional(Type.Array(RelatedFinding, { maxItems: 10 })),
    Note: Type.Optional(Note),
    Vulnerabilities: Type.Optional(Type.Array(Open)),
    PatchSummary: Type.Optional(Open),
    Action: Type.Optional(Open),
    FindingProviderFields: Type.Optional(FindingProviderFields),
    Sample: Type.Optional(Type.Boolean()),
    GeneratorDetails: Type.Optional(Open),
    ProcessedAt: Type.Optional(Timestamp),
    AwsAccountName: Type.Optional(NonEmpty()),
    Detection: Type.Optional(Open),
  },
  { additionalProperties: false },
);

export type AwsSecurityFinding = Static<typeof AwsSecurityFinding>;

const compiled = TypeCompiler.Compile(AwsSecurityFinding);

/** `/Resources/0/Type` -> `data.Resources[0].Type`, as AWS's validator names a member. */
function dataPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : `${path}.${part}`), 'data');
}

const describe = (type: string): string => `should be ${type}`;

/** AWS's (ajv-style) wording of one schema violation. */
function wording(error: ValueError): string {
  const schema = error.schema as TSchema & Record<string, unknown>;
  const path = dataPath(error.path);
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty: {
      const at = error.path.lastIndexOf('/');
      return `${dataPath(error.path.slice(0, at))} should have required property '${error.path.slice(at + 1)}'`;
    }
    case ValueErrorType.ObjectAdditionalProperties:
      // TypeBox points at the extra member; AWS's validator names the object holding it.
      return `${dataPath(error.path.slice(0, error.path.lastIndexOf('/')))} should NOT have additional properties`;
    case ValueErrorType.ObjectMaxProperties:
      return `${path} should NOT have more than ${String(schema['maxProperties'])} properties`;
    case ValueErrorType.StringMaxLength:
      return `${path} should NOT be longer than ${String(schema['maxLength'])} characters`;
    case ValueErrorType.StringMinLength:
      return `${path} should NOT be shorter than ${String(schema['minLength'])} characters`;
    case ValueErrorType.StringPattern:
      return `${path} should match pattern "${String(schema['pattern'])}"`;
    case ValueErrorType.StringFormat:
      return `${path} should match format "${String(schema['format'])}"`;
    case ValueErrorType.ArrayMaxItems:
      return `${path} should NOT have more than ${String(schema['maxItems'])} items`;
    case ValueErrorType.ArrayMinItems:
      return `${path} should NOT have fewer than ${String(schema['minItems'])} items`;
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return `${path} should be <= ${String(schema['maximum'])}`;
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return `${path} should be >= ${String(schema['minimum'])}`;
    case ValueErrorType.Literal:
      return `${path} should be equal to constant`;
    case ValueErrorType.Union:
      return `${path} should be equal to one of the allowed values`;
    case ValueErrorType.String:
      return `${path} ${describe('string')}`;
    case ValueErrorType.Integer:
      return `${path} ${describe('integer')}`;
    case ValueErrorType.Number:
      return `${path} ${describe('number')}`;
    case ValueErrorType.Boolean:
      return `${path} ${describe('boolean')}`;
    case ValueErrorType.Array:
      return `${path} ${describe('array')}`;
    case ValueErrorType.Object:
      return `${path} ${describe('object')}`;
    default:
      return `${path} ${error.message}`;
  }
}

/** Why AWS refuses the finding's shape (the first few violations), or undefined when it conforms. */
export function shapeProblems(finding: unknown): string | undefined {
  const messages: string[] = [];
  // An object path that is already wrong reports once, not once per member below it.
  for (const error of compiled.Errors(finding)) {
    const message = wording(error);
    if (!messages.includes(message)) messages.push(message);
    if (messages.length === 3) break;
  }
  if (messages.length === 0) {
    const conforming = finding as AwsSecurityFinding;
    for (const map of FIELD_MAPS) {
      const key = Object.keys(conforming[map] ?? {}).find((k) => k.length < 1 || k.length > 128);
      if (key !== undefined) messages.push(`data.${map} property name '${key}' is invalid`);
    }
    const severity = conforming.Severity;
    // Severity needs a Label or a Normalized score.
    if (severity.Label === undefined && severity.Normalized === undefined)
      messages.push('data.Severity should match some schema in anyOf');
  }
  return messages.length === 0 ? undefined : messages.join(', ');
}
