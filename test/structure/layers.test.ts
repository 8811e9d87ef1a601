/**
 * The layering rule (.dependency-cruiser.mjs, run by `npm run lint`) fails on an arrow that runs back up:
 * run on a small tree with known upward, peer and legal imports, it reports exactly the bad ones and exits
 * non-zero; and every folder of the real src/ has its place in a layer.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CONFIG = join(ROOT, '.dependency-cruiser.mjs');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

const tree = mkdtempSync(join(tmpdir(), 'keywarden-layers-'));
afterAll(() => rmSync(tree, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(dirname(join(tree, path)), { recursive: true });
  writeFileSync(join(tree, path), text);
}

/** Runs the checker as `npm run lint` does (its default `err` report), in the temporary tree. */
async function cruise(): Promise<{ exitCode: number; violations: string[] }> {
  const args = [DEPCRUISE, 'src', '--config', CONFIG];
  const { stdout, exitCode } = await promisify(execFile)(process.execPath, args, { cwd: tree }).then(
    (done) => ({ stdout: done.stdout, exitCode: 0 }),
    (error: { stdout: string; code: number }) => ({ stdout: error.stdout, exitCode: error.code }),
  );
  // One line per violation: `  error <rule>: <from> → <to>`.
  const violations = [...stdout.matchAll(/^\s*error (\S+): (\S+) → (\S+)$/gm)].map(
    ([, rule, from, to]) => `${rule}: ${from} -> ${to}`,
  );
  return { exitCode, violations };
}

describe('the layering rule', () => {
  it('reports the upward and peer imports of a tree, and only those, and fails the run', async () => {
    write(
      'tsconfig.json',
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }),
    );
    write('src/scan/runner.ts', 'export const run = 1;\n');
    write('src/scan/types.ts', 'export interface Summary { state: string }\n');
    // Upward: a store (I/O layer) that reaches into the scan.
    write('src/store/bad.ts', "import { run } from '../scan/runner.js';\nexport const stored = run;\n");
    // Downward, legal: the scan uses the store.
    write('src/scan/ok.ts', "import { stored } from '../store/bad.js';\nexport const used = stored;\n");
    // Upward through a type-only import: the ground floor naming a scan type.
    write(
      'src/model/record.ts',
      "import type { Summary } from '../scan/types.js';\nexport type Kept = Summary;\n",
    );
    // Between the two executors, which must share through scan/.
    write('src/service/metrics.ts', 'export const metrics = {};\n');
    write(
      'src/distributed/worker.ts',
      "import { metrics } from '../service/metrics.js';\nexport const m = metrics;\n",
    );
    // A folder that no layer names.
    write('src/misc/helper.ts', "import type { Kept } from '../model/record.js';\nexport type H = Kept;\n");

    const { exitCode, violations } = await cruise();

    expect(violations.sort()).toEqual([
      'layer-executors-imports-peer: src/distributed/worker.ts -> src/service/metrics.ts',
      'layer-ground-imports-upward: src/model/record.ts -> src/scan/types.ts',
      'layer-io-imports-upward: src/store/bad.ts -> src/scan/runner.ts',
      'module-outside-the-layers: src/misc/helper.ts -> src/model/record.ts',
    ]);
    expect(exitCode).not.toBe(0);
  }, 120_000);

  it('places every folder and top-level module of src/ in a layer', async () => {
    const { layers } = (await import(pathToFileURL(CONFIG).href)) as { layers: { paths: string[] }[] };
    const placed = new Set([...layers.flatMap((layer) => layer.paths), 'src/simulator/']);
    const entries = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).map((entry) =>
      entry.isDirectory() ? `src/${entry.name}/` : `src/${entry.name}`,
    );
    expect(entries.filter((entry) => !placed.has(entry))).toEqual([]);
  });
});
