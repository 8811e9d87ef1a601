/**
 * A direct, independent matcher used as a test oracle: IAM resource globs as regular expressions,
 * applied to concrete key ARNs. Deliberately written without the engine's automata.
 */
export function resourceRegex(pattern: string, variables: boolean): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (variables && ch === '$' && pattern[i + 1] === '{') {
      const close = pattern.indexOf('}', i + 2);
      if (close > 0) {
        const inner = pattern.slice(i + 2, close);
        source += inner === '*' || inner === '?' || inner === '$' ? escape(inner) : '(?!)';
        i = close;
        continue;
      }
    }
    if (ch === '*') {
      let j = i;
      while (pattern[j + 1] === '*') j++;
      const next = pattern[j + 1];
      source += next === undefined || next === ':' ? '.*' : '[^:]*';
      i = j;
    } else if (ch === '?') source += '[^:]';
    else source += escape(ch);
  }
  return new RegExp(`^${source}$`, 's');
}

function escape(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

export interface OracleStatement {
  Effect: 'Allow' | 'Deny';
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Condition?: Record<string, unknown>;
}

function actionRegex(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escape(c)))
      .join('')}$`,
    'i',
  );
}

function applies(statement: OracleStatement, action: string): boolean {
  if (statement.Action) return statement.Action.some((p) => actionRegex(p).test(action));
  return !statement.NotAction!.some((p) => actionRegex(p).test(action));
}

function inSet(statement: OracleStatement, key: string, variables: boolean): boolean {
  if (statement.Resource) return statement.Resource.some((p) => resourceRegex(p, variables).test(key));
  return !statement.NotResource!.some((p) => resourceRegex(p, variables).test(key));
}

/** Is `action` on `key` granted: some applying Allow matches, no applying unconditional Deny does. */
export function grants(
  statements: OracleStatement[],
  action: string,
  key: string,
  variables = true,
): boolean {
  const applying = statements.filter((s) => applies(s, action));
  const allowed = applying.some((s) => s.Effect === 'Allow' && inSet(s, key, variables));
  const denied = applying.some(
    (s) =>
      s.Effect === 'Deny' &&
      (s.Condition === undefined || Object.keys(s.Condition).length === 0) &&
      inSet(s, key, variables),
  );
  return allowed && !denied;
}

export const KEY_ARN = /^arn:aws:kms:[a-z0-9-]+:[0-9]{12}:key\/[A-Za-z0-9-]+$/;
