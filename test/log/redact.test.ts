import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactSecrets } from '../../src/log/index.js';

const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SESSION = 'FwoGZXIvYXdzEJr//////////wEaDOp2EXAMPLESESSIONTOKEN';
const BEARER = 'api-token-0123456789abcdef';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', destination }) };
}

describe('logs never show credentials or tokens', () => {
  it('redacts structured fields', () => {
    const { lines, logger } = capture();
    logger.info(
      { credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: SECRET_KEY, sessionToken: SESSION } },
      'assumed',
    );
    logger.info(
      { req: { headers: { authorization: `Bearer ${BEARER}` } }, config: { api: { tokens: [BEARER] } } },
      'request',
    );
    logger.info({ nested: { SecretAccessKey: SECRET_KEY, SessionToken: SESSION, token: BEARER } }, 'nested');
    const output = lines.join('');
    for (const secret of [SECRET_KEY, SESSION, BEARER]) expect(output).not.toContain(secret);
    expect(output).toContain('[REDACTED]');
  });

  it('masks secrets in free text and error messages', () => {
    const { lines, logger } = capture();
    logger.error(
      {
        err: new Error(`failed with Authorization: Bearer ${BEARER} and aws_secret_access_key=${SECRET_KEY}`),
      },
      'boom',
    );
    logger.warn(
      `credential Credential=AKIAIOSFODNN7EXAMPLE/20261128/us-east-1/kms/aws4_request session_token=${SESSION}`,
    );
    const output = lines.join('');
    for (const secret of [SECRET_KEY, SESSION, BEARER, 'AKIAIOSFODNN7EXAMPLE'])
      expect(output).not.toContain(secret);
    expect(redactSecrets(`x-amz-security-token: ${SESSION}`)).not.toContain(SESSION);
    expect(redactSecrets('nothing secret here')).toBe('nothing secret here');
  });
});
