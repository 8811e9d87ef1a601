/** Pure mapping of a control result to an ASFF finding, with stable Ids. */
import { createHash } from 'node:crypto';
import type { CatalogControl } from '../catalog/index.js';
import type { ControlId, ControlResult } from '../model/result.js';
import type { AsffFinding, SeverityLabel } from './types.js';
import { ASFF_LIMITS } from './types.js';

export interface FindingIdInput {
  productName: string;
  region: string;
  accountId: string;
  controlId: ControlId;
  resourceArn: string;
}

/** Stable across runs and configurations: product, region, account, control and a hash of the resource. */
export function findingId(input: FindingIdInput): string {
  const digest = createHash('sha256').update(input.resourceArn).digest('hex');
  return `${input.productName}/${input.region}/${input.accountId}/${input.controlId}/${digest}`;
}

/** One GeneratorId per control, so a control's findings can be listed. */
export function generatorId(productName: string, controlId: ControlId): string {
  return `${productName}/${controlId}`;
}

export function defaultProductArn(partition: string, region: string, accountId: string): string {
  return `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

/** Cuts text to `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export interface MappingContext {
  productName: string;
  companyName: string;
  /** ISO time of this import. */
  now: string;
  /** The finding already in Security Hub: its CreatedAt and FirstObservedAt are kept. */
  existing?: { createdAt: string; firstObservedAt?: string };
}

/** A compact, human-readable summary of the evidence for ProductFields. */
function evidenceSummary(evidence: Record<string, unknown>): string {
  return truncate(JSON.stringify(evidence), ASFF_LIMITS.productFieldValue);
}

export function toFinding(
  result: ControlResult,
  control: CatalogControl,
  context: MappingContext,
): AsffFinding {
  // WARNING (a verdict the engine could not reach within its budget) must not hide as INFORMATIONAL.
  const severity: SeverityLabel =
    result.status === 'FAILED' || result.status === 'WARNING'
      ? (control.severity as SeverityLabel)
      : 'INFORMATIONAL';
  const createdAt = context.existing?.createdAt ?? context.now;
  const firstObservedAt = context.existing?.firstObservedAt ?? createdAt;
  const resource = {
    Type: result.resource.asffType,
    Id: result.resource.arn,
    Partition: result.partition,
    Region: result.region,
    ...(result.resource.details && Object.keys(result.resource.details).length > 0
      ? { Details: result.resource.details }
      : {}),
  };
  return {
    SchemaVersion: '2018-10-08',
    Id: findingId({
      productName: context.productName,
      region: result.region,
      accountId: result.accountId,
      controlId: result.controlId,
      resourceArn: result.resource.arn,
    }),
    ProductArn: defaultProductArn(result.partition, result.region, result.accountId),
    GeneratorId: generatorId(context.productName, result.controlId),
    ProductName: context.productName,
    CompanyName: context.companyName,
    AwsAccountId: result.accountId,
    Region: result.region,
    Types: [...control.findingTypes],
    CreatedAt: createdAt,
    UpdatedAt: context.now,
    FirstObservedAt: firstObservedAt,
    LastObservedAt: context.now,
    Severity: { Label: severity, Original: severity },
    FindingProviderFields: {
      Severity: { Label: severity, Original: severity },
      Types: [...control.findingTypes],
    },
    Title: truncate(`${control.id} ${control.title}`, ASFF_LIMITS.title),
    Description: truncate(
      `${result.reason} (${result.resource.name}) ${control.description}`,
      ASFF_LIMITS.description,
    ),
    Remediation: {
      Recommendation: {
        Text: truncate(control.remediation.text, ASFF_LIMITS.remediationText),
        Url: control.remediation.url,
      },
    },
    Compliance: {
      Status: result.status,
      // Left out when the control has none (KMS.5): an empty list says nothing.
      ...(control.relatedRequirements.length > 0
        ? { RelatedRequirements: [...control.relatedRequirements] }
        : {}),
      SecurityControlId: control.id,
      StatusReasons: [
        {
          ReasonCode: result.reasonCode,
          Description: truncate(result.reason, ASFF_LIMITS.statusReasonDescription),
        },
      ],
    },
    Resources: [resource],
    ProductFields: {
      [`${context.productName}/ControlId`]: control.id,
      [`${context.productName}/ReasonCode`]: result.reasonCode,
      [`${context.productName}/Evidence`]: evidenceSummary(result.evidence),
    },
    RecordState: 'ACTIVE',
  };
}

/** The existing finding re-sent as ARCHIVED: its resource is gone or left the scope. */
export function archiveFinding(existing: AsffFinding, now: string): AsffFinding {
  return {
    ...existing,
    RecordState: 'ARCHIVED',
    UpdatedAt: now,
    LastObservedAt: existing.LastObservedAt ?? now,
  };
}
