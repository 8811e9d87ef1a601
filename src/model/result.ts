/** What a control decides for one in-scope resource. */

export const CONTROL_IDS = ['KMS.1', 'KMS.2', 'KMS.3', 'KMS.4'] as const;
export type ControlId = (typeof CONTROL_IDS)[number];

export type ComplianceStatus = 'PASSED' | 'FAILED' | 'WARNING' | 'NOT_AVAILABLE';

/** AWS Config / CloudFormation resource types the controls cover. */
export type AwsResourceType =
  'AWS::IAM::Policy' | 'AWS::IAM::User' | 'AWS::IAM::Group' | 'AWS::IAM::Role' | 'AWS::KMS::Key';

/** ASFF `Resources[].Type` values. */
export type AsffResourceType = 'AwsIamPolicy' | 'AwsIamUser' | 'AwsIamGroup' | 'AwsIamRole' | 'AwsKmsKey';

export interface EvaluatedResource {
  arn: string;
  type: AwsResourceType;
  asffType: AsffResourceType;
  name: string;
  /** ASFF `Resources[].Details` payload, keyed by the ASFF detail name (e.g. `AwsKmsKey`). */
  details?: Record<string, unknown>;
}

export interface ControlResult {
  controlId: ControlId;
  resource: EvaluatedResource;
  accountId: string;
  /** The region whose Security Hub receives the finding (the home region for IAM controls). */
  region: string;
  partition: string;
  status: ComplianceStatus;
  /** Short machine code for `Compliance.StatusReasons[].ReasonCode`. */
  reasonCode: string;
  /** One human sentence that explains the status. */
  reason: string;
  /** Structured evidence (statements, witnesses, dates...), JSON-serialisable. */
  evidence: Record<string, unknown>;
}
