/** ASFF limits checked before sending, and batching within BatchImportFindings' limits. */
import type { AsffFinding } from './types.js';
import { ASFF_LIMITS } from './types.js';

const REQUIRED = [
  'SchemaVersion',
  'Id',
  'ProductArn',
  'GeneratorId',
  'AwsAccountId',
  'Types',
  'CreatedAt',
  'UpdatedAt',
  'Severity',
  'Title',
  'Description',
  'Resources',
] as const;

// A finding is measured twice (validation, batching): remember its size instead of serialising it again.
const sizes = new WeakMap<AsffFinding, number>();

/** The size of a finding's JSON, in bytes. */
export function findingBytes(finding: AsffFinding): number {
  let size = sizes.get(finding);
  if (size === undefined) {
    size = Buffer.byteLength(JSON.stringify(finding));
    sizes.set(finding, size);
  }
  return size;
}

/** Every limit the finding breaks (empty when it can be sent). */
export function validateFinding(finding: AsffFinding): string[] {
  const problems: string[] = [];
  for (const field of REQUIRED) {
    const value = finding[field];
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0))
      problems.push(`${field} is required`);
  }
  const tooLong = (field: string, value: string | undefined, max: number) => {
    if (value !== undefined && value.length > max) problems.push(`${field} is longer than ${max} characters`);
  };
  tooLong('Title', finding.Title, ASFF_LIMITS.title);
  tooLong('Description', finding.Description, ASFF_LIMITS.description);
  tooLong('Id', finding.Id, ASFF_LIMITS.id);
  tooLong('GeneratorId', finding.GeneratorId, ASFF_LIMITS.generatorId);
  tooLong(
    'Remediation.Recommendation.Text',
    finding.Remediation?.Recommendation?.Text,
    ASFF_LIMITS.remediationText,
  );
  const tooMany = (field: string, value: readonly unknown[] | undefined, max: number) => {
    if (value !== undefined && value.length > max) problems.push(`${field} has more than ${max} items`);
  };
  tooMany('Types', finding.Types, ASFF_LIMITS.types);
  tooMany('Resources', finding.Resources, ASFF_LIMITS.resources);
  tooMany(
    'Compliance.RelatedRequirements',
    finding.Compliance?.RelatedRequirements,
    ASFF_LIMITS.relatedRequirements,
  );
  if (finding.AwsAccountId !== undefined && !/^\d{12}$/.test(finding.AwsAccountId))
    problems.push('AwsAccountId is not a 12-digit account id');
  for (const [i, reason] of (finding.Compliance?.StatusReasons ?? []).entries())
    tooLong(
      `Compliance.StatusReasons[${i}].Description`,
      reason.Description,
      ASFF_LIMITS.statusReasonDescription,
    );
  const fields = Object.entries(finding.ProductFields ?? {});
  if (fields.length > ASFF_LIMITS.productFieldsKeys)
    problems.push(`ProductFields has more than ${ASFF_LIMITS.productFieldsKeys} keys`);
  for (const [key, value] of fields) {
    tooLong(`ProductFields key ${key.slice(0, 40)}`, key, ASFF_LIMITS.productFieldKey);
    tooLong(`ProductFields.${key.slice(0, 40)}`, value, ASFF_LIMITS.productFieldValue);
  }
  const size = findingBytes(finding);
  if (size > ASFF_LIMITS.findingBytes)
    problems.push(`finding is ${size} bytes (limit ${ASFF_LIMITS.findingBytes})`);
  return problems;
}

/** Splits findings into batches of at most `maxCount` findings and `maxBytes` of JSON each. */
export function batchFindings(
  findings: readonly AsffFinding[],
  limits: { maxCount?: number; maxBytes?: number } = {},
): AsffFinding[][] {
  const maxCount = limits.maxCount ?? ASFF_LIMITS.batchCount;
  // Room for the request envelope `{"Findings":[...]}` and the commas.
  const maxBytes = (limits.maxBytes ?? ASFF_LIMITS.batchBytes) - 64;
  const batches: AsffFinding[][] = [];
  let current: AsffFinding[] = [];
  let bytes = 0;
  for (const finding of findings) {
    const size = findingBytes(finding) + 1;
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(finding);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
