/** CI's dependency audit (scripts/audit.mjs) against a stand-in `npm` that answers as the registry would. */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = new URL('../../scripts/audit.mjs', import.meta.url).pathname;

function audit(npmOutput: string): { status: number | null; output: string } {
  const bin = mkdtempSync(join(tmpdir(), 'kw-audit-'));
  writeFileSync(join(bin, 'answer.json'), npmOutput);
  writeFileSync(join(bin, 'npm'), `#!/bin/sh\ncat "${join(bin, 'answer.json')}"\nexit 1\n`);
  chmodSync(join(bin, 'npm'), 0o755);
  const run = spawnSync(process.execPath, [script], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env['PATH']}` },
  });
  return { status: run.status, output: run.stdout + run.stderr };
}

const vulnerabilities = (high: number, critical: number) =>
  JSON.stringify({
    metadata: {
      vulnerabilities: { info: 0, low: 2, moderate: 1, high, critical, total: 3 + high + critical },
    },
  });

describe('dependency audit in CI', () => {
  it('fails on a high or a critical advisory', () => {
    expect(audit(vulnerabilities(1, 0))).toMatchObject({
      status: 1,
      output: expect.stringMatching(/1 high or critical/),
    });
    expect(audit(vulnerabilities(0, 2)).status).toBe(1);
  });

  it('passes with only low and moderate advisories', () => {
    expect(audit(vulnerabilities(0, 0)).status).toBe(0);
  });

  it('says NOT CHECKED, without failing, when the registry has no audit endpoint', () => {
    const result = audit(
      JSON.stringify({
        message: '405 Method Not Allowed - POST https://registry/-/npm/v1/security/advisories/bulk',
        statusCode: 405,
      }),
    );
    expect(result).toMatchObject({ status: 0, output: expect.stringMatching(/NOT CHECKED.*405/) });
  });

  it('fails when npm answers something it cannot read', () => {
    expect(audit('not json').status).toBe(1);
  });
});
