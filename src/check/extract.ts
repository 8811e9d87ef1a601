/**
 * Finds the IAM policies in a parsed input: a bare policy document, a CloudFormation template (JSON or
 * YAML) or a Terraform plan (`terraform show -json`). Each policy is named by its logical id or resource
 * address and tied to the control that evaluates it in an account: the control whose module checks
 * customer managed policies, or inline policies. Pure.
 */
import type { ControlId } from '../catalog/control-ids.js';
import { controlForDocuments } from '../controls/registry.js';
import type { Position } from './source.js';
import { isUnknown, PlanUnknown } from './unknowns.js';

/** The control that decides a found policy, as its module declares the documents it checks. */
export type PolicyControl = ControlId;
const MANAGED = controlForDocuments('identity-policy:managed');
const INLINE = controlForDocuments('identity-policy:inline');

export interface FoundPolicy {
  /** The logical id or resource address, with the inline policy's place; undefined for a bare document. */
  name?: string;
  control: PolicyControl;
  /** An object, a JSON (or URL-encoded JSON) string, or an unknown value. */
  document: unknown;
  /** Where the policy (its document, or the resource holding it) starts. */
  position?: Position;
}

export interface InputProblem {
  message: string;
  position?: Position;
}

export type InputKind = 'policy' | 'cloudformation' | 'terraform-plan' | 'other';

export interface Extracted {
  kind: InputKind;
  policies: FoundPolicy[];
  problems: InputProblem[];
}

type Locate = (value: unknown) => Position | undefined;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function kindOf(value: unknown): InputKind {
  if (typeof value === 'string') return 'policy';
  if (!isObject(value)) return 'other';
  if ('Statement' in value || 'Version' in value) return 'policy';
  if (isObject(value['Resources'])) return 'cloudformation';
  if ('format_version' in value && ('resource_changes' in value || 'planned_values' in value))
    return 'terraform-plan';
  return 'other';
}

const CFN_DOCUMENT: Record<string, PolicyControl> = {
  'AWS::IAM::ManagedPolicy': MANAGED,
  'AWS::IAM::Policy': INLINE,
  'AWS::IAM::RolePolicy': INLINE,
  'AWS::IAM::UserPolicy': INLINE,
  'AWS::IAM::GroupPolicy': INLINE,
};
const CFN_IDENTITIES = new Set(['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group']);

function fromCloudFormation(template: Record<string, unknown>, locate: Locate): Extracted {
  const policies: FoundPolicy[] = [];
  const problems: InputProblem[] = [];
  const resources = template['Resources'] as Record<string, unknown>;
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isObject(resource) || typeof resource['Type'] !== 'string') continue;
    const type = resource['Type'];
    const properties = resource['Properties'];
    const here = locate(resource);
    const control = CFN_DOCUMENT[type];
    if (control) {
      const document = isObject(properties) ? properties['PolicyDocument'] : undefined;
      if (document === undefined || document === null) {
        problems.push({
          message: `Resources.${logicalId} (${type}): Properties.PolicyDocument is missing`,
          ...(here ? { position: here } : {}),
        });
        continue;
      }
      const position = locate(document) ?? here;
      policies.push({ name: logicalId, control, document, ...(position ? { position } : {}) });
    } else if (CFN_IDENTITIES.has(type) && isObject(properties) && properties['Policies'] !== undefined) {
      const inline = properties['Policies'];
      if (isUnknown(inline)) {
        policies.push({
          name: `${logicalId}.Policies`,
          control: INLINE,
          document: inline,
          ...(here ? { position: locate(inline) ?? here } : {}),
        });
        continue;
      }
      if (!Array.isArray(inline)) {
        problems.push({
          message: `Resources.${logicalId}.Properties.Policies: must be a list`,
          ...(here ? { position: here } : {}),
        });
        continue;
      }
      inline.forEach((entry, index) => {
        const at = `${logicalId}.Policies[${index}]`;
        const label =
          isObject(entry) && typeof entry['PolicyName'] === 'string' ? ` (${entry['PolicyName']})` : '';
        const document = isUnknown(entry) ? entry : isObject(entry) ? entry['PolicyDocument'] : undefined;
        const position = locate(document) ?? locate(entry) ?? here;
        if (document === undefined || document === null) {
          problems.push({
            message: `Resources.${at}: PolicyDocument is missing`,
            ...(position ? { position } : {}),
          });
          return;
        }
        policies.push({
          name: `${at}${label}`,
          control: INLINE,
          document,
          ...(position ? { position } : {}),
        });
      });
    }
  }
  return { kind: 'cloudformation', policies, problems };
}

const TF_POLICY: Record<string, PolicyControl> = {
  aws_iam_policy: MANAGED,
  aws_iam_role_policy: INLINE,
  aws_iam_user_policy: INLINE,
  aws_iam_group_policy: INLINE,
};

/** The planned value of an attribute, or a PlanUnknown when the plan marks it as known only after apply. */
function planned(after: unknown, unknown: unknown, key: string, address: string): unknown {
  if (isObject(unknown) && unknown[key] === true) return new PlanUnknown(address);
  return isObject(after) ? after[key] : undefined;
}

function fromTerraformPlan(plan: Record<string, unknown>, locate: Locate): Extracted {
  const policies: FoundPolicy[] = [];
  const problems: InputProblem[] = [];
  const changes = plan['resource_changes'];
  if (!Array.isArray(changes)) {
    problems.push({
      message: 'resource_changes: missing; give the JSON of a plan (terraform show -json PLAN)',
    });
    return { kind: 'terraform-plan', policies, problems };
  }
  changes.forEach((change, index) => {
    if (!isObject(change) || change['mode'] === 'data' || !isObject(change['change'])) return;
    const type = String(change['type']);
    const address = typeof change['address'] === 'string' ? change['address'] : `resource_changes[${index}]`;
    const { after, after_unknown: afterUnknown } = change['change'];
    if (after === null || after === undefined) return; // deleted by the plan
    const position = locate(after) ?? locate(change);
    const where = position ? { position } : {};
    const control = TF_POLICY[type];
    if (control) {
      const document = planned(after, afterUnknown, 'policy', address);
      if (document === undefined || document === null) {
        problems.push({ message: `${address}: the planned values have no policy`, ...where });
        return;
      }
      policies.push({ name: address, control, document, ...where });
    } else if (type === 'aws_iam_role') {
      const inline = planned(after, afterUnknown, 'inline_policy', address);
      if (inline instanceof PlanUnknown) {
        policies.push({ name: `${address}.inline_policy`, control: INLINE, document: inline, ...where });
        return;
      }
      if (!Array.isArray(inline)) return;
      const unknowns = isObject(afterUnknown) ? afterUnknown['inline_policy'] : undefined;
      inline.forEach((block, i) => {
        const name = isObject(block) && typeof block['name'] === 'string' ? ` (${block['name']})` : '';
        const document = planned(block, Array.isArray(unknowns) ? unknowns[i] : undefined, 'policy', address);
        // An inline_policy block with neither name nor policy is how Terraform writes "no inline policies".
        if (document === undefined || document === null || document === '') return;
        policies.push({
          name: `${address}.inline_policy[${i}]${name}`,
          control: INLINE,
          document,
          ...where,
        });
      });
    }
  });
  return { kind: 'terraform-plan', policies, problems };
}

/**
 * The policies in a parsed input. A bare document is reported as `bareAs` (default: the managed policies'
 * control; KMS.1 and KMS.2 decide a document alike).
 */
export function extractPolicies(value: unknown, locate: Locate, bareAs: ControlId = MANAGED): Extracted {
  const kind = kindOf(value);
  if (kind === 'cloudformation') return fromCloudFormation(value as Record<string, unknown>, locate);
  if (kind === 'terraform-plan') return fromTerraformPlan(value as Record<string, unknown>, locate);
  const position = locate(value);
  return {
    kind,
    policies: [{ control: bareAs, document: value, ...(position ? { position } : {}) }],
    problems: [],
  };
}

const CFN_KEYS = new Set(['AWS::KMS::Key', 'AWS::KMS::ReplicaKey']);

/**
 * The key policies in a parsed input, each tied to `control` (the control whose module checks key
 * policies): a bare document, the `KeyPolicy` of `AWS::KMS::Key` / `AWS::KMS::ReplicaKey` in a
 * CloudFormation template, the `policy` of `aws_kms_key` / `aws_kms_replica_key` in a Terraform plan.
 */
export function extractKeyPolicies(value: unknown, locate: Locate, control: ControlId): Extracted {
  const kind = kindOf(value);
  const policies: FoundPolicy[] = [];
  const problems: InputProblem[] = [];
  if (kind === 'cloudformation') {
    for (const [logicalId, resource] of Object.entries(
      (value as Record<string, unknown>)['Resources'] as object,
    )) {
      if (!isObject(resource) || !CFN_KEYS.has(String(resource['Type']))) continue;
      const properties = resource['Properties'];
      const document = isObject(properties) ? properties['KeyPolicy'] : undefined;
      const position = locate(document) ?? locate(resource);
      const where = position ? { position } : {};
      // Without KeyPolicy, KMS gives the key its default policy (the account only): nothing public.
      if (document === undefined || document === null) continue;
      policies.push({ name: `${logicalId}.KeyPolicy`, control, document, ...where });
    }
    return { kind, policies, problems };
  }
  if (kind === 'terraform-plan') {
    const changes = (value as Record<string, unknown>)['resource_changes'];
    if (!Array.isArray(changes)) {
      problems.push({
        message: 'resource_changes: missing; give the JSON of a plan (terraform show -json PLAN)',
      });
      return { kind, policies, problems };
    }
    changes.forEach((change, index) => {
      if (!isObject(change) || change['mode'] === 'data' || !isObject(change['change'])) return;
      if (change['type'] !== 'aws_kms_key' && change['type'] !== 'aws_kms_replica_key') return;
      const address =
        typeof change['address'] === 'string' ? change['address'] : `resource_changes[${index}]`;
      const { after, after_unknown: afterUnknown } = change['change'];
      if (after === null || after === undefined) return;
      const document = planned(after, afterUnknown, 'policy', address);
      if (document === undefined || document === null || document === '') return;
      const position = locate(after) ?? locate(change);
      policies.push({ name: address, control, document, ...(position ? { position } : {}) });
    });
    return { kind, policies, problems };
  }
  const position = locate(value);
  return { kind, policies: [{ control, document: value, ...(position ? { position } : {}) }], problems };
}
