/**
 * Structured JSON logs (pino) with credentials and tokens redacted, both in structured fields and in free
 * text (error messages end up in logs and scan records).
 *
 * Three layers, because one is not enough: pino's redaction paths (the known shapes), a walk that masks
 * secret-named fields at any depth, and a last pass over each written line that masks whatever looks like
 * a key, a session token or a bearer token (including the message pino takes from a logged error).
 */
import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

const CENSOR = '[REDACTED]';

/** Field paths whose values are never written. */
export const REDACTED_PATHS = [
  'credentials',
  '*.credentials',
  '*.Credentials',
  'accessKeyId',
  '*.accessKeyId',
  '*.AccessKeyId',
  'secretAccessKey',
  '*.secretAccessKey',
  '*.SecretAccessKey',
  'sessionToken',
  '*.sessionToken',
  '*.SessionToken',
  'token',
  '*.token',
  'tokens',
  '*.tokens',
  'apiTokens',
  '*.apiTokens',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'config.api.tokens',
  'config.memberRole.externalId',
  '*.externalId',
];

/** Field names (at any depth, in any case) whose values are secrets, whatever they look like. */
const SECRET_FIELDS = new Set(
  [
    'credentials',
    'accessKeyId',
    'secretAccessKey',
    'sessionToken',
    'securityToken',
    'x-amz-security-token',
    'token',
    'tokens',
    'apiTokens',
    'authorization',
    'cookie',
    'password',
    'externalId',
  ].map((name) => name.toLowerCase()),
);

const TEXT_SECRETS: [RegExp, string][] = [
  // Bearer tokens in headers or messages (stopping at quotes and backslashes keeps JSON lines valid).
  [/(Bearer\s+)[^\s"'\\]+/gi, `$1${CENSOR}`],
  // SigV4 credential scopes.
  [/(Credential=)[A-Z0-9]{16,128}/g, `$1${CENSOR}`],
  // Access key ids (long-term AKIA, temporary ASIA).
  [/\b(AKIA|ASIA)[A-Z0-9]{12,124}\b/g, `$1${CENSOR}`],
  // Secret keys and session tokens named as such.
  [
    /((?:aws_)?(?:secret_?access_?key|session_?token|security_?token|x-amz-security-token)["'\s:=]+)[^\s"',;\\]+/gi,
    `$1${CENSOR}`,
  ],
  // Session tokens by their fixed opening (the base64 of their version header), whatever their length.
  [/(FwoGZXIvYXdz|IQoJb3JpZ2lu)[A-Za-z0-9/+=]*/g, CENSOR],
  // Anything that looks like a secret access key (40 base64 characters) or a long token (100 or more).
  [/(?<![A-Za-z0-9/+=])(?:[A-Za-z0-9/+=]{40}|[A-Za-z0-9/+]{100,}={0,2})(?![A-Za-z0-9/+=])/g, CENSOR],
];

/** Masks credentials and tokens in free text. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of TEXT_SECRETS) out = out.replace(pattern, replacement);
  return out;
}

const MAX_DEPTH = 12;

/** A copy of a logged object with secret-named fields masked at any depth (the original is untouched). */
function maskFields(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  // Errors keep their class for pino's err serializer, which masks their text.
  if (typeof value !== 'object' || value === null || value instanceof Error) return value;
  if (seen.has(value) || depth > MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => maskFields(item, depth + 1, seen));
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] = SECRET_FIELDS.has(key.toLowerCase()) ? CENSOR : maskFields(field, depth + 1, seen);
  }
  return out;
}

export interface LoggerOptions {
  level?: string;
  /** Human-readable lines through pino-pretty (a development dependency); JSON when it is not installed. */
  pretty?: boolean;
  destination?: DestinationStream;
}

function prettyStream(destination: DestinationStream | undefined): DestinationStream | undefined {
  try {
    const build = createRequire(import.meta.url)('pino-pretty') as (options: object) => DestinationStream;
    return build({ destination: destination ?? 1, translateTime: 'SYS:standard', ignore: 'pid,hostname' });
  } catch {
    return undefined;
  }
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = (options.pretty ? prettyStream(options.destination) : undefined) ?? options.destination;
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'keywarden' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: CENSOR },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => maskFields(object) as Record<string, unknown>,
        bindings: (bindings) => maskFields(bindings) as Record<string, unknown>,
      },
      hooks: {
        // The last word: whatever reached the line (a message, an error, a field) is masked before writing.
        streamWrite: redactSecrets,
      },
      serializers: {
        err: (error: unknown) => {
          const serialized = pino.stdSerializers.err(error as Error);
          return {
            ...serialized,
            message: redactSecrets(serialized.message),
            stack: redactSecrets(serialized.stack ?? ''),
          };
        },
      },
    },
    destination,
  );
}

/** What a log line is about; undefined fields are left out. */
export interface LogScope {
  scanId?: string;
  accountId?: string;
  region?: string;
  controlId?: string;
}

/** A child logger whose every line carries the scan, account, region and control it concerns. */
export function scopedLogger(logger: Logger, scope: LogScope): Logger {
  return logger.child(Object.fromEntries(Object.entries(scope).filter(([, value]) => value !== undefined)));
}

/** A logger that writes nothing (tests, quiet commands). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
