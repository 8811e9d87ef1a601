/** `keywarden check-policy --control KMS.5`: key policies decided offline, with the same exit codes. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'keywarden-check-key-policy-'));

function write(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        '--import',
        pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href,
        join(root, 'src/cli/main.ts'),
        ...args,
      ],
      { cwd: root },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

const ROOT = {
  Sid: 'Root',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111122223333:root' },
  Action: 'kms:*',
  Resource: '*',
};
const publicPolicy = {
  Version: '2012-10-17',
  Statement: [
    ROOT,
    {
      Sid: 'Open',
      Effect: 'Allow',
      Principal: '*',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: { StringLike: { 'aws:PrincipalOrgID': 'o-*' } },
    },
  ],
};
const orgPolicy = {
  Version: '2012-10-17',
  Statement: [
    ROOT,
    {
      Sid: 'Org',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdef1234' } },
    },
  ],
};

interface Report {
  policies: {
    name?: string;
    control: string;
    verdict: string;
    publicStatements?: { label: string; actions: string[] }[];
  }[];
}

describe('check-policy --control KMS.5', () => {
  it('FAILS a public key policy (exit 1), naming the statement, its actions and why its condition does not restrict', async () => {
    const { code, stdout } = await cli([
      'check-policy',
      '--control',
      'KMS.5',
      write('public.json', publicPolicy),
    ]);
    expect(code).toBe(1);
    expect(stdout).toContain('(KMS.5): FAILED');
    expect(stdout).toContain("statement 'Open'");
    expect(stdout).toContain('kms:Decrypt, kms:GenerateDataKey');
    expect(stdout).toContain('aws:PrincipalOrgID: value "o-*" holds a wildcard');
  });

  it('PASSES a key policy restricted to a fixed organization (exit 0)', async () => {
    const { code, stdout } = await cli(['check-policy', '--control', 'KMS.5', write('org.json', orgPolicy)]);
    expect(code).toBe(0);
    expect(stdout).toContain('(KMS.5): PASSED');
  });

  it('reads KeyPolicy from AWS::KMS::Key in a template, and only key policies', async () => {
    const template = {
      Resources: {
        Open: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: publicPolicy } },
        Closed: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: orgPolicy } },
        Wide: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: {
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }],
            },
          },
        },
      },
    };
    const path = write('template.json', template);
    const { code, stdout } = await cli(['check-policy', '--control', 'KMS.5', '--format', 'json', path]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as Report;
    expect(report.policies.map((p) => [p.name, p.control, p.verdict])).toEqual([
      ['Open.KeyPolicy', 'KMS.5', 'FAILED'],
      ['Closed.KeyPolicy', 'KMS.5', 'PASSED'],
    ]);
    expect(report.policies[0]!.publicStatements!.map((s) => [s.label, s.actions])).toEqual([
      ['Open', ['kms:Decrypt', 'kms:GenerateDataKey']],
    ]);
    // Without --control the same template is checked as before: its IAM policy, as KMS.1.
    const plain = await cli(['check-policy', '--format', 'json', path]);
    expect(plain.code).toBe(1);
    expect((JSON.parse(plain.stdout) as Report).policies.map((p) => [p.name, p.control, p.verdict])).toEqual([
      ['Wide', 'KMS.1', 'FAILED'],
    ]);
  });

  it('exits 2 for a key policy that cannot be parsed', async () => {
    const broken = await cli([
      'check-policy',
      '--control',
      'KMS.5',
      write('broken.json', {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }],
      }),
    ]);
    expect(broken.code).toBe(2);
    expect(broken.stdout).toContain('NOT_AVAILABLE');
  });

  it('exits 2 for a value known only at deploy time (UNKNOWN, never PASSED)', async () => {
    const unknown = await cli([
      'check-policy',
      '--control',
      'KMS.5',
      write(
        'unknown.yaml',
        [
          'Resources:',
          '  Key:',
          '    Type: AWS::KMS::Key',
          '    Properties:',
          '      KeyPolicy:',
          "        Version: '2012-10-17'",
          '        Statement:',
          '          - Effect: Allow',
          '            Principal: { AWS: !Ref Trusted }',
          '            Action: kms:Decrypt',
          "            Resource: '*'",
        ].join('\n'),
      ),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toContain('UNKNOWN');
  });

  it('writes SARIF with a KMS.5 rule and an error at the public statement', async () => {
    const { code, stdout } = await cli([
      'check-policy',
      '--control',
      'KMS.5',
      '--format',
      'sarif',
      write('public-sarif.json', publicPolicy),
    ]);
    expect(code).toBe(1);
    const sarif = JSON.parse(stdout) as {
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: {
          ruleId: string;
          level: string;
          locations: { physicalLocation: { region?: { startLine: number } } }[];
        }[];
      }[];
    };
    expect(sarif.runs[0]!.tool.driver.rules.map((r) => r.id)).toContain('KMS.5');
    const results = sarif.runs[0]!.results.filter((r) => r.ruleId === 'KMS.5');
    expect(results).toHaveLength(1);
    expect(results[0]!.level).toBe('error');
    // The second statement starts on line 13 of the pretty-printed file.
    expect(results[0]!.locations[0]!.physicalLocation.region?.startLine).toBe(13);
  });
});
