/**
 * The finding's resource for each kind of evaluated thing, with ASFF `Resources[].Details` holding only
 * fields that are known (ASFF rejects nothing for a missing optional field, but an invented one misleads).
 */
import type { EvaluatedResource } from '../model/result.js';
import type { IamIdentity, KmsKey, ManagedPolicy } from '../model/snapshot.js';

/** Copies the entries whose value is defined. */
function defined(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}

export function policyResource(policy: ManagedPolicy): EvaluatedResource {
  return {
    arn: policy.arn,
    type: 'AWS::IAM::Policy',
    asffType: 'AwsIamPolicy',
    name: policy.name,
    details: {
      AwsIamPolicy: defined({
        PolicyName: policy.name,
        PolicyId: policy.policyId,
        DefaultVersionId: policy.defaultVersionId,
        AttachmentCount: policy.attachmentCount,
        PermissionsBoundaryUsageCount: policy.permissionsBoundaryUsageCount,
        IsAttachable: policy.isAttachable,
        Path: policy.path,
        CreateDate: policy.createDate,
        UpdateDate: policy.updateDate,
      }),
    },
  };
}

export function identityResource(identity: IamIdentity): EvaluatedResource {
  const inline = identity.inlinePolicies.map((policy) => ({ PolicyName: policy.name }));
  const common = { Path: identity.path, CreateDate: identity.createDate };
  switch (identity.kind) {
    case 'user':
      return {
        arn: identity.arn,
        type: 'AWS::IAM::User',
        asffType: 'AwsIamUser',
        name: identity.name,
        details: {
          AwsIamUser: defined({
            UserName: identity.name,
            UserId: identity.id,
            ...common,
            UserPolicyList: inline,
          }),
        },
      };
    case 'group':
      return {
        arn: identity.arn,
        type: 'AWS::IAM::Group',
        asffType: 'AwsIamGroup',
        name: identity.name,
        details: {
          AwsIamGroup: defined({
            GroupName: identity.name,
            GroupId: identity.id,
            ...common,
            GroupPolicyList: inline,
          }),
        },
      };
    case 'role':
      return {
        arn: identity.arn,
        type: 'AWS::IAM::Role',
        asffType: 'AwsIamRole',
        name: identity.name,
        details: {
          AwsIamRole: defined({
            RoleName: identity.name,
            RoleId: identity.id,
            ...common,
            RolePolicyList: inline,
          }),
        },
      };
  }
}

/** A date of a key's metadata in milliseconds since the epoch: NaN when it is missing or unparsable. */
export function dateMillis(date: string | undefined): number {
  // Stryker disable next-line StringLiteral: any text that is not a date parses as NaN, as '' does.
  return Date.parse(date ?? '');
}

/** ASFF wants `AwsKmsKey.CreationDate` as a number (epoch seconds). */
function epochSeconds(date: string | undefined): number | undefined {
  const millis = dateMillis(date);
  return Number.isNaN(millis) ? undefined : millis / 1000;
}

export function keyResource(key: KmsKey, accountId: string): EvaluatedResource {
  const rotation = key.rotation;
  const rotationStatus =
    rotation?.kind === 'enabled' ? true : rotation?.kind === 'disabled' ? false : undefined;
  // A key that refused DescribeKey: only what ListKeys said is known, never the 'UNKNOWN' placeholders.
  const described = key.describeRefused === undefined;
  return {
    arn: key.arn,
    type: 'AWS::KMS::Key',
    asffType: 'AwsKmsKey',
    name: key.keyId,
    details: {
      AwsKmsKey: defined({
        AWSAccountId: accountId,
        KeyId: key.keyId,
        KeyManager: described ? key.keyManager : undefined,
        KeyState: described ? key.keyState : undefined,
        Origin: described ? key.origin : undefined,
        Description: key.description === '' ? undefined : key.description,
        CreationDate: epochSeconds(key.creationDate),
        KeyRotationStatus: rotationStatus,
      }),
    },
  };
}
