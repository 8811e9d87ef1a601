/** STS (AssumeRole, GetCallerIdentity), IAM (GetAccountAuthorizationDetails) and EC2 (DescribeRegions). */
import type { SimSession, SimState } from './state.js';
import { ParamCheck } from './params.js';
import { partitionRegions } from './regions.js';
import { AwsError } from './protocol.js';
import { trustAllows } from './trust.js';

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
  const check = new ParamCheck('ValidationError', 'ValidationError');
  const roleArn = check.string('roleArn', call.params.get('RoleArn') ?? undefined, 20, 2048, undefined, true);
  const sessionName = check.string(
    'roleSessionName',
    call.params.get('RoleSessionName') ?? undefined,
    2,
    64,
    /^[\w+=,.@-]*$/,
    true,
  );
  const externalId = check.string(
    'externalId',
    call.params.get('ExternalId') ?? undefined,
    2,
    1224,
    /^[\w+=,.@:/-]*$/,
  );
  const duration = check.integer(
    'durationSeconds',
    call.params.get('DurationSeconds') ?? undefined,
    900,
    43200,
  );
  check.done();
  const match = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(roleArn!);
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
  // A suspended (closed) account issues no credentials.
  if (account.status !== 'ACTIVE') throw denied();
  const request = { callerArn: call.caller.arn, callerAccount: call.caller.accountId, externalId };
  if (!trustAllows(role.trustPolicy, request)) throw denied();
  const seconds = duration ?? 3600;
  // Role chaining (a role session assuming a role) is capped at one hour, whatever the role allows.
  if (call.caller.sessionToken !== undefined && seconds > 3600) {
    throw new AwsError(
      'ValidationError',
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  }
  if (seconds > role.maxSessionDuration) {
    throw new AwsError(
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
  }
  const session = call.state.issueSession(
    accountId,
    roleName,
    sessionName!,
    faults.credentialLifetimeSeconds ?? seconds,
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
  const check = new ParamCheck('ValidationError', 'ValidationError');
  const maxItems = check.integer('maxItems', call.params.get('MaxItems') ?? undefined, 1, 1000) ?? 100;
  const marker = check.string('marker', call.params.get('Marker') ?? undefined, 1, 320, /^[\u0020-\u00FF]+$/);
  check.done();
  // Markers are opaque at AWS; the simulator's are the index of the next entry.
  const start = marker === undefined ? 0 : /^\d+$/.test(marker) ? Number(marker) : -1;
  if (start < 0 || start > entries.length)
    throw new AwsError('ValidationError', 'Invalid Marker: it does not come from a previous response.');
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

/** `Name.1`, `Name.2`... of an EC2 query list. */
function queryList(params: URLSearchParams, prefix: string): string[] {
  const values: string[] = [];
  for (let i = 1; params.has(`${prefix}.${i}`); i++) values.push(params.get(`${prefix}.${i}`)!);
  return values;
}

const glob = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

/**
 * Every region of the partition: without `AllRegions`, only those enabled for the account (as AWS does);
 * `RegionName.N` and `Filter.N` narrow the list. Opt-in regions the organization was generated with
 * count as opted in.
 */
export function describeRegions(call: QueryCall): unknown {
  const all = call.params.get('AllRegions');
  if (all !== null && all !== 'true' && all !== 'false')
    throw new AwsError('InvalidParameterValue', `Invalid value '${all}' for AllRegions`);
  const regions = partitionRegions(call.state.regions).filter(
    (r) => all === 'true' || r.optInStatus !== 'not-opted-in',
  );
  const names = queryList(call.params, 'RegionName');
  const known = new Set(partitionRegions([]).map((r) => r.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0)
    throw new AwsError('InvalidParameterValue', `Invalid region name(s): ${unknown.join(', ')}`);
  const fields: Record<string, (r: { name: string; optInStatus: string }) => string> = {
    'region-name': (r) => r.name,
    endpoint: (r) => `ec2.${r.name}.amazonaws.com`,
    'opt-in-status': (r) => r.optInStatus,
  };
  const filters: { read: (r: { name: string; optInStatus: string }) => string; values: RegExp[] }[] = [];
  for (let i = 1; call.params.has(`Filter.${i}.Name`); i++) {
    const name = call.params.get(`Filter.${i}.Name`)!;
    const read = fields[name];
    if (read === undefined) throw new AwsError('InvalidParameterValue', `The filter '${name}' is invalid`);
    filters.push({ read, values: queryList(call.params, `Filter.${i}.Value`).map(glob) });
  }
  return {
    regionInfo: regions
      .filter((r) => names.length === 0 || names.includes(r.name))
      // Filters AND together; the values of one filter OR together.
      .filter((r) => filters.every((f) => f.values.some((v) => v.test(f.read(r)))))
      .map((r) => ({
        regionName: r.name,
        regionEndpoint: `ec2.${r.name}.amazonaws.com`,
        optInStatus: r.optInStatus,
      })),
  };
}
