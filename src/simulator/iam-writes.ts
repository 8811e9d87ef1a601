/**
 * IAM write calls (query protocol) that change what KMS.1 and KMS.2 decide: managed policies and their
 * versions, inline policies of users, groups and roles, permissions boundaries, and deleting identities,
 * with IAM's errors (NoSuchEntity 404, MalformedPolicyDocument, LimitExceeded and DeleteConflict 409...).
 * The caller must be allowed by its identity: the member role only reads. GetAccountAuthorizationDetails
 * reads the same state, so a write is visible to the next scan.
 */
import { randomBytes } from 'node:crypto';
import { type CallRecord, cloudTrailDate, decapitalize } from './cloudtrail.js';
import type { QueryCall } from './iam-sts.js';
import { MEMBER, versionIdParam } from './iam-reads.js';
import { actionMatches } from './key-policy-auth.js';
import { ParamCheck } from './params.js';
import { AwsError } from './protocol.js';
import type { SimAccount, SimIdentity, SimManagedPolicy } from './state.js';

export interface Written {
  response: unknown;
  record: CallRecord;
}

/** What the member role's IAM policy allows in IAM: reading, never writing. */
export const MEMBER_ROLE_IAM_ACTIONS: readonly string[] = ['iam:Get*', 'iam:List*'];

const NAME = /^[\w+=,.@-]+$/;
const PATH = /^(\/|\/[\u0021-\u007E]+\/)$/;
const MAX_VERSIONS = 5;

const noSuchEntity = (message: string) => new AwsError('NoSuchEntity', message, 404);
const deleteConflict = (message: string) => new AwsError('DeleteConflict', message, 409);

/** Refuses the call unless the caller's identity-based policy allows it (an IAM user is the admin). */
function authorizeIam(call: QueryCall, action: string, resource: string): SimAccount {
  const account = call.state.account(call.caller.accountId)!;
  const session = /^arn:aws:sts::\d{12}:assumed-role\/([^/]+)\/[^/]+$/.exec(call.caller.arn);
  if (session !== null) {
    const patterns = account.roles.get(session[1]!)?.iamActions ?? MEMBER_ROLE_IAM_ACTIONS;
    if (!patterns.some((pattern) => actionMatches(pattern, `iam:${action}`)))
      throw new AwsError(
        'AccessDenied',
        `User: ${call.caller.arn} is not authorized to perform: iam:${action} on resource: ${resource} because no identity-based policy allows the iam:${action} action`,
        403,
      );
  }
  return account;
}

/** The request as CloudTrail records it: the query members, camelCase, booleans as booleans. */
function requestOf(call: QueryCall): Record<string, unknown> {
  const request: Record<string, unknown> = {};
  for (const [key, value] of call.params) {
    if (key === 'Action' || key === 'Version' || key.includes('.')) continue;
    request[decapitalize(key)] = value === 'true' ? true : value === 'false' ? false : value;
  }
  return request;
}

const written = (
  call: QueryCall,
  response: unknown = {},
  responseElements: CallRecord['responseElements'] = null,
): Written => ({
  response,
  record: { requestParameters: requestOf(call), responseElements },
});

/** A policy document IAM accepts: JSON with a Statement. */
function checkDocument(text: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new AwsError('MalformedPolicyDocument', 'Syntax errors in policy.');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    throw new AwsError('MalformedPolicyDocument', 'Syntax errors in policy.');
  const statement = (document as Record<string, unknown>)['Statement'];
  if (typeof statement !== 'object' || statement === null)
    throw new AwsError('MalformedPolicyDocument', 'Policy document must contain a Statement.');
  return document as Record<string, unknown>;
}

const policyArn = (accountId: string, policy: SimManagedPolicy) =>
  `arn:aws:iam::${accountId}:policy${policy.path}${policy.name}`;

function findPolicy(account: SimAccount, arn: string): SimManagedPolicy {
  const policy = account.policies.find((p) => policyArn(account.id, p) === arn);
  if (policy === undefined) throw noSuchEntity(`Policy ${arn} was not found.`);
  return policy;
}

function policyArnParam(call: QueryCall, check: ParamCheck): string | undefined {
  return check.string('policyArn', call.params.get('PolicyArn') ?? undefined, 20, 2048, undefined, true);
}

// IAM's pattern for policy documents: tab, newline, carriage return and printable Latin-1.
// eslint-disable-next-line no-control-regex
const DOCUMENT = /^[\u0009\u000A\u000D\u0020-\u00FF]+$/;

function documentParam(call: QueryCall, check: ParamCheck): string | undefined {
  return check.string(
    'policyDocument',
    call.params.get('PolicyDocument') ?? undefined,
    1,
    131_072,
    DOCUMENT,
    true,
  );
}

const now = () => new Date();

export function createPolicy(call: QueryCall): Written {
  const check = new ParamCheck('ValidationError', 'ValidationError');
  const name = check.string('policyName', call.params.get('PolicyName') ?? undefined, 1, 128, NAME, true);
  const path = check.string('path', call.params.get('Path') ?? undefined, 1, 512, PATH) ?? '/';
  const text = documentParam(call, check);
  check.done();
  const account = authorizeIam(
    call,
    'CreatePolicy',
    `arn:aws:iam::${call.caller.accountId}:policy${path}${name!}`,
  );
  const document = checkDocument(text!);
  if (account.policies.some((p) => p.name.toLowerCase() === name!.toLowerCase()))
    throw new AwsError(
      'EntityAlreadyExists',
      `A policy called ${name!} already exists. Duplicate names are not allowed.`,
      409,
    );
  const created = now();
  const policy: SimManagedPolicy = {
    name: name!,
    policyId: `ANPA${randomBytes(9).toString('hex').slice(0, 17).toUpperCase()}`,
    path,
    attachmentCount: 0,
    permissionsBoundaryUsageCount: 0,
    versions: [{ versionId: 'v1', isDefault: true, document, createDate: created.toISOString() }],
    createDate: created.toISOString(),
  };
  account.policies.push(policy);
  const described = {
    PolicyName: policy.name,
    PolicyId: policy.policyId,
    Arn: policyArn(account.id, policy),
    Path: path,
    DefaultVersionId: 'v1',
    AttachmentCount: 0,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    CreateDate: policy.createDate,
    UpdateDate: policy.createDate,
  };
  return written(
    call,
    { Policy: described },
    {
      policy: {
        policyName: policy.name,
        policyId: policy.policyId,
        arn: described.Arn,
        path,
        defaultVersionId: 'v1',
        attachmentCount: 0,
        permissionsBoundaryUsageCount: 0,
        isAttachable: true,
        createDate: cloudTrailDate(created),
        updateDate: cloudTrailDate(created),
      },
    },
  );
}

export function createPolicyVersion(call: QueryCall): Written {
  const check = new ParamCheck('ValidationError', 'ValidationError');
  const arn = policyArnParam(call, check);
  const text = documentParam(call, check);
  check.done();
  const setAsDefault = call.params.get('SetAsDefault') === 'true';
  const account = authorizeIam(call, 'CreatePolicyVersion', arn!);
  const policy = findPolicy(account, arn!);
  const document = checkDocument(text!);
  if (policy.versions.length >= MAX_VERSIONS)
    throw new AwsError(
      'LimitExceeded',
      `A managed policy can have up to ${MAX_VERSIONS} versions. Before you create a new version, you must delete an existing version.`,
      409,
    );
  const next = Math.max(0, ...policy.versions.map((v) => Number(/^v(\d+)/.exec(v.versionId)?.[1] ?? 0))) + 1;
  const created = now();
  const version = {
    versionId: `v${next}`,
    isDefault: setAsDefault,
    document,
    createDate: created.toISOString(),
  };
  if (setAsDefault) for (const v of policy.versions) v.isDefault = false;
  policy.versions.push(version);
  return written(
    call,
    {
      PolicyVersion: {
        VersionId: version.versionId,
        IsDefaultVersion: setAsDefault,
        CreateDate: version.createDate,
      },
    },
    {
      policyVersion: {
        versionId: version.versionId,
        isDefaultVersion: setAsDefault,
        createDate: cloudTrailDate(created),
      },
    },
  );
}

function versionOf(call: QueryCall, action: string) {
  const check = new ParamCheck('ValidationError', 'ValidationError');
  const arn = policyArnParam(call, check);
  const versionId = versionIdParam(call, check);
  check.done();
  const account = authorizeIam(call, action, arn!);
  const policy = findPolicy(account, arn!);
  const version = policy.versions.find((v) => v.versionId === versionId);
  if (version === undefined)
    throw noSuchEntity(`Policy ${arn!} version ${versionId!} does not exist or is not attachable.`);
  return { policy, version };
}

export function setDefaultPolicyVersion(call: QueryCall): Written {
  const { policy, version } = versionOf(call, 'SetDefaultPolicyVersion');
  for (const v of policy.versions) v.isDefault = v === version;
  return written(call);
}

export function deletePolicyVersion(call: QueryCall): Written {
  const { policy, version } = versionOf(call, 'DeletePolicyVersion');
  if (version.isDefault) throw deleteConflict('Cannot delete the default version of a policy.');
  policy.versions = policy.versions.filter((v) => v !== version);
  return written(call);
}

export function deletePolicy(call: QueryCall): Written {
  const check = new ParamCheck('ValidationError', 'ValidationError');
  const arn = policyArnParam(call, check);
  check.done();
  const account = authorizeIam(call, 'DeletePolicy', arn!);
  const policy = findPolicy(account, arn!);
  if (policy.attachmentCount > 0 || policy.permissionsBoundaryUsageCount > 0)
    throw deleteConflict('Cannot delete a policy attached to entities.');
  if (policy.versions.length > 1)
    throw deleteConflict(
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );
  account.policies = account.policies.filter((p) => p !== policy);
  return written(call);
}

type Kind = SimIdentity['kind'];
const MAX_NAME: Record<Kind, number> = { user: 64, group: 128, role: 64 };

/** The identity a call names, after the caller was allowed the action on it. */
function identityOf(call: QueryCall, kind: Kind, action: string, check: ParamCheck) {
  const member = MEMBER[kind];
  const name = check.string(
    decapitalize(member),
    call.params.get(member) ?? undefined,
    1,
    MAX_NAME[kind],
    NAME,
    true,
  );
  return {
    resolve: () => {
      const account = authorizeIam(call, action, `arn:aws:iam::${call.caller.accountId}:${kind}/${name!}`);
      const identity = account.identities.find((i) => i.kind === kind && i.name === name);
      if (identity === undefined) throw noSuchEntity(`The ${kind} with name ${name!} cannot be found.`);
      return { account, identity };
    },
  };
}

const ACTION_KIND = (action: string): Kind =>
  action.includes('Role') ? 'role' : action.includes('User') ? 'user' : 'group';

/** Put{Role,User,Group}Policy: adds or replaces an inline policy. */
export function putInlinePolicy(call: QueryCall, action: string): Written {
  const check = new ParamCheck('ValidationError', 'ValidationError');
  const target = identityOf(call, ACTION_KIND(action), action, check);
  const policyName = check.string(
    'policyName',
    call.params.get('PolicyName') ?? undefined,
    1,
    128,
    NAME,
    true,
  );
  const text = documentParam(call, check);
  check.done();
  const { identity } = target.resolve();
  const document = checkDocument(text!);
  const existing = identity.inlinePolicies.find((p) => p.name === policyName);
  if (existing) existing.document = document;
  else identity.inlinePolicies.push({ name: policyName!, document });
  return written(call);
}

/** Delete{Role,User,Group}Policy. */
export function deleteInlinePolicy(call: QueryCall, action: string): Written {
  const check = new ParamCheck('ValidationError', 'ValidationError');
  const kind = ACTION_KIND(action);
  const target = identityOf(call, kind, action, check);
  const policyName = check.string(
    'policyName',
    call.params.get('PolicyName') ?? undefined,
    1,
    128,
    NAME,
    true,
  );
  check.done();
  const { identity } = target.resolve();
  if (!identity.inlinePolicies.some((p) => p.name === policyName))
    throw noSuchEntity(`The ${kind} policy with name ${policyName!} cannot be found.`);
  identity.inlinePolicies = identity.inlinePolicies.filter((p) => p.name !== policyName);
  return written(call);
}

/** Moves a boundary's use from one policy to another (AWS managed policies are not counted here). */
function countBoundary(account: SimAccount, arn: string | undefined, delta: number): void {
  if (arn === undefined) return;
  const policy = account.policies.find((p) => policyArn(account.id, p) === arn);
  if (policy)
    policy.permissionsBoundaryUsageCount = Math.max(0, policy.permissionsBoundaryUsageCount + delta);
}

/** Put{Role,User}PermissionsBoundary. */
export function putPermissionsBoundary(call: QueryCall, action: string): Written {
  const check = new ParamCheck('ValidationError', 'ValidationError');
  const target = identityOf(call, ACTION_KIND(action), action, check);
  const boundary = check.string(
    'permissionsBoundary',
    call.params.get('PermissionsBoundary') ?? undefined,
    20,
    2048,
    undefined,
    true,
  );
  check.done();
  const { account, identity } = target.resolve();
  const awsManaged = /^arn:aws:iam::aws:policy\/.+$/.test(boundary!);
  if (!awsManaged && !account.policies.some((p) => policyArn(account.id, p) === boundary))
    throw noSuchEntity(`Policy ${boundary!} does not exist or is not attachable.`);
  countBoundary(account, identity.permissionsBoundary, -1);
  identity.permissionsBoundary = boundary!;
  countBoundary(account, boundary, +1);
  return written(call);
}

/** Delete{Role,User}PermissionsBoundary. */
export function deletePermissionsBoundary(call: QueryCall, action: string): Written {
  const check = new ParamCheck('ValidationError', 'ValidationError');
  const target = identityOf(call, ACTION_KIND(action), action, check);
  check.done();
  const { account, identity } = target.resolve();
  countBoundary(account, identity.permissionsBoundary, -1);
  delete identity.permissionsBoundary;
  return written(call);
}

/** Delete{Role,User,Group}: refused while the identity still has inline policies. */
export function deleteIdentity(call: QueryCall, action: string): Written {
  const check = new ParamCheck('ValidationError', 'ValidationError');
  const kind = ACTION_KIND(action);
  const target = identityOf(call, kind, action, check);
  check.done();
  const { account, identity } = target.resolve();
  if (identity.inlinePolicies.length > 0)
    throw deleteConflict('Cannot delete entity, must delete policies first.');
  countBoundary(account, identity.permissionsBoundary, -1);
  account.identities = account.identities.filter((i) => i !== identity);
  if (kind === 'role') account.roles.delete(identity.name);
  return written(call);
}

/** The IAM write actions this module serves, by query Action. */
export const IAM_WRITES: Readonly<Record<string, (call: QueryCall) => Written>> = {
  CreatePolicy: createPolicy,
  CreatePolicyVersion: createPolicyVersion,
  SetDefaultPolicyVersion: setDefaultPolicyVersion,
  DeletePolicyVersion: deletePolicyVersion,
  DeletePolicy: deletePolicy,
  ...Object.fromEntries(
    ['Role', 'User', 'Group'].flatMap((kind) => [
      [`Put${kind}Policy`, (call: QueryCall) => putInlinePolicy(call, `Put${kind}Policy`)],
      [`Delete${kind}Policy`, (call: QueryCall) => deleteInlinePolicy(call, `Delete${kind}Policy`)],
      [`Delete${kind}`, (call: QueryCall) => deleteIdentity(call, `Delete${kind}`)],
    ]),
  ),
  ...Object.fromEntries(
    ['Role', 'User'].flatMap((kind) => [
      [
        `Put${kind}PermissionsBoundary`,
        (call: QueryCall) => putPermissionsBoundary(call, `Put${kind}PermissionsBoundary`),
      ],
      [
        `Delete${kind}PermissionsBoundary`,
        (call: QueryCall) => deletePermissionsBoundary(call, `Delete${kind}PermissionsBoundary`),
      ],
    ]),
  ),
};
