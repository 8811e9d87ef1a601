/**
 * The scope a scan is asked for: the one contract of the CLI's flags, the API's body, a queued scan job and
 * a stored scan record. Its ids come from the catalog (control ids, known regions), its type from the
 * schema, and every entry point checks it here, so a bad scope gets the same message wherever it comes in.
 * What it resolves to against the configuration lives in scan/scope.ts.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { KNOWN_REGIONS } from '../catalog/regions.js';
import { CONTROL_IDS } from './result.js';

export const AccountIdSchema = Type.String({ pattern: '^\\d{12}$', description: '12-digit AWS account id' });
export const RegionSchema = Type.Union(
  KNOWN_REGIONS.map((region) => Type.Literal(region)),
  { description: 'AWS region code' },
);
export const ControlIdSchema = Type.Union(
  CONTROL_IDS.map((id) => Type.Literal(id)),
  { description: 'Security Hub control id' },
);

// Lists may repeat an id or come in any order: the resolved scope (and its key) is the same.
export const ScanScopeSchema = Type.Object(
  {
    accounts: Type.Optional(
      Type.Array(AccountIdSchema, { minItems: 1, maxItems: 1000, description: 'only these accounts' }),
    ),
    regions: Type.Optional(
      Type.Array(RegionSchema, { minItems: 1, maxItems: 100, description: 'only these regions' }),
    ),
    controls: Type.Optional(
      Type.Array(ControlIdSchema, { minItems: 1, maxItems: 100, description: 'only these controls' }),
    ),
    dryRun: Type.Optional(
      Type.Boolean({ description: 'import nothing; absent means the configuration’s import.dryRun' }),
    ),
  },
  {
    additionalProperties: false,
    description: 'narrows the configured scope; an absent field means all that the configuration allows',
  },
);
/** A requested scope; absent fields mean "all that the configuration allows". */
export type ScanScope = Static<typeof ScanScopeSchema>;

/** A scope that is not well formed (as opposed to ScopeError: well formed, but outside the configuration). */
export class ScopeInputError extends Error {
  constructor(message: string) {
    super(`invalid scope: ${message}`);
    this.name = 'ScopeInputError';
  }
}

const FIELDS = Object.keys(ScanScopeSchema.properties);
/** What a bad list element is, by field. */
const NOT: Record<string, string> = {
  accounts: 'not a 12-digit account id',
  regions: 'unknown region',
  controls: `unknown control (known: ${CONTROL_IDS.join(', ')})`,
};
const MAX_SHOWN = 10;
const show = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
};

/** One message for everything wrong with a scope, field by field, naming the bad values. */
function describeErrors(data: unknown): string {
  const byField = new Map<string, { problems: Set<string>; bad: unknown[] }>();
  for (const error of Value.Errors(ScanScopeSchema, data)) {
    const [field = '', element] = error.path.split('/').slice(1);
    if (field === '') return `expected an object with the optional fields ${FIELDS.join(', ')}`;
    const entry = byField.get(field) ?? { problems: new Set<string>(), bad: [] };
    byField.set(field, entry);
    if (!FIELDS.includes(field)) entry.problems.add('unknown field');
    else if (element !== undefined && NOT[field]) entry.bad.push(error.value);
    else entry.problems.add(error.message.charAt(0).toLowerCase() + error.message.slice(1));
  }
  const order = (field: string) => (FIELDS.includes(field) ? FIELDS.indexOf(field) : FIELDS.length);
  const entries = [...byField.entries()].sort(([a], [b]) => order(a) - order(b));
  // Unknown fields are named by the sender: as many as they like, as long as they like.
  const more = entries.length > MAX_SHOWN ? [`and ${entries.length - MAX_SHOWN} more fields`] : [];
  return entries
    .slice(0, MAX_SHOWN)
    .map(([field, { problems, bad }]) => {
      const parts = [...problems];
      if (bad.length > 0) {
        const more = bad.length > MAX_SHOWN ? ` and ${bad.length - MAX_SHOWN} more` : '';
        parts.push(`${NOT[field]}: ${bad.slice(0, MAX_SHOWN).map(show).join(', ')}${more}`);
      }
      return `${field.length > 64 ? `${field.slice(0, 61)}...` : field}: ${parts.join('; ')}`;
    })
    .concat(more)
    .join('; ');
}

/** The scope as the schema says, or a ScopeInputError naming every bad field and value. */
export function parseScanScope(data: unknown): ScanScope {
  if (Value.Check(ScanScopeSchema, data)) return data;
  throw new ScopeInputError(describeErrors(data));
}
