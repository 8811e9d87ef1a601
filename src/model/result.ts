/** What a control decides for one in-scope resource. */

import type { ControlId } from '../catalog/control-ids.js';

// The ids belong to the catalog; re-exported here so that the model's users keep one import.
export { CONTROL_IDS } from '../catalog/control-ids.js';
export type { ControlId } from '../catalog/control-ids.js';

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
