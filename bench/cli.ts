/**
 * `npm run bench -- cli`: start-up time of the command line, each run a new process (cold: no compile
 * cache), median of 10, against `node -e 0` on the same machine at the same time.
 * Targets: `keywarden --help` < 300 ms, `keywarden check-policy FILE` < 400 ms.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const RUNS = 10;
const cli = new URL('../src/cli/main.js', import.meta.url).pathname;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function time(args: string[], expectedStatus: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    times.push(performance.now() - start);
    if (run.status !== expectedStatus) {
      throw new Error(`${args.join(' ')} exited ${run.status}: ${run.stderr.toString().slice(0, 500)}`);
    }
  }
  return times;
}

export function runCliBench(): void {
  const dir = mkdtempSync(join(tmpdir(), 'keywarden-bench-cli-'));
  const policy = join(dir, 'policy.json');
  writeFileSync(
    policy,
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:111122223333:key/*' }],
    }),
  );
  const cases = [
    { label: 'node -e 0', args: ['-e', '0'], status: 0, target: undefined },
    { label: 'keywarden --help', args: [cli, '--help'], status: 0, target: 300 },
    { label: 'keywarden check-policy FILE', args: [cli, 'check-policy', policy], status: 0, target: 400 },
  ];
  console.log(
    `CLI start-up, median of ${RUNS} cold runs each (Node ${process.version}, ${cpus().length} CPUs, ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} at start)`,
  );
  let baseline = 0;
  for (const c of cases) {
    const times = time(c.args, c.status);
    const m = median(times);
    if (c.target === undefined) baseline = m;
    const verdict =
      c.target === undefined ? '' : m < c.target ? `  < ${c.target} ms: met` : `  >= ${c.target} ms: MISSED`;
    console.log(
      `  ${c.label.padEnd(30)} median ${m.toFixed(0).padStart(5)} ms  (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})` +
        `${c.target === undefined ? '' : `  ${(m - baseline).toFixed(0)} ms over node -e 0`}${verdict}`,
    );
  }
  console.log(
    `  load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at end (other processes share the CPUs)`,
  );
}
