/** Merging and scoring the mutation runs' reports (scripts/mutation/report.ts). */
import { describe, expect, it } from 'vitest';
import type { MutationReport } from '../../scripts/mutation/report.js';
import { mergeReports, scoreByModule, shortfalls } from '../../scripts/mutation/report.js';

const mutant = (id: string, status: string, tests: string[] = []) => ({
  id,
  status,
  mutatorName: 'ConditionalExpression',
  location: { start: { line: 1, column: 1 }, end: { line: 1, column: 2 } },
  ...(tests.length > 0 && { coveredBy: tests, killedBy: status === 'Killed' ? [tests[0]!] : [] }),
});

const report = (files: MutationReport['files'], testFiles: MutationReport['testFiles']): MutationReport => ({
  schemaVersion: '1.0',
  thresholds: { high: 90, low: 85, break: null },
  files,
  testFiles,
  config: { mutate: ['x'] },
});

const pure = report(
  {
    'src/api/auth.ts': { language: 'typescript', source: 'a', mutants: [mutant('0', 'Killed', ['0'])] },
    'src/policy/glob.ts': {
      language: 'typescript',
      source: 'b',
      mutants: [mutant('1', 'Survived', ['0', '1']), mutant('2', 'Ignored')],
    },
  },
  {
    'test/a.test.ts': {
      tests: [
        { id: '0', name: 'a' },
        { id: '1', name: 'b' },
      ],
    },
  },
);
const io = report(
  {
    'src/importer/lifecycle.ts': {
      language: 'typescript',
      source: 'c',
      mutants: [mutant('0', 'Killed', ['0']), mutant('1', 'Timeout', ['0']), mutant('2', 'NoCoverage')],
    },
  },
  { 'test/b.test.ts': { tests: [{ id: '0', name: 'c' }] } },
);

describe('mergeReports', () => {
  const merged = mergeReports([
    { name: 'pure', report: pure },
    { name: 'io', report: io },
  ]);

  it('keeps every file and test file of every run', () => {
    expect(Object.keys(merged.files).sort()).toEqual([
      'src/api/auth.ts',
      'src/importer/lifecycle.ts',
      'src/policy/glob.ts',
    ]);
    expect(Object.keys(merged.testFiles ?? {}).sort()).toEqual(['test/a.test.ts', 'test/b.test.ts']);
  });

  it("prefixes mutant and test ids with the run's name, so that ids of different runs stay apart", () => {
    expect(merged.files['src/importer/lifecycle.ts']!.mutants.map((m) => m.id)).toEqual([
      'io:0',
      'io:1',
      'io:2',
    ]);
    expect(merged.files['src/policy/glob.ts']!.mutants[0]).toMatchObject({
      id: 'pure:1',
      coveredBy: ['pure:0', 'pure:1'],
      killedBy: [],
    });
    expect(merged.files['src/api/auth.ts']!.mutants[0]!.killedBy).toEqual(['pure:0']);
    expect(merged.testFiles!['test/b.test.ts']!.tests).toEqual([{ id: 'io:0', name: 'c' }]);
    expect(merged.files['src/importer/lifecycle.ts']!.mutants[2]).not.toHaveProperty('coveredBy');
  });

  it("drops the runs' own configuration and keeps the schema fields", () => {
    expect(merged).not.toHaveProperty('config');
    expect(merged.schemaVersion).toBe('1.0');
    expect(merged.thresholds).toEqual({ high: 90, low: 85, break: null });
  });

  it('refuses a file mutated by two runs, and no runs at all', () => {
    expect(() =>
      mergeReports([
        { name: 'a', report: pure },
        { name: 'b', report: pure },
      ]),
    ).toThrow(/src\/api\/auth.ts is mutated by two runs/);
    expect(() => mergeReports([])).toThrow(/no report/);
  });
});

describe('scoreByModule', () => {
  const scores = scoreByModule(
    mergeReports([
      { name: 'pure', report: pure },
      { name: 'io', report: io },
    ]),
  );

  it('counts each status per module; ignored mutants do not count', () => {
    expect(scores).toEqual(
      expect.arrayContaining([
        { module: 'API auth', killed: 1, timeout: 0, survived: 0, noCoverage: 0, excluded: 0, score: 100 },
        { module: 'policy engine', killed: 0, timeout: 0, survived: 1, noCoverage: 0, excluded: 1, score: 0 },
      ]),
    );
    // 2 detected (killed, timeout) of 3 (a mutant without coverage counts as undetected)
    expect(scores.find((s) => s.module === 'importer and archive guard')?.score).toBeCloseTo(200 / 3, 6);
  });

  it('names a key-policy file by its own module, not the policy engine', () => {
    const [row] = scoreByModule(
      report({ 'src/policy/key-policy/condition.ts': { mutants: [mutant('0', 'Killed')] } }, {}),
    );
    expect(row?.module).toBe('key-policy engine');
  });
});

describe('shortfalls', () => {
  const row = (module: string, killed: number, survived: number) => ({
    module,
    killed,
    timeout: 0,
    survived,
    noCoverage: 0,
    excluded: 0,
    score: (100 * killed) / (killed + survived),
  });

  it('passes 85% and more, and fails below', () => {
    expect(shortfalls([row('controls', 85, 15)], 85)).toEqual([]);
    expect(shortfalls([row('controls', 84, 16)], 85)).toEqual([
      'controls: 84.0% detected (the target is 85%)',
    ]);
  });

  it('fails API auth on a single survivor, whatever its score', () => {
    expect(shortfalls([row('API auth', 99, 1)], 85)).toEqual([
      'API auth: 1 mutant(s) not detected (the target is none)',
    ]);
  });
});
