import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'keywarden-check-policy-'));

function write(name: string, content: unknown): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

/** Runs the real CLI from source in a child process: exit code and output, as a CI pipeline sees them. */
function cli(
  args: string[],
  stdin?: string,
  cwd = root,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      // tsx by path: the test runs the CLI from other working directories too.
      [
        '--import',
        pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href,
        join(root, 'src/cli/main.ts'),
        ...args,
      ],
      { cwd, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(stdin ?? '');
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

interface JsonReport {
  blockedActions: string[];
  policies: {
    file: string;
    name?: string;
    verdict: string;
    coverage: Record<string, string>;
    actions: { keyNotGranted?: string }[];
    error?: { code: string };
  }[];
  errors: { file: string; message: string }[];
  skipped: string[];
}

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
    const body = JSON.parse(result.stdout) as JsonReport;
    expect(body.policies).toHaveLength(1);
    expect(body.policies[0]!.verdict).toBe('PASSED');
    expect(body.policies[0]!.coverage).toEqual({ 'kms:Decrypt': 'PARTIAL', 'kms:ReEncryptFrom': 'NONE' });
    expect(body.policies[0]!.actions[0]!.keyNotGranted).toMatch(/^arn:aws:kms:/);
    // --json is an alias of --format json.
    const long = await cli(['check-policy', '--format', 'json', join(dir, 'narrow.json')]);
    expect(long.stdout).toBe(result.stdout);
  });

  it('decides a policy whose Resource is a 3,000-character pattern on a plain node stack', async () => {
    // The pattern automaton used to be built by one recursive call per character: on the main thread of
    // plain node (the CLI's, and the scan's with policyWorkers 0) such a Resource overflowed the stack,
    // so the policy could not be decided at all. Vitest's worker threads have a larger stack, hence a child.
    const long = `arn:aws:kms:*:*:key/${'a'.repeat(2_980)}`;
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: [long, `${long}*`] }],
    };
    const result = await cli(['check-policy', '--json', write('long-resource.json', policy)]);
    expect(result.stderr).not.toMatch(/RangeError|call stack/);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout) as JsonReport;
    expect(body.policies[0]!.verdict).toBe('PASSED');
    expect(body.policies[0]!.coverage['kms:Decrypt']).toBe('PARTIAL');
  });

  it('reads standard input and honours --actions with wildcards', async () => {
    const result = await cli(
      ['check-policy', '--json', '--actions', 'kms:ReEncrypt*', '-'],
      JSON.stringify(narrow),
    );
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout) as JsonReport;
    expect(body.policies[0]!.file).toBe('-');
    expect(Object.keys(body.policies[0]!.coverage)).toEqual(['kms:ReEncryptFrom', 'kms:ReEncryptTo']);
  });

  it('exits 2 with the reason for an invalid document', async () => {
    const result = await cli([
      'check-policy',
      '--json',
      write('bad.json', '{"Statement": [{"Action": "*"}]}'),
    ]);
    expect(result.code).toBe(2);
    expect((JSON.parse(result.stdout) as JsonReport).policies[0]).toMatchObject({
      verdict: 'NOT_AVAILABLE',
      error: { code: 'INVALID_STATEMENT' },
    });
  });

  it('exits 2 for bad usage: an unknown action, no path, an unknown format', async () => {
    const unknown = await cli(['check-policy', '--actions', 'kms:Nope', write('w2.json', wide)]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/kms:Nope/);
    expect((await cli(['check-policy'])).code).toBe(2);
    expect((await cli(['check-policy', '--format', 'xml', join(dir, 'w2.json')])).code).toBe(2);
    // A directory with nothing to check is an error, not a silent pass.
    write('empty/package.json', { name: 'x' });
    const empty = await cli(['check-policy', join(dir, 'empty')]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no policy document, CloudFormation template or Terraform plan in/);
  });

  it('one run, one exit code: a directory of 200 policies, a template, stdin, a broken and a missing file', async () => {
    // Policy i allows kms:Decrypt on every key when i is a multiple of 7, on one account's keys otherwise.
    for (let i = 0; i < 200; i++) {
      write(`many/team${i % 10}/policy${i}.json`, i % 7 === 0 ? wide : narrow);
    }
    write('many/package.json', { name: 'not-a-policy', version: '1.0.0' });
    const team = await cli(['check-policy', '--json', join(dir, 'many/team1')]);
    expect(team.code).toBe(1); // team1 holds policies 1, 11, ..., 191: 21, 91 and 161 fail.
    const failedInTeam = (JSON.parse(team.stdout) as JsonReport).policies.filter(
      (p) => p.verdict === 'FAILED',
    );
    expect(failedInTeam.map((p) => p.file).sort()).toEqual(
      [21, 91, 161].map((i) => join(dir, `many/team1/policy${i}.json`)).sort(),
    );
    const all = await cli(['check-policy', '--json', join(dir, 'many'), '-'], JSON.stringify(narrow));
    expect(all.code).toBe(1);
    const body = JSON.parse(all.stdout) as JsonReport;
    expect(body.policies).toHaveLength(201);
    expect(body.policies.filter((p) => p.verdict === 'FAILED')).toHaveLength(29);
    expect(body.skipped).toEqual([join(dir, 'many/package.json')]);
    const withErrors = await cli([
      'check-policy',
      join(dir, 'many'),
      write('broken.json', '{"Version": "2012-10-17",\n "Statement": [}'),
      join(dir, 'missing.json'),
    ]);
    expect(withErrors.code).toBe(2);
    expect(withErrors.stdout).toMatch(new RegExp(`${join(dir, 'broken.json')}:2:16: error: invalid JSON`));
    expect(withErrors.stdout).toMatch(new RegExp(`${join(dir, 'missing.json')}: error: cannot read: ENOENT`));
    expect(withErrors.stdout).toMatch(/202 inputs, 200 policies: 171 PASSED, 29 FAILED/);
    expect(withErrors.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });
});

describe('keywarden check-policy --format sarif', () => {
  const schema = JSON.parse(
    readFileSync(new URL('../fixtures/sarif/sarif-2.1.0-rtm.5.json', import.meta.url), 'utf8'),
  ) as object;
  const ajv = new Ajv.default({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);

  it('writes SARIF 2.1.0 that the published schema accepts, each statement at its line and column', async () => {
    const template = [
      "AWSTemplateFormatVersion: '2010-09-09'",
      'Resources:',
      '  Wide:',
      '    Type: AWS::IAM::ManagedPolicy',
      '    Properties:',
      '      PolicyDocument:',
      "        Version: '2012-10-17'",
      '        Statement:',
      '          - Sid: Scoped',
      '            Effect: Allow',
      '            Action: kms:ReEncrypt*',
      "            Resource: 'arn:aws:kms:*:111122223333:key/*'",
      '          - Sid: Everything',
      '            Effect: Allow',
      '            Action: kms:Decrypt',
      "            Resource: '*'",
      '  Role:',
      '    Type: AWS::IAM::Role',
      '    Properties:',
      '      Policies:',
      '        - PolicyName: one-key',
      '          PolicyDocument:',
      "            Version: '2012-10-17'",
      '            Statement:',
      '              - Effect: Allow',
      '                Action: kms:Decrypt',
      '                Resource: !GetAtt Key.Arn',
      '',
    ].join('\n');
    write('sarif/template.yaml', template);
    write('sarif/broken.json', '{"Version": ');
    // Relative paths, as code-scanning UIs expect, when run from the repository's root.
    const result = await cli(['check-policy', '--format', 'sarif', 'sarif'], undefined, dir);
    expect(result.code).toBe(2);
    const log = JSON.parse(result.stdout) as {
      version: string;
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: {
          ruleId: string;
          level: string;
          message: { text: string };
          locations: {
            physicalLocation: {
              artifactLocation: { uri: string };
              region?: { startLine: number; startColumn: number };
            };
            logicalLocations?: { name: string }[];
          }[];
          properties?: Record<string, string>;
        }[];
      }[];
    };
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0]!;
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(
      expect.arrayContaining(['KMS.1', 'KMS.2', 'keywarden/invalid-input', 'keywarden/unknown-value']),
    );
    const where = (r: (typeof run.results)[number]) => {
      const location = r.locations[0]!;
      const region = location.physicalLocation.region;
      return `${r.ruleId} ${r.level} ${location.physicalLocation.artifactLocation.uri}:${region?.startLine}:${region?.startColumn} ${location.logicalLocations?.[0]?.name ?? ''}`;
    };
    expect(run.results.map(where)).toEqual([
      'keywarden/invalid-input error sarif/broken.json:1:13 ',
      // The FAILED statement, then the PARTIAL one, each where it starts.
      'KMS.1 error sarif/template.yaml:13:13 Wide',
      'KMS.1 note sarif/template.yaml:9:13 Wide',
      'keywarden/unknown-value error sarif/template.yaml:27:27 Role.Policies[0] (one-key)',
      'KMS.2 note sarif/template.yaml:25:17 Role.Policies[0] (one-key)',
    ]);
    const failed = run.results[1]!;
    expect(failed.message.text).toMatch(
      /kms:Decrypt is allowed on every KMS key by statement 'Everything' \(#1\)/,
    );
    expect(failed.properties).toMatchObject({
      action: 'kms:Decrypt',
      coverage: 'ALL',
      keyGranted: expect.stringMatching(/^arn:aws:kms:/),
    });
    expect(run.results[2]!.properties).toMatchObject({
      action: 'kms:ReEncryptFrom',
      coverage: 'PARTIAL',
      keyGranted: expect.stringMatching(/:111122223333:key\//),
      keyNotGranted: expect.stringMatching(/^arn:aws:kms:/),
    });
  });
});
