/**
 * The duplicate-code check (jscpd with .jscpd.json, run by `npm run lint`) fails on a copied block: run on
 * a small tree where one function was copied into another file, it exits non-zero and names both places.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const JSCPD = join(ROOT, 'node_modules/jscpd/run-jscpd.js');

/** A function long enough to be worth one place only; `name` changes nothing of its tokens but the name. */
const body = (
  name: string,
) => `export function ${name}(record: { done: number; total: number }, event: { type: string; units: number; done: number }) {
  if (event.type === 'planned') {
    record.total = event.units;
    console.log({ units: event.units }, 'scan planned');
  } else if (event.type === 'unit-finished') {
    record.done = event.done;
    console.log({ done: event.done, total: record.total }, 'unit finished');
  }
  return { progress: { ...record }, finished: record.done === record.total };
}
`;

let tree: string | undefined;
afterEach(() => {
  if (tree) rmSync(tree, { recursive: true, force: true });
  tree = undefined;
});

async function check(files: Record<string, string>): Promise<{ exitCode: number; output: string }> {
  tree = mkdtempSync(join(tmpdir(), 'keywarden-duplicates-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(tree, 'src'), { recursive: true });
    writeFileSync(join(tree, path), text);
  }
  // The project's own configuration, whose paths are read from where it stands.
  copyFileSync(join(ROOT, '.jscpd.json'), join(tree, '.jscpd.json'));
  const args = [JSCPD, '--config', join(tree, '.jscpd.json'), '--no-gitignore'];
  return promisify(execFile)(process.execPath, args, {
    cwd: tree,
    env: { ...process.env, NO_COLOR: '1' },
  }).then(
    (done) => ({ exitCode: 0, output: done.stdout }),
    (error: { stdout: string; code: number }) => ({ exitCode: error.code, output: error.stdout }),
  );
}

describe('the duplicate-code check', () => {
  it('fails on a block copied from one module into another, naming both', async () => {
    const { exitCode, output } = await check({
      'src/service.ts': body('recordProgress'),
      'src/worker.ts': `export const other = 1;\n${body('trackProgress')}`,
    });
    expect(exitCode).toBe(1);
    expect(output).toMatch(/service\.ts/);
    expect(output).toMatch(/worker\.ts/);
  }, 60_000);

  it('passes when the modules share nothing', async () => {
    const { exitCode } = await check({
      'src/service.ts': body('recordProgress'),
      'src/worker.ts': 'export const other = 1;\n',
    });
    expect(exitCode).toBe(0);
  }, 60_000);
});
