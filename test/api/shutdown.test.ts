import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteScanStore } from '../../src/store/sqlite.js';
import { DEFAULT_EXTERNAL_ID, regionsOutside, startSimulator } from '../../src/simulator/index.js';
import { freePort } from '../helpers/free-port.js';
import { waitFor, within } from '../helpers/wait.js';

const root = new URL('../../', import.meta.url).pathname;
const TOKEN = 'shutdown-token-0123456789abcdef';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

describe('keywarden serve as a process', () => {
  it('on SIGTERM during a scan: exits within the grace period, archives nothing, marks the scan interrupted', async () => {
    const aws = await startSimulator({ organization: { accounts: 2, regions: ['us-east-1', 'eu-west-1'] } });
    const dataDir = mkdtempSync(join(tmpdir(), 'kw-serve-'));
    const configFile = join(dataDir, 'keywarden.yaml');
    // Only the regions holding simulated data (DescribeRegions lists the whole partition).
    const exclude = regionsOutside(aws.state.regions).join(', ');
    writeFileSync(
      configFile,
      `shutdownGraceSeconds: 1\nlogLevel: warn\naws:\n  maxAttempts: 2\nregions:\n  exclude: [${exclude}]\n`,
    );
    const port = await freePort();
    const env = {
      ...process.env,
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_ACCESS_KEY_ID: aws.hubCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: aws.hubCredentials.secretAccessKey,
      AWS_REGION: 'us-east-1',
      KEYWARDEN_CONFIG: configFile,
      KEYWARDEN_API_TOKENS: TOKEN,
      KEYWARDEN_API_PORT: String(port),
      KEYWARDEN_DATA_DIR: dataDir,
      KEYWARDEN_EXTERNAL_ID: DEFAULT_EXTERNAL_ID,
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const base = `http://127.0.0.1:${port}`;
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    await waitFor('serve to answer /healthz', () => fetch(`${base}/healthz`).then((r) => r.ok), {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    // A first scan completes and imports everything.
    const first = (await (
      await fetch(`${base}/v1/scans`, { method: 'POST', headers, body: '{}' })
    ).json()) as { id: string };
    await waitFor(
      'the first scan to finish',
      async () => {
        const scan = (await (await fetch(`${base}/v1/scans/${first.id}`, { headers })).json()) as {
          state: string;
        };
        return scan.state !== 'running' && scan.state;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    // A key disappears; the next scan is slow and is stopped by SIGTERM before it can finish.
    const member = [...aws.state.accounts.values()][1]!;
    const keys = aws.state.keys(member.id, 'eu-west-1');
    const gone = keys.splice(0, 1)[0]!;
    aws.faults.latencyMs = 400;
    const callsBefore = aws.counters.total();
    const second = (await (
      await fetch(`${base}/v1/scans`, { method: 'POST', headers, body: '{}' })
    ).json()) as { id: string };
    // SIGTERM once the second scan is talking to AWS (each call takes 400 ms, so it is far from done).
    await waitFor('the second scan to call AWS', () => aws.counters.total() > callsBefore, {
      timeoutMs: 10_000,
    });
    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const code = await within('serve to exit after SIGTERM', exited, 15_000);
    const elapsed = Date.now() - started;
    expect(code, output).toBe(0);
    // Grace of 1 s, plus the in-flight calls (400 ms each) that the cancellation waits for.
    expect(elapsed).toBeLessThan(5000);
    const goneFinding = [...aws.state.hub(member.id, 'eu-west-1').findings.values()].filter((f) =>
      String((f['Resources'] as { Id: string }[])[0]!.Id).endsWith(gone.keyId),
    );
    expect(goneFinding.length).toBeGreaterThan(0);
    expect(goneFinding.every((f) => f['RecordState'] === 'ACTIVE')).toBe(true);
    const store = new SqliteScanStore(join(dataDir, 'keywarden.db'));
    expect((await store.getScan(first.id))!.state).toBe('completed');
    expect((await store.getScan(second.id))!.state).toBe('interrupted');
    await store.close();
    await aws.stop();
  }, 60_000);
});
