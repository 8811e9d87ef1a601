/**
 * What the member role must allow: the actions the controls' collections declare, plus the pipeline's
 * own (enabled regions for planning; Security Hub for the import). docker/iam/member-role-policy.json
 * and docker/member-role-stackset.yaml grant exactly this set (test/security/iam-policy.test.ts).
 */
import { controlAwsActions } from '../controls/registry.js';

export const PIPELINE_MEMBER_ACTIONS: readonly string[] = [
  'ec2:DescribeRegions',
  'securityhub:DescribeHub',
  'securityhub:GetFindings',
  'securityhub:BatchImportFindings',
];

/** The member role's actions, sorted. */
export function memberRoleActions(): string[] {
  return [...new Set([...controlAwsActions(), ...PIPELINE_MEMBER_ACTIONS])].sort();
}
