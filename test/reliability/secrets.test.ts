import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { DEFAULT_EXTERNAL_ID, startSimulator } from '../../src/simulator/index.js';
import { freePort } from '../helpers/free-port.js';
import { redisSkipped, startRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const root = new URL('../../', import.meta.url).pathname;
const TOKEN = 'leak-check-api-token-0123456789abcdef';

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): { done: Promise<number | null>; output: () => string; kill: (s: NodeJS.Signals) => void } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return {
    done: new Promise((resolve) => child.once('exit', resolve)),
    output: () => output,
    kill: (s) => child.kill(s),
  };
}

/** A simulator with one account denied and one hub disabled, so error paths are logged too. */
async function faultySimulator(): Promise<RunningSimulator> {
  const aws = await startSimulator({ organization: { accounts: 3, regions: ['us-east-1', 'eu-west-1'] } });
  const accounts = [...aws.state.accounts.keys()];
  aws.faults.deniedAccounts.add(accounts[2]!);
  aws.faults.hubDisabled.add(`${accounts[1]}/eu-west-1`);
  return aws;
}

/** What every keywarden process of a run gets: the simulator, the API token and port, trace logs. */
function runEnv(aws: RunningSimulator, port: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_ENDPOINT_URL: aws.endpoint,
    AWS_ACCESS_KEY_ID: aws.hubCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.hubCredentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    KEYWARDEN_EXTERNAL_ID: DEFAULT_EXTERNAL_ID,
    // The regions holding simulated data (DescribeRegions lists the whole partition).
    KEYWARDEN_REGIONS: aws.state.regions.join(','),
    KEYWARDEN_API_TOKENS: TOKEN,
    KEYWARDEN_API_PORT: String(port),
    KEYWARDEN_LOG_LEVEL: 'trace',
  };
}

async function waitHealthy(base: string): Promise<void> {
  // Generous: on a loaded machine tsx compiles the service for a long time before it listens.
  await waitFor('serve to answer /healthz', () => fetch(`${base}/healthz`).then((r) => r.ok), {
    timeoutMs: 60_000,
    intervalMs: 100,
  });
}

/** The scan record's JSON once the scan has left the running state. */
function finishedScan(base: string, id: string, headers: Record<string, string>): Promise<string> {
  return waitFor(
    `scan ${id} to finish`,
    async () => {
      const text = await (await fetch(`${base}/v1/scans/${id}`, { headers })).text();
      return !text.includes('"state":"running"') && text;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

/** The error paths ran, and none of the simulator's secrets nor the API token is in the output. */
function expectNoSecrets(everything: string, aws: RunningSimulator): void {
  expect(everything).toContain('AccessDenied');
  expect(everything).toContain('InvalidAccessException');
  const secrets = [aws.hubCredentials.secretAccessKey, TOKEN, ...aws.state.secrets()];
  expect(secrets.length).toBeGreaterThan(4);
  for (const secret of secrets) expect(everything).not.toContain(secret);
}

describe('no credential, session token or API token in any output of a full run', () => {
  it('scan and serve: logs, errors, API responses and scan records', async () => {
    const aws = await faultySimulator();
    const dataDir = mkdtempSync(join(tmpdir(), 'kw-leak-'));
    const port = await freePort();
    const env = { ...runEnv(aws, port), KEYWARDEN_DATA_DIR: dataDir };
    const outputs: string[] = [];

    const cli = run(['scan', '--json'], env);
    await cli.done;
    outputs.push(cli.output());
    const dry = run(['scan', '--dry-run'], env);
    await dry.done;
    outputs.push(dry.output());

    const serve = run(['serve'], env);
    const base = `http://127.0.0.1:${port}`;
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    await waitHealthy(base);
    const started = (await (
      await fetch(`${base}/v1/scans`, { method: 'POST', headers, body: '{}' })
    ).json()) as { id: string };
    const scan = await finishedScan(base, started.id, headers);
    outputs.push(scan);
    for (const path of [
      `/v1/scans`,
      `/v1/scans/${started.id}/findings?limit=100`,
      '/metrics',
      '/v1/controls',
      '/docs/json',
    ]) {
      outputs.push(await (await fetch(`${base}${path}`, { headers })).text());
    }
    outputs.push(
      await (
        await fetch(`${base}/v1/scans`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })
      ).text(),
    );
    serve.kill('SIGTERM');
    await serve.done;
    outputs.push(serve.output());
    for (const file of readdirSync(dataDir))
      outputs.push(readFileSync(join(dataDir, file)).toString('latin1'));
    await aws.stop();

    const everything = outputs.join('\n');
    expectNoSecrets(everything, aws);
  }, 120_000);

  it('scale-out: serve and worker logs, API responses and everything in Redis (job data included)', async ({
    skip,
  }) => {
    skip(redisSkipped, 'no Redis (see the line at the start of the run)');
    const redis = await startRedis();
    const aws = await faultySimulator();
    const port = await freePort();
    const env = { ...runEnv(aws, port), KEYWARDEN_EXECUTOR: 'bullmq', KEYWARDEN_REDIS_URL: redis.url };
    const worker = run(['worker', '--port', '0'], env);
    const serve = run(['serve'], env);
    const base = `http://127.0.0.1:${port}`;
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    await waitHealthy(base);
    const started = (await (
      await fetch(`${base}/v1/scans`, { method: 'POST', headers, body: '{}' })
    ).json()) as {
      id: string;
    };
    const outputs: string[] = [];
    const scan = await finishedScan(base, started.id, headers);
    outputs.push(
      scan,
      await (await fetch(`${base}/v1/scans/${started.id}/findings?limit=100`, { headers })).text(),
    );
    // Everything Redis holds: records, queues (job data, return values, events), rate-limit buckets.
    const client = new Redis(redis.url);
    const keys = await client.keys('*');
    expect(keys.some((k) => k.includes(':units:'))).toBe(true);
    for (const key of keys) {
      const type = await client.type(key);
      if (type === 'string') outputs.push(key, (await client.get(key)) ?? '');
      else if (type === 'hash') outputs.push(key, JSON.stringify(await client.hgetall(key)));
      else if (type === 'list') outputs.push(key, JSON.stringify(await client.lrange(key, 0, -1)));
      else if (type === 'set') outputs.push(key, JSON.stringify(await client.smembers(key)));
      else if (type === 'zset') outputs.push(key, JSON.stringify(await client.zrange(key, '0', '-1')));
      else if (type === 'stream') outputs.push(key, JSON.stringify(await client.xrange(key, '-', '+')));
    }
    await client.quit();
    serve.kill('SIGTERM');
    worker.kill('SIGTERM');
    await Promise.all([serve.done, worker.done]);
    outputs.push(serve.output(), worker.output());
    await aws.stop();
    await redis.stop();

    const everything = outputs.join('\n');
    expect(scan).toContain('"state":"completed_with_errors"');
    expect(everything).toContain('managementAccountId'); // the unit jobs' data was read
    expectNoSecrets(everything, aws);
  }, 120_000);
});
