import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTROL_IDS } from '../../src/model/result.js';

const root = new URL('../../', import.meta.url).pathname;
const config = join(mkdtempSync(join(tmpdir(), 'kw-cli-scope-')), 'keywarden.yaml');
writeFileSync(
  config,
  [
    'accounts:',
    '  include: ["111111111111"]',
    '  exclude: ["333333333333"]',
    'regions:',
    '  mode: list',
    '  list: [us-east-1]',
    'controls:',
    '  KMS.4:',
    '    enabled: false',
    '',
  ].join('\n'),
);

function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      // Nothing listens there: a scan that started would fail its calls, not exit 2.
      { cwd: root, env: { ...process.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_REGION: 'us-east-1' } },
      (error, _stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr }),
    );
  });
}

describe('keywarden scan --accounts/--regions/--controls only narrow the configuration', () => {
  it('exits 2 naming what lies outside the configured scope', async () => {
    const result = await cli([
      'scan',
      '--config',
      config,
      '--accounts',
      '222222222222,333333333333',
      '--regions',
      'ap-southeast-2',
      '--controls',
      'KMS.3,KMS.4',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'keywarden scan: outside the configured scope: accounts 222222222222, 333333333333; ' +
        'regions ap-southeast-2; controls KMS.4 (disabled in the configuration)',
    );
  }, 30_000);

  it("exits 2 with the scope contract's message for a malformed scope (no scan starts)", async () => {
    const result = await cli(['scan', '--config', config, '--accounts', '1234', '--controls', 'KMS.3,KMS.9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'keywarden scan: invalid scope: accounts: not a 12-digit account id: "1234"; ' +
        `controls: unknown control (known: ${CONTROL_IDS.join(', ')}): "KMS.9"`,
    );
  }, 30_000);
});
