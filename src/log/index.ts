/**
 * Structured JSON logs (pino) with credentials and tokens redacted, both in structured fields and in free
 * text (error messages end up in logs and scan records).
 */
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Field paths whose values are never written. */
export const REDACTED_PATHS = [
  'credentials',
  '*.credentials',
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

const TEXT_SECRETS: [RegExp, string][] = [
  // Bearer tokens and SigV4 credential scopes in headers or messages.
  [/(Bearer\s+)[\x21-\x7e]+/gi, '$1[REDACTED]'],
  [/(Credential=)[A-Z0-9]{16,128}/g, '$1[REDACTED]'],
  // Access key ids (long-term AKIA, temporary ASIA).
  [/\b(AKIA|ASIA)[A-Z0-9]{12,124}\b/g, '$1[REDACTED]'],
  // Secret keys and session tokens named as such.
  [
    /((?:aws_)?(?:secret_?access_?key|session_?token|x-amz-security-token)["'\s:=]+)[^\s"',;]+/gi,
    '$1[REDACTED]',
  ],
  // Anything that looks like a secret access key (40 base64 characters).
  [/(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])/g, '[REDACTED]'],
];

/** Masks credentials and tokens in free text. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of TEXT_SECRETS) out = out.replace(pattern, replacement);
  return out;
}

export interface LoggerOptions {
  level?: string;
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'keywarden' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        // Free-text messages may quote an error that carries a token: mask it before writing.
        logMethod(args, method) {
          const masked = args.map((arg) =>
            typeof arg === 'string' ? redactSecrets(arg) : arg,
          ) as Parameters<typeof method>;
          method.apply(this, masked);
        },
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
    options.destination,
  );
}

/** A logger that writes nothing (tests, quiet commands). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
