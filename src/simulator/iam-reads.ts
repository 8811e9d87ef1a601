/**
 * IAM's single-resource reads (query protocol), as a change-triggered evaluation makes them: GetPolicy and
 * GetPolicyVersion for a customer managed policy; Get{User,Group,Role}, List*Policies and Get*Policy for an
 * identity's inline policies. Missing resources answer `NoSuchEntity` (404) with AWS's wording; documents
 * come URL-encoded, as IAM sends them.
 */
import type { QueryCall } from './iam-sts.js';
import { ParamCheck } from './params.js';
import { AwsError } from './protocol.js';
import type { SimAccount, SimIdentity, SimManagedPolicy } from './state.js';

const encode = (document: unknown): string => encodeURIComponent(JSON.stringify(document));

/** IAM's name pattern for users, groups, roles and policies. */
const NAME = /^[\w+=,.@-]+$/;
const POLICY_ARN = /^arn:aws:iam::(\d{12}|aws):policy(\/.*\/|\/)([\w+=,.@-]+)$/;

function noSuchEntity(message: string): AwsError {
  return new AwsError('NoSuchEntity', message, 404);
}

function callerAccount(call: QueryCall): SimAccount {
  return call.state.account(call.caller.accountId)!;
}

export function managedPolicyArn(accountId: string, policy: SimManagedPolicy): string {
  return `arn:aws:iam::${accountId}:policy${policy.path}${policy.name}`;
}

/** As GetAccountAuthorizationDetails names identities (the simulator's identities sit at path `/`). */
export function identityArn(accountId: string, identity: SimIdentity): string {
  return `arn:aws:iam::${accountId}:${identity.kind}/${identity.name}`;
}

function policyNamed(call: QueryCall, arn: string): SimManagedPolicy {
  const match = POLICY_ARN.exec(arn);
  if (match === null) throw new AwsError('InvalidInput', `ARN ${arn} is not valid.`);
  const [, accountId, path, name] = match as unknown as [string, string, string, string];
  const missing = () => noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  // AWS managed policies are not simulated; another account's policy is invisible to the caller.
  if (accountId !== call.caller.accountId) throw missing();
  const policy = callerAccount(call).policies.find((p) => p.name === name && p.path === path);
  if (policy === undefined) throw missing();
  return policy;
}

function policyArnParam(call: QueryCall, check: ParamCheck): string {
  return check.string('policyArn', call.params.get('PolicyArn') ?? undefined, 20, 2048, undefined, true)!;
}

export function getPolicy(call: QueryCall): unknown {
  const check = new ParamCheck('ValidationError', 'ValidationError');
  const arn = policyArnParam(call, check);
  check.done();
  const policy = policyNamed(call, arn);
  return {
    Policy: {
      PolicyName: policy.name,
      PolicyId: policy.policyId,
      Arn: managedPolicyArn(call.caller.accountId, policy),
      Path: policy.path,
      DefaultVersionId: policy.versions.find((v) => v.isDefault)?.versionId,
      AttachmentCount: policy.attachmentCount,
      PermissionsBoundaryUsageCount: policy.permissionsBoundaryUsageCount,
      IsAttachable: true,
      CreateDate: policy.createDate,
      UpdateDate: policy.createDate,
    },
  };
}

/** The `VersionId` parameter of the policy-version calls (reads and writes). */
export function versionIdParam(call: QueryCall, check: ParamCheck): string | undefined {
  return check.string(
    'versionId',
    call.params.get('VersionId') ?? undefined,
    1,
    128,
    /^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/,
    true,
  );
}

export function getPolicyVersion(call: QueryCall): unknown {
  const check = new ParamCheck('ValidationError', 'ValidationError');
  const arn = policyArnParam(call, check);
  const versionId = versionIdParam(call, check);
  check.done();
  const policy = policyNamed(call, arn);
  const version = policy.versions.find((v) => v.versionId === versionId);
  if (version === undefined)
    throw noSuchEntity(`Policy ${arn} version ${versionId!} does not exist or is not attachable.`);
  return {
    PolicyVersion: {
      Document: encode(version.document),
      VersionId: version.versionId,
      IsDefaultVersion: version.isDefault,
      CreateDate: version.createDate,
    },
  };
}

type Kind = SimIdentity['kind'];
/** The parameter naming an identity of each kind. */
export const MEMBER: Record<Kind, string> = { user: 'UserName', group: 'GroupName', role: 'RoleName' };

function identityNamed(call: QueryCall, kind: Kind, check: ParamCheck): SimIdentity {
  const member = MEMBER[kind];
  const name = check.string(
    `${member[0]!.toLowerCase()}${member.slice(1)}`,
    call.params.get(member) ?? undefined,
    1,
    kind === 'role' ? 64 : 128,
    NAME,
    true,
  );
  check.done();
  const identity = callerAccount(call).identities.find((i) => i.kind === kind && i.name === name);
  if (identity === undefined) throw noSuchEntity(`The ${kind} with name ${name!} cannot be found.`);
  return identity;
}

/** Marker and MaxItems of an IAM list call: markers are the index of the next item. */
function pageOf<T>(call: QueryCall, check: ParamCheck, items: T[]): { items: T[]; marker?: string } {
  const maxItems = check.integer('maxItems', call.params.get('MaxItems') ?? undefined, 1, 1000) ?? 100;
  const marker = check.string('marker', call.params.get('Marker') ?? undefined, 1, 320, /^[\u0020-\u00FF]+$/);
  check.done();
  const start = marker === undefined ? 0 : /^\d+$/.test(marker) ? Number(marker) : -1;
  if (start < 0 || start > items.length)
    throw new AwsError('ValidationError', 'Invalid Marker: it does not come from a previous response.');
  const end = start + maxItems;
  return end < items.length
    ? { items: items.slice(start, end), marker: String(end) }
    : { items: items.slice(start) };
}

function identityFields(accountId: string, identity: SimIdentity): Record<string, unknown> {
  const prefix = { user: 'User', group: 'Group', role: 'Role' }[identity.kind];
  return {
    Path: identity.path,
    [`${prefix}Name`]: identity.name,
    [`${prefix}Id`]: identity.id,
    Arn: identityArn(accountId, identity),
    CreateDate: identity.createDate,
  };
}

/** GetUser, GetGroup (with its first page of members) and GetRole (with its trust policy). */
export function getIdentity(call: QueryCall, kind: Kind): unknown {
  const check = new ParamCheck('ValidationError', 'ValidationError');
  const identity = identityNamed(call, kind, check);
  const fields = identityFields(call.caller.accountId, identity);
  if (kind === 'user') return { User: fields };
  if (kind === 'role') {
    return {
      Role: {
        ...fields,
        AssumeRolePolicyDocument: identity.trustPolicy ? encode(identity.trustPolicy) : undefined,
        MaxSessionDuration: 3600,
      },
    };
  }
  // Group membership is not simulated: every group is empty.
  const page = pageOf(call, check, [] as unknown[]);
  return { Group: fields, Users: page.items, IsTruncated: page.marker !== undefined };
}

/** List{User,Group,Role}Policies: the names of the identity's inline policies. */
export function listInlinePolicies(call: QueryCall, kind: Kind): unknown {
  const check = new ParamCheck('ValidationError', 'ValidationError');
  const identity = identityNamed(call, kind, check);
  const page = pageOf(
    call,
    check,
    identity.inlinePolicies.map((p) => p.name),
  );
  return {
    PolicyNames: page.items,
    IsTruncated: page.marker !== undefined,
    ...(page.marker !== undefined ? { Marker: page.marker } : {}),
  };
}

/** Get{User,Group,Role}Policy: one inline policy's document. */
export function getInlinePolicy(call: QueryCall, kind: Kind): unknown {
  const check = new ParamCheck('ValidationError', 'ValidationError');
  const policyName = check.string(
    'policyName',
    call.params.get('PolicyName') ?? undefined,
    1,
    128,
    NAME,
    true,
  );
  const identity = identityNamed(call, kind, check);
  const policy = identity.inlinePolicies.find((p) => p.name === policyName);
  if (policy === undefined)
    throw noSuchEntity(`The ${kind} policy with name ${policyName!} cannot be found.`);
  return { [MEMBER[kind]]: identity.name, PolicyName: policy.name, PolicyDocument: encode(policy.document) };
}

/** The IAM operations this file answers, by action name. */
export const IAM_READS: Readonly<Record<string, (call: QueryCall) => unknown>> = {
  GetPolicy: getPolicy,
  GetPolicyVersion: getPolicyVersion,
  GetUser: (call) => getIdentity(call, 'user'),
  GetGroup: (call) => getIdentity(call, 'group'),
  GetRole: (call) => getIdentity(call, 'role'),
  ListUserPolicies: (call) => listInlinePolicies(call, 'user'),
  ListGroupPolicies: (call) => listInlinePolicies(call, 'group'),
  ListRolePolicies: (call) => listInlinePolicies(call, 'role'),
  GetUserPolicy: (call) => getInlinePolicy(call, 'user'),
  GetGroupPolicy: (call) => getInlinePolicy(call, 'group'),
  GetRolePolicy: (call) => getInlinePolicy(call, 'role'),
};
