/**
 * Key-policy authorization for the simulator's KMS calls, as AWS decides a same-account request: an
 * explicit Deny in the key policy wins; else a statement naming the caller (or everyone) allows; else a
 * statement naming the account (`arn:aws:iam::ACCOUNT:root`) delegates to IAM, so the caller's IAM
 * policy decides; else no resource-based policy allows. Pure: the request carries what IAM grants.
 * Only what key policies use is understood; a condition operator it does not know fails closed (an
 * Allow does not apply, a Deny does), so an unexpected document never opens a key by accident.
 */

export interface KeyRequest {
  /** `kms:DescribeKey`. */
  action: string;
  keyArn: string;
  /** The ARN AWS names in its error message: the session ARN of an assumed role, or the user ARN. */
  callerArn: string;
  /** `aws:PrincipalArn`: the role's ARN for an assumed-role session, else the caller ARN. */
  principalArn: string;
  callerAccount: string;
  /** Whether the caller's identity-based (IAM) policies allow the action. */
  iamAllows: boolean;
  /** Further condition keys of the request (lower-cased names), e.g. `aws:principalorgid`. */
  context?: Record<string, string | string[]>;
}

export type KeyDecision =
  | { allowed: true; by: 'key-policy' | 'iam' }
  | { allowed: false; why: 'explicit-deny' | 'no-resource-allow' | 'no-identity-allow'; message: string };

type Statement = Record<string, unknown>;
/** true: holds; false: does not; undefined: the simulator cannot tell (fail closed). */
type Tristate = boolean | undefined;

const list = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const strings = (value: unknown): string[] => list(value).filter((v): v is string => typeof v === 'string');

/** IAM's glob: `*` any run, `?` one character. */
function glob(pattern: string, flags = ''): RegExp {
  const source = pattern.replace(/[.+^${}()|[\]\\*?]/g, (c) =>
    c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`,
  );
  return new RegExp(`^${source}$`, `s${flags}`);
}

/** ArnLike compares each of the six colon-separated parts on its own; the last part takes the rest. */
function arnLike(pattern: string, value: string): boolean {
  const split = (s: string) => {
    const parts = s.split(':');
    return [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const [p, v] = [split(pattern), split(value)];
  if (p.length !== 6 || v.length !== 6 || pattern.split(':').length < 6 || value.split(':').length < 6)
    return false;
  return p.every((part, i) => glob(part).test(v[i]!));
}

/** The ways a principal element can name the caller. */
type PrincipalMatch = 'caller' | 'account' | 'none';

function principalValueMatches(value: string, request: KeyRequest): PrincipalMatch {
  if (value === '*') return 'caller';
  if (value === request.callerAccount || value === `arn:aws:iam::${request.callerAccount}:root`)
    return 'account';
  if (value === request.principalArn || value === request.callerArn) return 'caller';
  // A wildcard in an AWS principal is not valid at AWS; match it as a pattern rather than ignore it.
  if (/[*?]/.test(value)) {
    if (glob(value).test(`arn:aws:iam::${request.callerAccount}:root`)) return 'account';
    if (glob(value).test(request.principalArn)) return 'caller';
  }
  return 'none';
}

function principalMatches(principal: unknown, request: KeyRequest): PrincipalMatch {
  if (principal === '*') return 'caller';
  if (typeof principal !== 'object' || principal === null) return 'none';
  // Service, Federated and CanonicalUser principals never name an IAM role's session.
  const matches = strings((principal as { AWS?: unknown }).AWS).map((v) => principalValueMatches(v, request));
  return matches.includes('caller') ? 'caller' : matches.includes('account') ? 'account' : 'none';
}

/** How the statement's principal applies to the caller: directly, through the account, or not at all. */
function statementPrincipal(statement: Statement, request: KeyRequest): PrincipalMatch {
  if ('NotPrincipal' in statement) {
    // Everyone except those listed by name: listing the account alone does not exempt its roles (AWS).
    return principalMatches(statement['NotPrincipal'], request) === 'caller' ? 'none' : 'caller';
  }
  return principalMatches(statement['Principal'], request);
}

/** An action pattern (`kms:Get*`) against an action, case-insensitively as IAM matches actions. */
export function actionMatches(pattern: string, action: string): boolean {
  return glob(pattern, 'i').test(action);
}

function actionApplies(statement: Statement, action: string): boolean {
  const matches = (patterns: unknown) => strings(patterns).some((p) => actionMatches(p, action));
  return 'NotAction' in statement ? !matches(statement['NotAction']) : matches(statement['Action']);
}

function resourceApplies(statement: Statement, keyArn: string): boolean {
  const matches = (patterns: unknown) => strings(patterns).some((p) => glob(p).test(keyArn));
  return 'NotResource' in statement ? !matches(statement['NotResource']) : matches(statement['Resource']);
}

/** The request's condition keys, lower-cased. */
function contextOf(request: KeyRequest): Map<string, string[]> {
  const entries: [string, string | string[]][] = [
    ['aws:principalarn', request.principalArn],
    ['aws:principalaccount', request.callerAccount],
    ['kms:calleraccount', request.callerAccount],
    ['aws:resourceaccount', request.keyArn.split(':')[4] ?? ''],
    // The simulator stands in for AWS's HTTPS endpoints.
    ['aws:securetransport', 'true'],
    ...Object.entries(request.context ?? {}),
  ];
  return new Map(entries.map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v : [v]]));
}

/** `${aws:PrincipalAccount}` and the like take the request's value; an unknown variable matches nothing. */
function substitute(value: string, context: Map<string, string[]>): string | undefined {
  let unknown = false;
  const result = value.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
    if (name === '*' || name === '?' || name === '$') return name;
    const known = context.get(name.toLowerCase());
    if (known?.length !== 1) unknown = true;
    return known?.[0] ?? '';
  });
  return unknown ? undefined : result;
}

type Matcher = (pattern: string, value: string) => boolean;

const MATCHERS: Record<string, { match: Matcher; negated: boolean }> = {
  stringequals: { match: (p, v) => p === v, negated: false },
  stringnotequals: { match: (p, v) => p === v, negated: true },
  stringequalsignorecase: { match: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false },
  stringnotequalsignorecase: { match: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: true },
  stringlike: { match: (p, v) => glob(p).test(v), negated: false },
  stringnotlike: { match: (p, v) => glob(p).test(v), negated: true },
  arnequals: { match: arnLike, negated: false },
  arnlike: { match: arnLike, negated: false },
  arnnotequals: { match: arnLike, negated: true },
  arnnotlike: { match: arnLike, negated: true },
  bool: { match: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false },
};

/** One condition entry (operator, key, values) against the request. */
function entryHolds(
  operator: string,
  key: string,
  rawValues: unknown,
  context: Map<string, string[]>,
): Tristate {
  const lowered = operator.toLowerCase();
  const set = lowered.startsWith('forallvalues:')
    ? 'all'
    : lowered.startsWith('foranyvalue:')
      ? 'any'
      : 'single';
  let name = lowered.replace(/^for(all|any)values?:/, '');
  const ifExists = name.endsWith('ifexists');
  if (ifExists) name = name.slice(0, -'ifexists'.length);
  const present = context.get(key.toLowerCase());
  const values = list(rawValues).map((v) =>
    typeof v === 'boolean' || typeof v === 'number' ? String(v) : v,
  );
  if (!values.every((v): v is string => typeof v === 'string')) return undefined;
  if (name === 'null') {
    if (values.length !== 1) return undefined;
    return (values[0]!.toLowerCase() === 'true') === (present === undefined);
  }
  const matcher = MATCHERS[name];
  if (matcher === undefined) return undefined;
  // AWS: a missing key fails a positive operator and satisfies a negated one; ...IfExists and
  // ForAllValues are true without it, ForAnyValue false.
  if (present === undefined || present.length === 0) {
    if (ifExists || set === 'all') return true;
    if (set === 'any') return false;
    return matcher.negated;
  }
  const patterns = values.map((v) => substitute(v, context)).filter((v): v is string => v !== undefined);
  const matchesOne = (value: string) => patterns.some((p) => matcher.match(p, value));
  const valueHolds = (value: string) => (matcher.negated ? !matchesOne(value) : matchesOne(value));
  if (set === 'all') return present.every(valueHolds);
  return present.some(valueHolds);
}

/** Whether every entry of the statement's Condition holds (entries are ANDed). */
function conditionHolds(condition: unknown, request: KeyRequest): Tristate {
  if (condition === undefined) return true;
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) return undefined;
  const context = contextOf(request);
  let result: Tristate = true;
  for (const [operator, entries] of Object.entries(condition as Record<string, unknown>)) {
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) return undefined;
    for (const [key, values] of Object.entries(entries as Record<string, unknown>)) {
      const holds = entryHolds(operator, key, values, context);
      if (holds === false) return false;
      if (holds === undefined) result = undefined;
    }
  }
  return result;
}

function statementsOf(policy: unknown): Statement[] {
  if (typeof policy !== 'object' || policy === null) return [];
  return list((policy as { Statement?: unknown }).Statement).filter(
    (s): s is Statement => typeof s === 'object' && s !== null && !Array.isArray(s),
  );
}

/** Decides one KMS request against the key's policy. */
export function authorizeKeyRequest(policy: unknown, request: KeyRequest): KeyDecision {
  const denied = (why: Exclude<KeyDecision, { allowed: true }>['why']): KeyDecision => {
    const tail =
      why === 'explicit-deny'
        ? 'with an explicit deny in a resource-based policy'
        : `because no ${why === 'no-identity-allow' ? 'identity-based' : 'resource-based'} policy allows the ${request.action} action`;
    return {
      allowed: false,
      why,
      message: `User: ${request.callerArn} is not authorized to perform: ${request.action} on resource: ${request.keyArn} ${tail}`,
    };
  };
  const applying = statementsOf(policy).flatMap((statement) => {
    if (!actionApplies(statement, request.action) || !resourceApplies(statement, request.keyArn)) return [];
    const principal = statementPrincipal(statement, request);
    if (principal === 'none') return [];
    const holds = conditionHolds(statement['Condition'], request);
    return [{ effect: statement['Effect'], principal, holds }];
  });
  // A Deny whose condition the simulator cannot decide counts: fail closed.
  if (applying.some((s) => s.effect === 'Deny' && s.holds !== false)) return denied('explicit-deny');
  const allows = applying.filter((s) => s.effect === 'Allow' && s.holds === true);
  if (allows.some((s) => s.principal === 'caller')) return { allowed: true, by: 'key-policy' };
  if (allows.some((s) => s.principal === 'account'))
    return request.iamAllows ? { allowed: true, by: 'iam' } : denied('no-identity-allow');
  return denied('no-resource-allow');
}
