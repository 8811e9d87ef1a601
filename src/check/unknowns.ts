/**
 * Values known only at deploy time: CloudFormation intrinsic functions (`{ "Ref": ... }`,
 * `{ "Fn::Sub": ... }`, ...) and Terraform plan values marked in `after_unknown`. A policy holding one is
 * evaluated twice: with every unknown value granting the most it could (the worst case) and the least (the
 * best case). If the best case already fails, the policy fails whatever the values; if the worst case
 * passes, it passes whatever the values; otherwise the verdict is UNKNOWN until deployment. Pure.
 */

/** A Terraform value the plan does not know (the `after_unknown` marker), kept in place of the value. */
export class PlanUnknown {
  constructor(readonly address: string) {}
}

export function isIntrinsic(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'));
}

export function isUnknown(value: unknown): boolean {
  return value instanceof PlanUnknown || isIntrinsic(value);
}

/** How a report shows an unknown value: `Fn::GetAtt [Key, Arn]`, `Ref Bucket`, `(known after apply)`. */
export function describeUnknown(value: unknown): string {
  if (value instanceof PlanUnknown) return '(known after apply)';
  const [key, argument] = Object.entries(value as Record<string, unknown>)[0]!;
  const text = JSON.stringify(argument);
  return `${key} ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
}

export interface UnknownValue {
  /** Where in the policy document, e.g. `Statement[1].Resource`. */
  path: string;
  value: unknown;
}

/** A string no action pattern and no key ARN matches: an unknown value that grants nothing. */
const NOTHING = 'keywarden-unknown-value';
const EVERYTHING = '*';
const FIELDS = ['Action', 'NotAction', 'Resource', 'NotResource'] as const;

export type Case = 'worst' | 'best';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every unknown value in a policy document that matters to the controls, with where it is. */
export function findUnknowns(document: unknown): UnknownValue[] {
  const found: UnknownValue[] = [];
  if (isUnknown(document)) return [{ path: '(the whole policy document)', value: document }];
  if (!isObject(document)) return found;
  if (isUnknown(document['Version'])) found.push({ path: 'Version', value: document['Version'] });
  const statements = document['Statement'];
  if (isUnknown(statements)) return [...found, { path: 'Statement', value: statements }];
  const list = Array.isArray(statements) ? statements : [statements];
  list.forEach((statement, index) => {
    const at = Array.isArray(statements) ? `Statement[${index}]` : 'Statement';
    if (isUnknown(statement)) return found.push({ path: at, value: statement });
    if (!isObject(statement)) return;
    for (const field of ['Effect', ...FIELDS]) {
      const value = statement[field];
      if (isUnknown(value)) found.push({ path: `${at}.${field}`, value });
      else if (Array.isArray(value))
        value.forEach((item, i) => {
          if (isUnknown(item)) found.push({ path: `${at}.${field}[${i}]`, value: item });
        });
    }
    return;
  });
  return found;
}

/** A statement that grants (worst case) or takes away (best case) every action on every resource. */
const extreme = (which: Case) => ({
  Effect: which === 'worst' ? 'Allow' : 'Deny',
  Action: '*',
  Resource: '*',
});

function replaceInStatement(statement: Record<string, unknown>, which: Case): Record<string, unknown> {
  const effect = isUnknown(statement['Effect'])
    ? which === 'worst'
      ? 'Allow'
      : 'Deny'
    : statement['Effect'];
  // Worst case: an Allow's sets as large as they could be, a Deny's as small; the best case the reverse.
  const grow = (effect === 'Allow') === (which === 'worst');
  const out: Record<string, unknown> = { ...statement, Effect: effect };
  for (const field of FIELDS) {
    const value = statement[field];
    const positive = !field.startsWith('Not');
    const substitute = grow === positive ? EVERYTHING : NOTHING;
    if (isUnknown(value)) out[field] = substitute;
    else if (Array.isArray(value)) out[field] = value.map((item) => (isUnknown(item) ? substitute : item));
  }
  // Any other unknown (a Sid, a Condition value) does not change the verdict: a Condition's presence is
  // what counts, and it stays present.
  return out;
}

/** The document with every unknown value replaced as in the given case. */
export function resolveUnknowns(document: unknown, which: Case): unknown {
  if (isUnknown(document)) return { Version: '2012-10-17', Statement: [extreme(which)] };
  if (!isObject(document)) return document;
  const out: Record<string, unknown> = { ...document };
  if (isUnknown(out['Version'])) out['Version'] = '2012-10-17';
  const statements = document['Statement'];
  if (isUnknown(statements)) out['Statement'] = [extreme(which)];
  else if (Array.isArray(statements))
    out['Statement'] = statements.map((s) =>
      isUnknown(s) ? extreme(which) : isObject(s) ? replaceInStatement(s, which) : s,
    );
  else if (isObject(statements)) out['Statement'] = replaceInStatement(statements, which);
  return out;
}
