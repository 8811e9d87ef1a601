/**
 * The AWS Security Finding Format fields keywarden writes (structurally compatible with Security Hub's
 * AwsSecurityFinding). Our own type, so the pure mapping needs no AWS SDK import.
 */
export type SeverityLabel = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

export interface AsffResource {
  Type: string;
  Id: string;
  Partition?: string;
  Region?: string;
  Details?: Record<string, unknown>;
}

export interface AsffFinding {
  SchemaVersion: string;
  Id: string;
  ProductArn: string;
  GeneratorId: string;
  AwsAccountId: string;
  Types: string[];
  CreatedAt: string;
  UpdatedAt: string;
  FirstObservedAt?: string;
  LastObservedAt?: string;
  Severity: { Label: SeverityLabel; Original?: string };
  Title: string;
  Description: string;
  Resources: AsffResource[];
  ProductName?: string;
  CompanyName?: string;
  Region?: string;
  Remediation?: { Recommendation?: { Text?: string; Url?: string } };
  Compliance?: {
    Status?: 'PASSED' | 'WARNING' | 'FAILED' | 'NOT_AVAILABLE';
    RelatedRequirements?: string[];
    SecurityControlId?: string;
    StatusReasons?: { ReasonCode: string; Description?: string }[];
  };
  FindingProviderFields?: { Severity?: { Label?: SeverityLabel; Original?: string }; Types?: string[] };
  ProductFields?: Record<string, string>;
  RecordState?: 'ACTIVE' | 'ARCHIVED';
  Workflow?: { Status?: string };
}

/** ASFF limits enforced before sending (Security Hub rejects findings over them). */
export const ASFF_LIMITS = {
  title: 256,
  description: 1024,
  id: 512,
  generatorId: 512,
  remediationText: 512,
  statusReasonDescription: 2048,
  productFieldsKeys: 50,
  productFieldKey: 128,
  productFieldValue: 2048,
  /** Array limits of AwsSecurityFinding: Types, Resources, Compliance.RelatedRequirements. */
  types: 50,
  resources: 32,
  relatedRequirements: 32,
  findingBytes: 240 * 1024,
  batchCount: 100,
  batchBytes: 6 * 1024 * 1024,
} as const;
