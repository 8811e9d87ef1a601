import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactSecrets, scopedLogger } from '../../src/log/index.js';

const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SESSION = `IQoJb3JpZ2luX2VjEOr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD${'Ab9+'.repeat(40)}`;
const API_TOKEN = 'api-token-0123456789abcdef';

function capture(options: { pretty?: boolean } = {}) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', destination, ...options }) };
}

describe('the logger', () => {
  it('masks secret fields at any depth, without touching the logged object', () => {
    const { lines, logger } = capture();
    const unit = {
      account: { aws: { credentials: { secretAccessKey: SECRET_KEY } } },
      deep: { a: { b: { c: { SessionToken: SESSION, Token: API_TOKEN, keep: 'visible' } } } },
      list: [{ authorization: `Bearer ${API_TOKEN}` }],
    };
    logger.info({ unit }, 'nested');
    const output = lines.join('');
    for (const secret of [SECRET_KEY, SESSION, API_TOKEN]) expect(output).not.toContain(secret);
    const line = JSON.parse(output) as { unit: { deep: { a: { b: { c: Record<string, string> } } } } };
    expect(line.unit.deep.a.b.c).toEqual({
      SessionToken: '[REDACTED]',
      Token: '[REDACTED]',
      keep: 'visible',
    });
    expect(unit.deep.a.b.c.Token).toBe(API_TOKEN);
  });

  it('masks the message pino takes from a logged error, and secrets in any text field', () => {
    const { lines, logger } = capture();
    logger.error(new Error(`AssumeRole failed: Authorization: Bearer ${API_TOKEN}`));
    logger.warn({ reason: `copied ${SECRET_KEY} and ${SESSION}` }, 'text field');
    const output = lines.join('');
    for (const secret of [SECRET_KEY, SESSION, API_TOKEN]) expect(output).not.toContain(secret);
    // Masking keeps every line valid JSON.
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });

  it('child loggers carry the scan, account, region and control of every line', () => {
    const { lines, logger } = capture();
    const scan = scopedLogger(logger, { scanId: 'scan-7' });
    scopedLogger(scan, { accountId: '111122223333', region: 'eu-west-1', controlId: 'KMS.4' }).info('unit');
    scopedLogger(scan, { accountId: '111122223333', region: undefined }).info('account');
    const [unit, account] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(unit).toMatchObject({
      scanId: 'scan-7',
      accountId: '111122223333',
      region: 'eu-west-1',
      controlId: 'KMS.4',
      msg: 'unit',
    });
    expect(account).toMatchObject({ scanId: 'scan-7', accountId: '111122223333' });
    expect(account).not.toHaveProperty('region');
  });

  it('writes human-readable lines when asked, still masked', () => {
    const { lines, logger } = capture({ pretty: true });
    logger.info({ credentials: { secretAccessKey: SECRET_KEY } }, `pretty Bearer ${API_TOKEN}`);
    const output = lines.join('');
    expect(output).toContain('pretty Bearer [REDACTED]');
    expect(() => JSON.parse(output) as unknown).toThrow();
    for (const secret of [SECRET_KEY, API_TOKEN]) expect(output).not.toContain(secret);
  });
});

describe('redactSecrets', () => {
  it.each([
    ['a session token by its opening', `token was ${SESSION}.`, SESSION],
    ['a long unnamed token', `page ${'Q'.repeat(150)} done`, 'Q'.repeat(150)],
    ['a security token header', `X-Amz-Security-Token: abc123def456`, 'abc123def456'],
    ['a bearer token in JSON', `{"h":"Bearer ${API_TOKEN}"}`, API_TOKEN],
  ])('masks %s', (_name, text, secret) => {
    expect(redactSecrets(text)).not.toContain(secret);
  });

  it('leaves ordinary text, ids and ARNs alone', () => {
    for (const text of [
      'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'keywarden/us-east-1/111122223333/KMS.1/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      'scan 2026-11-28T20:00:00.000Z finished: 12 units, 3 failed',
    ])
      expect(redactSecrets(text)).toBe(text);
  });

  it('keeps a bearer token masked in JSON without eating the rest of the line', () => {
    expect(redactSecrets(`{"a":"Bearer ${API_TOKEN}","b":1}`)).toBe('{"a":"Bearer [REDACTED]","b":1}');
  });
});
