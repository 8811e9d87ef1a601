/** Collects what KMS.1 and KMS.2 need from one account with one paginated GetAccountAuthorizationDetails. */
import type { IAMClient, ManagedPolicyDetail, PolicyDetail } from '@aws-sdk/client-iam';
import { GetAccountAuthorizationDetailsCommand } from '@aws-sdk/client-iam';
import type { IamIdentity, IamSnapshot, InlinePolicy, ManagedPolicy } from '../model/snapshot.js';
import { paginate } from '../aws/paginate.js';

const OPERATION = 'iam:GetAccountAuthorizationDetails';

export interface IamCollectionContext {
  accountId: string;
  partition: string;
  managementAccountId?: string;
  signal?: AbortSignal;
  /** Waits for the account's IAM request budget before each page (shared by every worker in scale-out). */
  beforeCall?: () => Promise<void>;
}

/** The last segment of an ARN's resource part: `arn:aws:iam::1:policy/path/Name` -> `Name`. */
export function nameFromArn(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  return resource.slice(resource.lastIndexOf('/') + 1) || resource;
}

const iso = (date: Date | undefined): string | undefined => date?.toISOString();

function inlinePolicies(list: PolicyDetail[] | undefined): InlinePolicy[] {
  // A policy without a document cannot be judged: keep it, the control reports it NOT_AVAILABLE.
  return (list ?? []).map((p, i) => ({
    name: p.PolicyName ?? `inline-${i}`,
    document: p.PolicyDocument ?? '',
  }));
}

function managedPolicy(detail: ManagedPolicyDetail): ManagedPolicy | undefined {
  if (detail.Arn === undefined) return undefined;
  const policy: ManagedPolicy = {
    arn: detail.Arn,
    name: detail.PolicyName ?? nameFromArn(detail.Arn),
    attachmentCount: detail.AttachmentCount ?? 0,
    permissionsBoundaryUsageCount: detail.PermissionsBoundaryUsageCount ?? 0,
    versions: (detail.PolicyVersionList ?? []).map((v) => ({
      versionId: v.VersionId ?? '',
      isDefaultVersion: v.IsDefaultVersion ?? v.VersionId === detail.DefaultVersionId,
      document: v.Document ?? '',
      ...(v.CreateDate ? { createDate: iso(v.CreateDate)! } : {}),
    })),
  };
  if (detail.PolicyId !== undefined) policy.policyId = detail.PolicyId;
  if (detail.Path !== undefined) policy.path = detail.Path;
  if (detail.DefaultVersionId !== undefined) policy.defaultVersionId = detail.DefaultVersionId;
  if (detail.IsAttachable !== undefined) policy.isAttachable = detail.IsAttachable;
  if (detail.CreateDate !== undefined) policy.createDate = iso(detail.CreateDate)!;
  if (detail.UpdateDate !== undefined) policy.updateDate = iso(detail.UpdateDate)!;
  return policy;
}

function identity(
  kind: IamIdentity['kind'],
  arn: string | undefined,
  name: string | undefined,
  id: string | undefined,
  path: string | undefined,
  created: Date | undefined,
  policies: PolicyDetail[] | undefined,
): IamIdentity | undefined {
  if (arn === undefined) return undefined;
  const result: IamIdentity = {
    kind,
    arn,
    name: name ?? nameFromArn(arn),
    inlinePolicies: inlinePolicies(policies),
  };
  if (id !== undefined) result.id = id;
  if (path !== undefined) result.path = path;
  if (created !== undefined) result.createDate = created.toISOString();
  return result;
}

export async function collectIam(client: IAMClient, context: IamCollectionContext): Promise<IamSnapshot> {
  const snapshot: IamSnapshot = {
    accountId: context.accountId,
    partition: context.partition,
    managedPolicies: [],
    identities: [],
  };
  if (context.managementAccountId !== undefined) snapshot.managementAccountId = context.managementAccountId;
  const pages = paginate(
    OPERATION,
    async (Marker) => {
      await context.beforeCall?.();
      return client.send(
        new GetAccountAuthorizationDetailsCommand({
          // Customer managed policies only: AWS managed ones are out of KMS.1's scope.
          Filter: ['LocalManagedPolicy', 'User', 'Group', 'Role'],
          MaxItems: 1000,
          Marker,
        }),
        { abortSignal: context.signal },
      );
    },
    (page) => ({ token: page.Marker, truncated: page.IsTruncated }),
  );
  for await (const page of pages) {
    for (const detail of page.Policies ?? []) {
      const policy = managedPolicy(detail);
      if (policy) snapshot.managedPolicies.push(policy);
    }
    for (const u of page.UserDetailList ?? []) {
      const user = identity('user', u.Arn, u.UserName, u.UserId, u.Path, u.CreateDate, u.UserPolicyList);
      if (user) snapshot.identities.push(user);
    }
    for (const g of page.GroupDetailList ?? []) {
      const group = identity('group', g.Arn, g.GroupName, g.GroupId, g.Path, g.CreateDate, g.GroupPolicyList);
      if (group) snapshot.identities.push(group);
    }
    for (const r of page.RoleDetailList ?? []) {
      const role = identity('role', r.Arn, r.RoleName, r.RoleId, r.Path, r.CreateDate, r.RolePolicyList);
      if (!role) continue;
      if (r.AssumeRolePolicyDocument !== undefined)
        role.assumeRolePolicyDocument = r.AssumeRolePolicyDocument;
      snapshot.identities.push(role);
    }
  }
  return snapshot;
}
