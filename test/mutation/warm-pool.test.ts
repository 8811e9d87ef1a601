/**
 * The warm pool (stryker/warm-pool.ts) against vitest itself: consecutive runs share one worker thread,
 * evaluate the project's modules afresh, and apply each run's own test-name filter. It relies on vitest's
 * pool protocol, so a vitest upgrade that changes the protocol fails here rather than in mutation scores.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createVitest } from 'vitest/node';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/warm-pool');
const dir = mkdtempSync(join(tmpdir(), 'warm-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Record {
  test: string;
  threadId: number;
  evaluation: number;
}

describe('the warm pool', () => {
  it('keeps one worker across runs, evaluates project modules afresh, and filters each run by name', async () => {
    const out = join(dir, 'probe.jsonl');
    process.env.WARM_POOL_PROBE_OUT = out;
    const vitest = await createVitest('test', {
      root: FIXTURE,
      config: join(FIXTURE, 'vitest.config.ts'),
      watch: false,
      reporters: [],
      // What StrykerJS's runner passes: the warm pool must win over it.
      pool: 'threads',
      maxWorkers: 1,
    });
    try {
      const runs: Record[][] = [];
      for (const pattern of [undefined, /second/, undefined]) {
        rmSync(out, { force: true });
        vitest.state.filesMap.clear();
        for (const project of vitest.projects) project.config.testNamePattern = pattern;
        await vitest.start();
        expect(vitest.state.errorsSet.size).toBe(0);
        runs.push(
          readFileSync(out, 'utf8')
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as Record),
        );
      }
      expect(runs.map((run) => run.map((r) => r.test))).toEqual([
        ['first', 'second'],
        ['second'],
        ['first', 'second'],
      ]);
      // One worker thread for all three runs, and not the test's own thread.
      const threads = new Set(runs.flat().map((r) => r.threadId));
      expect(threads.size).toBe(1);
      // The module was evaluated once per run in that worker.
      expect(runs.map((run) => run.map((r) => r.evaluation))).toEqual([[1, 1], [2], [3, 3]]);
    } finally {
      await vitest.close();
      delete process.env.WARM_POOL_PROBE_OUT;
    }
  });
});
