import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'keywarden-check-policy-'));

function write(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** Runs the real CLI from source in a child process: exit code and output, as a CI pipeline sees them. */
function cli(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: root },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

const wide = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'All', Effect: 'Allow', Action: 'kms:*', Resource: '*' }],
};
const narrow = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:us-east-1:111122223333:key/*' },
  ],
};

describe('keywarden check-policy', () => {
  it('exits 1 and explains a FAILED policy', async () => {
    const result = await cli(['check-policy', write('wide.json', wide)]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAILED/);
    expect(result.stdout).toMatch(/kms:Decrypt is allowed on every KMS key by statement 'All' \(#0\)/);
  });

  it('exits 0 for a PASSED policy and prints JSON with verdict, coverage and evidence', async () => {
    const result = await cli(['check-policy', '--json', write('narrow.json', narrow)]);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(body['verdict']).toBe('PASSED');
    expect(body['coverage']).toEqual({ 'kms:Decrypt': 'PARTIAL', 'kms:ReEncryptFrom': 'NONE' });
    const actions = body['actions'] as { keyNotGranted?: string }[];
    expect(actions[0]!.keyNotGranted).toMatch(/^arn:aws:kms:/);
  });

  it('reads standard input and honours --actions with wildcards', async () => {
    const result = await cli(
      ['check-policy', '--json', '--actions', 'kms:ReEncrypt*', '-'],
      JSON.stringify(narrow),
    );
    expect(result.code).toBe(0);
    expect(Object.keys((JSON.parse(result.stdout) as { coverage: object }).coverage)).toEqual([
      'kms:ReEncryptFrom',
      'kms:ReEncryptTo',
    ]);
  });

  it('exits 2 with the reason for an invalid document', async () => {
    const result = await cli([
      'check-policy',
      '--json',
      write('bad.json', '{"Statement": [{"Action": "*"}]}'),
    ]);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({
      verdict: 'NOT_AVAILABLE',
      error: { code: 'INVALID_STATEMENT' },
    });
  });

  it('exits 2 for bad usage: a missing file or an unknown action', async () => {
    expect((await cli(['check-policy', join(dir, 'missing.json')])).code).toBe(2);
    const unknown = await cli(['check-policy', '--actions', 'kms:Nope', write('w2.json', wide)]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/kms:Nope/);
    expect((await cli(['check-policy'])).code).toBe(2);
  });
});
