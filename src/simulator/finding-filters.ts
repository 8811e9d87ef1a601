/**
 * GetFindings' Filters and SortCriteria, with AWS's StringFilter semantics: EQUALS, PREFIX and CONTAINS
 * (a substring) select when any of them matches; NOT_EQUALS, PREFIX_NOT_EQUALS and NOT_CONTAINS drop
 * what any of them matches; the combinations AWS refuses are refused. Malformed input is a 400, never
 * a crash. Filters the simulator does not implement are refused by name rather than ignored, so a
 * product cannot pass a test by filtering on something that would not filter.
 */
import { AwsError } from './protocol.js';
import type { StoredFinding } from './state.js';

type Reader = (f: StoredFinding) => string[];

const one =
  (read: (f: StoredFinding) => unknown): Reader =>
  (f) => {
    const value = read(f);
    return typeof value === 'string' ? [value] : [];
  };
const member = (name: string): Reader => one((f) => f[name]);
const nested = (outer: string, inner: string): Reader =>
  one((f) => (f[outer] as Record<string, unknown> | undefined)?.[inner]);
const resources =
  (name: string): Reader =>
  (f) =>
    (Array.isArray(f['Resources']) ? (f['Resources'] as Record<string, unknown>[]) : [])
      .map((r) => r[name])
      .filter((v): v is string => typeof v === 'string');

/** The string filters the simulator implements, by AwsSecurityFindingFilters member name. */
const STRING_FIELDS: Record<string, Reader> = {
  Id: member('Id'),
  ProductArn: member('ProductArn'),
  GeneratorId: member('GeneratorId'),
  AwsAccountId: member('AwsAccountId'),
  ProductName: member('ProductName'),
  CompanyName: member('CompanyName'),
  Region: member('Region'),
  Title: member('Title'),
  Description: member('Description'),
  RecordState: member('RecordState'),
  WorkflowState: member('WorkflowState'),
  VerificationState: member('VerificationState'),
  Type: (f) =>
    (Array.isArray(f['Types']) ? (f['Types'] as unknown[]) : []).filter(
      (t) => typeof t === 'string',
    ) as string[],
  SeverityLabel: nested('Severity', 'Label'),
  ComplianceStatus: nested('Compliance', 'Status'),
  ComplianceSecurityControlId: nested('Compliance', 'SecurityControlId'),
  WorkflowStatus: nested('Workflow', 'Status'),
  ResourceId: resources('Id'),
  ResourceType: resources('Type'),
  ResourcePartition: resources('Partition'),
  ResourceRegion: resources('Region'),
};

/** Fields SortCriteria may name: the string filters and the timestamps. */
const SORT_FIELDS: Record<string, Reader> = {
  ...STRING_FIELDS,
  CreatedAt: member('CreatedAt'),
  UpdatedAt: member('UpdatedAt'),
  FirstObservedAt: member('FirstObservedAt'),
  LastObservedAt: member('LastObservedAt'),
};

const COMPARISONS = [
  'EQUALS',
  'PREFIX',
  'NOT_EQUALS',
  'PREFIX_NOT_EQUALS',
  'CONTAINS',
  'NOT_CONTAINS',
  'CONTAINS_WORD',
] as const;
type Comparison = (typeof COMPARISONS)[number];
const NEGATIVE = new Set<Comparison>(['NOT_EQUALS', 'PREFIX_NOT_EQUALS', 'NOT_CONTAINS']);

const invalid = (message: string) => new AwsError('InvalidInputException', message, 400);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function hit(comparison: Comparison, value: string, wanted: string): boolean {
  switch (comparison) {
    case 'EQUALS':
    case 'NOT_EQUALS':
      return value === wanted;
    case 'PREFIX':
    case 'PREFIX_NOT_EQUALS':
      return value.startsWith(wanted);
    case 'CONTAINS':
    case 'NOT_CONTAINS':
      return value.includes(wanted);
    case 'CONTAINS_WORD':
      return value.split(/[^A-Za-z0-9_]+/).includes(wanted);
  }
}

/** One field's conditions, checked as AWS checks them. */
function fieldFilter(field: string, conditions: unknown): (f: StoredFinding) => boolean {
  const read = STRING_FIELDS[field];
  if (read === undefined)
    throw invalid(
      `Filters.${field}: this filter is not simulated (only ${Object.keys(STRING_FIELDS).join(', ')}).`,
    );
  if (!Array.isArray(conditions)) throw invalid(`Filters.${field} must be a list of StringFilter.`);
  if (conditions.length > 20) throw invalid(`Filters.${field} must hold at most 20 filters.`);
  const parsed = conditions.map((c, i) => {
    if (!isObject(c)) throw invalid(`Filters.${field}[${i}] must be a StringFilter object.`);
    const { Value: value, Comparison: comparison } = c;
    if (typeof value !== 'string') throw invalid(`Filters.${field}[${i}].Value must be a string.`);
    if (!COMPARISONS.includes(comparison as Comparison))
      throw invalid(
        `1 validation error detected: Value '${String(comparison)}' at 'filters.${field}.${i + 1}.member.comparison' failed to satisfy constraint: Member must satisfy enum value set: [${COMPARISONS.join(', ')}]`,
      );
    return { value, comparison: comparison as Comparison };
  });
  const has = (...kinds: Comparison[]) => parsed.some((c) => kinds.includes(c.comparison));
  if (has('CONTAINS') && has('NOT_CONTAINS'))
    throw invalid(`Filters.${field}: a CONTAINS filter and a NOT_CONTAINS filter cannot be combined.`);
  if (has('EQUALS') && has('NOT_EQUALS', 'PREFIX_NOT_EQUALS'))
    throw invalid(
      `Filters.${field}: an EQUALS filter cannot be combined with NOT_EQUALS or PREFIX_NOT_EQUALS.`,
    );
  if (has('CONTAINS') && parsed.some((c) => c.comparison !== 'CONTAINS'))
    throw invalid(`Filters.${field}: CONTAINS filters can only be used with other CONTAINS filters.`);
  if (has('NOT_CONTAINS') && parsed.some((c) => c.comparison !== 'NOT_CONTAINS'))
    throw invalid(`Filters.${field}: NOT_CONTAINS filters can only be used with other NOT_CONTAINS filters.`);
  const positive = parsed.filter((c) => !NEGATIVE.has(c.comparison));
  const negative = parsed.filter((c) => NEGATIVE.has(c.comparison));
  return (finding) => {
    const values = read(finding);
    if (positive.length > 0 && !positive.some((c) => values.some((v) => hit(c.comparison, v, c.value))))
      return false;
    return !negative.some((c) => values.some((v) => hit(c.comparison, v, c.value)));
  };
}

/** The predicate of GetFindings' `Filters` (every field must match). */
export function findingFilters(filters: unknown): (f: StoredFinding) => boolean {
  if (filters === undefined || filters === null) return () => true;
  if (!isObject(filters)) throw invalid('Filters must be an AwsSecurityFindingFilters object.');
  const predicates = Object.entries(filters).map(([field, conditions]) => fieldFilter(field, conditions));
  return (finding) => predicates.every((p) => p(finding));
}

/** Orders findings by `SortCriteria` (ties, and no criteria, by Id so that pages are stable). */
export function sortFindings(criteria: unknown): (findings: StoredFinding[]) => StoredFinding[] {
  if (criteria !== undefined && criteria !== null && !Array.isArray(criteria))
    throw invalid('SortCriteria must be a list of SortCriterion.');
  const keys = ((criteria as unknown[] | undefined) ?? []).map((c, i) => {
    if (!isObject(c)) throw invalid(`SortCriteria[${i}] must be a SortCriterion object.`);
    const read = typeof c['Field'] === 'string' ? SORT_FIELDS[c['Field']] : undefined;
    if (read === undefined)
      throw invalid(
        `SortCriteria[${i}].Field ${JSON.stringify(c['Field'])} is not a field the simulator sorts by.`,
      );
    const order = c['SortOrder'] ?? 'asc';
    if (order !== 'asc' && order !== 'desc')
      throw invalid(
        `1 validation error detected: Value '${String(order)}' at 'sortCriteria.${i + 1}.member.sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]`,
      );
    return { read, sign: order === 'asc' ? 1 : -1 };
  });
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return (findings) =>
    [...findings].sort((a, b) => {
      for (const key of keys) {
        const order = compare(key.read(a)[0] ?? '', key.read(b)[0] ?? '');
        if (order !== 0) return order * key.sign;
      }
      return compare(a.Id, b.Id);
    });
}
