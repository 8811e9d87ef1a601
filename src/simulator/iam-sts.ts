/** STS (AssumeRole, GetCallerIdentity), IAM (GetAccountAuthorizationDetails) and EC2 (DescribeRegions). */
import type { SimSession, SimState } from './state.js';
import { AwsError } from './protocol.js';

export interface QueryCall {
  state: SimState;
  caller: SimSession;
  region: string;
  params: URLSearchParams;
}

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
export const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** Accounts whose AssumeRole is denied (fault injection), shared with the server. */
export interface StsFaults {
  deniedAccounts: Set<string>;
  credentialLifetimeSeconds?: number;
}

export function assumeRole(call: QueryCall, faults: StsFaults): unknown {
  const roleArn = call.params.get('RoleArn') ?? '';
  const sessionName = call.params.get('RoleSessionName') ?? '';
  const match = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(roleArn);
  if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
    throw new AwsError('ValidationError', 'RoleSessionName must satisfy [\\w+=,.@-]{2,64}');
  }
  const denied = () =>
    new AwsError(
      'AccessDenied',
      `User: ${call.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      403,
    );
  if (match === null) throw denied();
  const [, accountId, roleName] = match as unknown as [string, string, string];
  const account = call.state.account(accountId);
  const role = account?.roles.get(roleName);
  if (account === undefined || role === undefined || faults.deniedAccounts.has(accountId)) throw denied();
  if (role.externalId !== undefined && call.params.get('ExternalId') !== role.externalId) throw denied();
  const duration = Number(call.params.get('DurationSeconds') ?? 3600);
  if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
    throw new AwsError('ValidationError', 'DurationSeconds must be between 900 and 43200');
  }
  const session = call.state.issueSession(
    accountId,
    roleName,
    sessionName,
    faults.credentialLifetimeSeconds ?? duration,
  );
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: session.expiration,
    },
    AssumedRoleUser: { AssumedRoleId: `AROA${accountId}:${sessionName}`, Arn: session.arn },
  };
}

export function getCallerIdentity(call: QueryCall): unknown {
  return { Account: call.caller.accountId, Arn: call.caller.arn, UserId: `AIDA${call.caller.accountId}` };
}

const encode = (document: unknown): string => encodeURIComponent(JSON.stringify(document));

/** Everything in one list, then paginated by Marker (an index) and MaxItems. */
export function getAccountAuthorizationDetails(call: QueryCall): unknown {
  const account = call.state.account(call.caller.accountId)!;
  const filters = new Set<string>();
  for (const [key, value] of call.params) if (key.startsWith('Filter.member.')) filters.add(value);
  const wants = (f: string) => filters.size === 0 || filters.has(f);
  const id = account.id;
  type Entry = { list: 'UserDetailList' | 'GroupDetailList' | 'RoleDetailList' | 'Policies'; item: unknown };
  const entries: Entry[] = [];
  for (const identity of account.identities) {
    const policyList = identity.inlinePolicies.map((p) => ({
      PolicyName: p.name,
      PolicyDocument: encode(p.document),
    }));
    const common = { Path: identity.path, CreateDate: identity.createDate };
    if (identity.kind === 'user' && wants('User')) {
      entries.push({
        list: 'UserDetailList',
        item: {
          ...common,
          UserName: identity.name,
          UserId: identity.id,
          Arn: `arn:aws:iam::${id}:user/${identity.name}`,
          UserPolicyList: policyList,
        },
      });
    } else if (identity.kind === 'group' && wants('Group')) {
      entries.push({
        list: 'GroupDetailList',
        item: {
          ...common,
          GroupName: identity.name,
          GroupId: identity.id,
          Arn: `arn:aws:iam::${id}:group/${identity.name}`,
          GroupPolicyList: policyList,
        },
      });
    } else if (identity.kind === 'role' && wants('Role')) {
      entries.push({
        list: 'RoleDetailList',
        item: {
          ...common,
          RoleName: identity.name,
          RoleId: identity.id,
          Arn: `arn:aws:iam::${id}:role/${identity.name}`,
          AssumeRolePolicyDocument: identity.trustPolicy ? encode(identity.trustPolicy) : undefined,
          RolePolicyList: policyList,
        },
      });
    }
  }
  if (wants('LocalManagedPolicy')) {
    for (const policy of account.policies) {
      const defaultVersion = policy.versions.find((v) => v.isDefault);
      entries.push({
        list: 'Policies',
        item: {
          PolicyName: policy.name,
          PolicyId: policy.policyId,
          Arn: `arn:aws:iam::${id}:policy${policy.path}${policy.name}`,
          Path: policy.path,
          DefaultVersionId: defaultVersion?.versionId,
          AttachmentCount: policy.attachmentCount,
          PermissionsBoundaryUsageCount: policy.permissionsBoundaryUsageCount,
          IsAttachable: true,
          CreateDate: policy.createDate,
          UpdateDate: policy.createDate,
          PolicyVersionList: policy.versions.map((v) => ({
            Document: encode(v.document),
            VersionId: v.versionId,
            IsDefaultVersion: v.isDefault,
            CreateDate: v.createDate,
          })),
        },
      });
    }
  }
  const start = Number(call.params.get('Marker') ?? 0);
  const maxItems = Math.min(Number(call.params.get('MaxItems') ?? 100), 1000);
  if (!Number.isInteger(start) || start < 0) throw new AwsError('ValidationError', 'invalid Marker');
  const page = entries.slice(start, start + maxItems);
  const truncated = start + maxItems < entries.length;
  const lists: Record<string, unknown[]> = {
    UserDetailList: [],
    GroupDetailList: [],
    RoleDetailList: [],
    Policies: [],
  };
  for (const entry of page) lists[entry.list]!.push(entry.item);
  return { ...lists, IsTruncated: truncated, ...(truncated ? { Marker: String(start + maxItems) } : {}) };
}

export function describeRegions(call: QueryCall): unknown {
  return {
    regionInfo: call.state.regions.map((name) => ({
      regionName: name,
      regionEndpoint: `ec2.${name}.amazonaws.com`,
      optInStatus: 'opt-in-not-required',
    })),
  };
}
