/** Each command loads only what it needs: `--help` and `check-policy` never load the AWS SDK or the server. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requestedCommand } from '../../src/cli/commands/index.js';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'keywarden-loads-'));

/** The CLI from source with a loader hook that lists every module it loads. */
function loadsOf(args: string[]): Promise<string[]> {
  const log = join(dir, `${args.join('-').replace(/[^a-z-]/g, '')}.log`);
  writeFileSync(log, '');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--import', './test/fixtures/loads/register.mjs', 'src/cli/main.ts', ...args],
      { cwd: root, env: { ...process.env, KEYWARDEN_TEST_LOADS: log } },
      (error) => {
        if (error && error.code !== 0 && error.code !== 1) return reject(error);
        resolve(readFileSync(log, 'utf8').split('\n').filter(Boolean));
      },
    );
  });
}

const heavy =
  /node_modules\/(@aws-sdk|@smithy|fastify|@fastify|bullmq|ioredis|better-sqlite3|pino|prom-client)\//;

describe('lazy commands', () => {
  it('finds the command in the arguments', () => {
    expect(requestedCommand(['check-policy', '--json', 'x'])).toBe('check-policy');
    expect(requestedCommand(['--help'])).toBeUndefined();
    expect(requestedCommand(['help', 'scan'])).toBe('scan');
  });

  it('--help loads no command module and no heavy dependency', async () => {
    const loads = await loadsOf(['--help']);
    expect(loads.some((url) => url.endsWith('/src/cli/main.ts'))).toBe(true);
    expect(loads.filter((url) => url.includes('/src/cli/commands/') && !url.endsWith('/index.ts'))).toEqual(
      [],
    );
    expect(loads.filter((url) => heavy.test(url))).toEqual([]);
  });

  it('check-policy loads its own module and no AWS SDK, server, queue or database', async () => {
    const policy = join(dir, 'p.json');
    writeFileSync(policy, JSON.stringify({ Version: '2012-10-17', Statement: [] }));
    const loads = await loadsOf(['check-policy', policy]);
    expect(loads.some((url) => url.endsWith('/src/cli/commands/check-policy.ts'))).toBe(true);
    expect(loads.filter((url) => heavy.test(url))).toEqual([]);
    // The other way round, so the check above can fail: scan --help loads the SDK.
    const scan = await loadsOf(['scan', '--help']);
    expect(scan.some((url) => heavy.test(url))).toBe(true);
  });
});
