import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXTERNAL_ID } from '../../src/simulator/index.js';
import { scan, startAws, storedFindings } from '../integration/harness.js';
import { waitFor, within } from '../helpers/wait.js';

const root = new URL('../../', import.meta.url).pathname;

describe('a scan process killed during import, then run again', () => {
  it('imports every finding exactly once and converges', async () => {
    const aws = await startAws({ organization: { accounts: 3, regions: ['us-east-1', 'eu-west-1'] } });
    aws.faults.latencyMs = 150;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'scan'], {
      cwd: root,
      env: { ...process.env, KEYWARDEN_EXTERNAL_ID: DEFAULT_EXTERNAL_ID },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // Kill it hard once some, but not all, imports have happened.
    await waitFor(
      'two BatchImportFindings calls',
      () => (aws.counters.byOperation.get('securityhub:BatchImportFindings') ?? 0) >= 2,
      { timeoutMs: 30_000 },
    );
    child.kill('SIGKILL');
    await within('the killed scan to exit', exited, 10_000);
    // Requests already on the wire still land (as they would in AWS): wait until the simulator answered them.
    await waitFor('the in-flight requests to land', () => aws.counters.inFlight() === 0);
    const partial = storedFindings(aws).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(aws.expected.length);

    aws.faults.latencyMs = 0;
    const result = await scan();
    expect(result.summary.state).toBe('completed');
    const stored = storedFindings(aws);
    expect(new Set(stored.map((s) => s.finding.Id)).size).toBe(stored.length);
    const actual = stored.map(
      (s) =>
        `${s.finding.Resources[0]!.Id} ${s.finding.GeneratorId} ${s.finding.Compliance?.Status} ${s.finding.RecordState}`,
    );
    const wanted = aws.expected.map((e) => `${e.resourceArn} keywarden/${e.controlId} ${e.status} ACTIVE`);
    expect(actual.sort()).toEqual(wanted.sort());
    await aws.stop();
  }, 60_000);
});
