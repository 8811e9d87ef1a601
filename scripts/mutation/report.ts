// Merges the JSON reports of the mutation runs (mutation-testing-report-schema 1.x) into one, and
// summarises it per security module against the target. Pure: the driver (run.ts) reads and writes files.

/** The parts of a mutation-testing report this code reads or writes. */
export interface MutantResult {
  id: string;
  status: string;
  killedBy?: string[];
  coveredBy?: string[];
  [field: string]: unknown;
}
export interface FileResult {
  mutants: MutantResult[];
  [field: string]: unknown;
}
export interface TestFile {
  tests: Array<{ id: string; [field: string]: unknown }>;
  [field: string]: unknown;
}
export interface MutationReport {
  schemaVersion: string;
  thresholds: { high: number; low: number; break?: number | null };
  files: Record<string, FileResult>;
  testFiles?: Record<string, TestFile>;
  [field: string]: unknown;
}

/**
 * One report of several runs. Mutant and test ids are numbered per run ("0", "1", ...), so each is
 * prefixed with its run's name ("pure:0"); a file mutated or a test file run by two runs is an error,
 * since their results could not be told apart.
 */
export function mergeReports(runs: ReadonlyArray<{ name: string; report: MutationReport }>): MutationReport {
  const [first] = runs;
  if (!first) throw new Error('mergeReports: no report to merge');
  const files: Record<string, FileResult> = {};
  const testFiles: Record<string, TestFile> = {};
  for (const { name, report } of runs) {
    const id = (raw: string): string => `${name}:${raw}`;
    for (const [path, file] of Object.entries(report.files)) {
      if (path in files) throw new Error(`mergeReports: ${path} is mutated by two runs`);
      files[path] = {
        ...file,
        mutants: file.mutants.map((m) => ({
          ...m,
          id: id(m.id),
          ...(m.killedBy && { killedBy: m.killedBy.map(id) }),
          ...(m.coveredBy && { coveredBy: m.coveredBy.map(id) }),
        })),
      };
    }
    for (const [path, file] of Object.entries(report.testFiles ?? {})) {
      if (path in testFiles) throw new Error(`mergeReports: ${path} is a test file of two runs`);
      testFiles[path] = { ...file, tests: file.tests.map((t) => ({ ...t, id: id(t.id) })) };
    }
  }
  const { config: _config, ...common } = first.report;
  return { ...common, files, testFiles };
}

/** The modules the target is stated for, each a set of source files. The first match names a file's module. */
export const MODULES: ReadonlyArray<{ name: string; matches: (path: string) => boolean }> = [
  { name: 'API auth', matches: (p) => p === 'src/api/auth.ts' },
  { name: 'key-policy engine', matches: (p) => p.startsWith('src/policy/key-policy/') },
  { name: 'policy engine', matches: (p) => p.startsWith('src/policy/') },
  { name: 'refusals', matches: (p) => p === 'src/collect/refusals.ts' },
  { name: 'controls', matches: (p) => p.startsWith('src/controls/') },
  { name: 'importer and archive guard', matches: (p) => p.startsWith('src/importer/') },
  { name: 'scan unit', matches: (p) => p === 'src/scan/unit.ts' },
];

export interface ModuleScore {
  module: string;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  /** Mutants that did not count: ignored (message text, static), or that could not run. */
  excluded: number;
  /** Killed or timed out, in percent of those that ran or had no test (undefined when none did). */
  score: number | undefined;
}

/** Per module, the mutation score as StrykerJS counts it: detected / (detected + undetected). */
export function scoreByModule(report: MutationReport): ModuleScore[] {
  const scores = new Map<string, ModuleScore>();
  for (const [path, file] of Object.entries(report.files)) {
    const module = MODULES.find((m) => m.matches(path))?.name ?? path;
    let row = scores.get(module);
    if (!row) {
      row = { module, killed: 0, timeout: 0, survived: 0, noCoverage: 0, excluded: 0, score: undefined };
      scores.set(module, row);
    }
    for (const { status } of file.mutants) {
      if (status === 'Killed') row.killed += 1;
      else if (status === 'Timeout') row.timeout += 1;
      else if (status === 'Survived') row.survived += 1;
      else if (status === 'NoCoverage') row.noCoverage += 1;
      else row.excluded += 1;
    }
  }
  return [...scores.values()].map((row) => {
    const detected = row.killed + row.timeout;
    const valid = detected + row.survived + row.noCoverage;
    return { ...row, score: valid === 0 ? undefined : (100 * detected) / valid };
  });
}

/**
 * What misses the target: a module under `minimum` percent, or any undetected mutant in API auth. The
 * score counts equivalent mutants as undetected, so a module listed here may still meet the target once
 * its equivalents (reports/mutation/EQUIVALENTS.md) are taken out.
 */
export function shortfalls(scores: readonly ModuleScore[], minimum: number): string[] {
  const misses: string[] = [];
  for (const s of scores) {
    if (s.module === 'API auth' && s.survived + s.noCoverage > 0)
      misses.push(`API auth: ${s.survived + s.noCoverage} mutant(s) not detected (the target is none)`);
    else if (s.score !== undefined && s.score < minimum)
      misses.push(`${s.module}: ${s.score.toFixed(1)}% detected (the target is ${minimum}%)`);
  }
  return misses;
}
