/**
 * The inputs of `check-policy`: files, directories (searched recursively for JSON and YAML files) and `-`
 * for standard input, read in a stable order. A path that cannot be read is reported, not thrown.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';

export interface Input {
  file: string;
  /** Found by searching a directory: a file there that holds no policy is skipped, not an error. */
  fromDirectory: boolean;
  text?: string;
  error?: string;
}

const EXTENSIONS = new Set(['.json', '.yaml', '.yml', '.template']);
// Tool caches and dependencies hold JSON that is not the project's infrastructure code.
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', '.terraform']);

async function filesUnder(directory: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(directory, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) found.push(...(await filesUnder(path)));
    } else if (entry.isFile() && EXTENSIONS.has(extname(entry.name).toLowerCase())) {
      found.push(path);
    }
  }
  return found;
}

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const reason = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

export async function readInputs(paths: readonly string[], stdin: NodeJS.ReadableStream): Promise<Input[]> {
  const inputs: Input[] = [];
  for (const path of paths) {
    if (path === '-') {
      inputs.push({ file: '-', fromDirectory: false, text: await readStdin(stdin) });
      continue;
    }
    let files: string[];
    let fromDirectory = false;
    try {
      if ((await stat(path)).isDirectory()) {
        files = await filesUnder(path);
        fromDirectory = true;
      } else {
        files = [path];
      }
    } catch (error) {
      inputs.push({ file: path, fromDirectory, error: `cannot read: ${reason(error)}` });
      continue;
    }
    for (const file of files) {
      try {
        inputs.push({ file, fromDirectory, text: await readFile(file, 'utf8') });
      } catch (error) {
        inputs.push({ file, fromDirectory, error: `cannot read: ${reason(error)}` });
      }
    }
  }
  return inputs;
}
