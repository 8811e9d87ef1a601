/**
 * Decodes, parses and validates an IAM policy document into normalised statements.
 * Returns a typed error instead of throwing: an invalid document must never become a PASS.
 */
import type { PolicyError } from './types.js';

export interface ParsedStatement {
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** Exactly one of actions / notActions is set. */
  actions?: string[];
  notActions?: string[];
  /** Exactly one of resources / notResources is set (both absent only in trust policies). */
  resources?: string[];
  notResources?: string[];
  principal?: unknown;
  notPrincipal?: unknown;
  /** A non-empty Condition block: an Allow still grants, a Deny may not apply. */
  hasCondition: boolean;
  /** The Condition block as written, for the engines that weigh conditions (KMS.5's key policies). */
  condition?: Record<string, unknown>;
}

export interface ParsedPolicy {
  version: string;
  statements: ParsedStatement[];
}

export type ParseResult = { ok: true; policy: ParsedPolicy } | { ok: false; error: PolicyError };

export interface ParseOptions {
  /** Identity policies need Resource or NotResource; trust policies have neither. Default true. */
  requireResource?: boolean;
}

/** Far above IAM's own limits (10,240 characters for a role's inline policies); bounds the work. */
export const MAX_DOCUMENT_CHARS = 2 * 1024 * 1024;
const DEFAULT_VERSION = '2008-10-17';
const KNOWN_VERSIONS: ReadonlySet<unknown> = new Set(['2012-10-17', '2008-10-17']);

function isKnownVersion(value: unknown): value is string {
  return KNOWN_VERSIONS.has(value);
}

/** A document-level error (statement errors come from parseStatement, with their index). */
const fail = (code: PolicyError['code'], message: string): ParseResult => ({
  ok: false,
  error: { code, message },
});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type DecodedDocument =
  | {
      ok: true;
      value: unknown;
      /** The JSON text it was parsed from (absent for an object given as is). */
      text?: string;
    }
  | { ok: false; error: PolicyError };

/** Turns a string (raw JSON, or URL-encoded JSON as IAM returns it) or an object into an object. */
export function decodeDocument(input: unknown): DecodedDocument {
  if (isPlainObject(input)) return { ok: true, value: input };
  if (typeof input !== 'string') {
    return {
      ok: false,
      error: {
        code: 'INVALID_DOCUMENT',
        message: `policy document must be a JSON object or string, got ${typeName(input)}`,
      },
    };
  }
  if (input.length > MAX_DOCUMENT_CHARS) {
    return {
      ok: false,
      error: {
        code: 'TOO_LARGE',
        message: `policy document has ${input.length} characters (limit ${MAX_DOCUMENT_CHARS})`,
      },
    };
  }
  let text = input.trim();
  // Decode only when the text is URL-encoded: raw JSON starts with '{', IAM's encoding with '%7B'. (Text
  // without '%' decodes to itself: JSON of another kind is then refused as not an object.)
  if (!text.startsWith('{')) {
    try {
      text = decodeURIComponent(text).trim();
    } catch {
      return {
        ok: false,
        error: { code: 'INVALID_ENCODING', message: 'policy document is not valid URL-encoded text' },
      };
    }
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown, text };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      error: { code: 'INVALID_JSON', message: `policy document is not valid JSON: ${detail}` },
    };
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** A string or a non-empty list of strings, as IAM allows for Action, Resource and their Not forms. */
function stringList(value: unknown, field: string, index: number): string[] | PolicyError {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) {
    if (value.length === 0)
      return { code: 'INVALID_STATEMENT', message: `${field} must not be empty`, statement: index };
    for (const item of value) {
      if (typeof item !== 'string') {
        return {
          code: 'INVALID_STATEMENT',
          message: `${field} must hold only strings, found ${typeName(item)}`,
          statement: index,
        };
      }
    }
    return value as string[];
  }
  return {
    code: 'INVALID_STATEMENT',
    message: `${field} must be a string or a list of strings, got ${typeName(value)}`,
    statement: index,
  };
}

function isError(value: string[] | PolicyError): value is PolicyError {
  return !Array.isArray(value);
}

/** Picks exactly one of a pair of mutually exclusive elements (Action/NotAction, Resource/NotResource). */
function exclusivePair(
  raw: Record<string, unknown>,
  positive: string,
  negative: string,
  index: number,
  required: boolean,
): { positive?: string[]; negative?: string[] } | PolicyError {
  const hasPositive = positive in raw;
  const hasNegative = negative in raw;
  if (hasPositive && hasNegative) {
    return {
      code: 'INVALID_STATEMENT',
      message: `statement has both ${positive} and ${negative}`,
      statement: index,
    };
  }
  if (!hasPositive && !hasNegative) {
    if (!required) return {};
    return {
      code: 'INVALID_STATEMENT',
      message: `statement has neither ${positive} nor ${negative}`,
      statement: index,
    };
  }
  const field = hasPositive ? positive : negative;
  const list = stringList(raw[field], field, index);
  if (isError(list)) return list;
  return hasPositive ? { positive: list } : { negative: list };
}

function parseStatement(
  raw: unknown,
  index: number,
  requireResource: boolean,
): ParsedStatement | PolicyError {
  if (!isPlainObject(raw)) {
    return {
      code: 'INVALID_STATEMENT',
      message: `statement must be an object, got ${typeName(raw)}`,
      statement: index,
    };
  }
  const effect = raw['Effect'];
  if (effect === undefined)
    return { code: 'INVALID_STATEMENT', message: 'statement has no Effect', statement: index };
  if (effect !== 'Allow' && effect !== 'Deny') {
    return {
      code: 'INVALID_STATEMENT',
      message: `Effect must be "Allow" or "Deny", got ${JSON.stringify(effect)?.slice(0, 40)}`,
      statement: index,
    };
  }
  const sid = raw['Sid'];
  if (sid !== undefined && typeof sid !== 'string') {
    return {
      code: 'INVALID_STATEMENT',
      message: `Sid must be a string, got ${typeName(sid)}`,
      statement: index,
    };
  }
  const action = exclusivePair(raw, 'Action', 'NotAction', index, true);
  if ('code' in action) return action;
  const resource = exclusivePair(raw, 'Resource', 'NotResource', index, requireResource);
  if ('code' in resource) return resource;
  const condition = raw['Condition'];
  if (condition !== undefined && !isPlainObject(condition)) {
    return {
      code: 'INVALID_STATEMENT',
      message: `Condition must be an object, got ${typeName(condition)}`,
      statement: index,
    };
  }
  const statement: ParsedStatement = {
    index,
    effect,
    hasCondition: condition !== undefined && Object.keys(condition).length > 0,
  };
  if (sid !== undefined) statement.sid = sid;
  if (action.positive) statement.actions = action.positive;
  if (action.negative) statement.notActions = action.negative;
  if (resource.positive) statement.resources = resource.positive;
  if (resource.negative) statement.notResources = resource.negative;
  if ('Principal' in raw) statement.principal = raw['Principal'];
  if ('NotPrincipal' in raw) statement.notPrincipal = raw['NotPrincipal'];
  if (condition !== undefined) statement.condition = condition;
  return statement;
}

export function parsePolicyDocument(input: unknown, options: ParseOptions = {}): ParseResult {
  const requireResource = options.requireResource ?? true;
  const decoded = decodeDocument(input);
  if (!decoded.ok) return decoded;
  const document = decoded.value;
  if (!isPlainObject(document)) {
    return fail('INVALID_DOCUMENT', `policy document must be a JSON object, got ${typeName(document)}`);
  }
  // An absent Version means 2008-10-17; a present one must be a known version (null included).
  const version = 'Version' in document ? document['Version'] : DEFAULT_VERSION;
  if (!isKnownVersion(version)) {
    return fail(
      'INVALID_DOCUMENT',
      `Version must be "2012-10-17" or "2008-10-17", got ${JSON.stringify(version)?.slice(0, 40)}`,
    );
  }
  if (!('Statement' in document)) return fail('INVALID_DOCUMENT', 'policy document has no Statement');
  const rawStatements = document['Statement'];
  const list = Array.isArray(rawStatements) ? rawStatements : [rawStatements];
  const statements: ParsedStatement[] = [];
  for (let index = 0; index < list.length; index++) {
    const parsed = parseStatement(list[index], index, requireResource);
    if ('code' in parsed) return { ok: false, error: parsed };
    statements.push(parsed);
  }
  return { ok: true, policy: { version, statements } };
}
