/** Action-name globs: IAM matches actions case-insensitively, `*` is any run of characters, `?` one. */

const actionRegexCache = new Map<string, RegExp>();

/** Compiles an IAM action pattern (e.g. `kms:ReEncrypt*`) to an anchored, case-insensitive RegExp. */
export function actionPatternRegex(pattern: string): RegExp {
  let regex = actionRegexCache.get(pattern);
  // Stryker disable next-line ConditionalExpression: compiling again gives the same RegExp; the cache only saves time.
  if (regex === undefined) {
    let source = '';
    for (const char of pattern) {
      if (char === '*') source += '.*';
      else if (char === '?') source += '.';
      else source += char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
    }
    regex = new RegExp(`^${source}$`, 'is');
    // Stryker disable next-line ConditionalExpression,EqualityOperator: when the cache empties changes only time and memory.
    if (actionRegexCache.size > 10_000) actionRegexCache.clear();
    actionRegexCache.set(pattern, regex);
  }
  return regex;
}

export function actionMatches(pattern: string, action: string): boolean {
  return actionPatternRegex(pattern).test(action);
}

export interface ExpandedActions {
  /** Known actions matched by at least one pattern, in the canonical spelling of the list, sorted. */
  actions: string[];
  /** Patterns that matched no known action (a typo in the configuration, most likely). */
  unmatched: string[];
}

/**
 * Expands blocked action patterns (`kms:Decrypt`, `kms:ReEncrypt*`) against the list of known actions,
 * each written `prefix:Name`.
 */
export function expandActionPatterns(
  patterns: readonly string[],
  knownActions: readonly string[],
): ExpandedActions {
  const matched = new Set<string>();
  const unmatched: string[] = [];
  for (const raw of patterns) {
    const pattern = raw.trim();
    if (pattern === '') continue;
    const hits = knownActions.filter((action) => actionMatches(pattern, action));
    if (hits.length === 0) unmatched.push(pattern);
    for (const hit of hits) matched.add(hit);
  }
  return { actions: [...matched].sort(), unmatched };
}

/** Parses the Config-rule style CSV form (`kms:ReEncryptFrom, kms:Decrypt`) or a list into patterns. */
export function splitActionPatterns(value: string | readonly string[]): string[] {
  const items = typeof value === 'string' ? value.split(',') : value;
  return items.map((item) => item.trim()).filter((item) => item !== '');
}
