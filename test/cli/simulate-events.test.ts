/**
 * `keywarden simulate --events`: the simulator in the foreground creates the event queue and its
 * dead-letter queue (redrive after --events-max-receives) in the hub account, prints
 * KEYWARDEN_EVENTS_QUEUE_URL with the other variables, and delivers a write's event there.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { changeTargets } from '../../src/events/index.js';

const root = new URL('../../', import.meta.url).pathname;
let child: ChildProcess | undefined;
// A test that times out never reaches its own clean-up: stop the simulator here too.
afterAll(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: root },
      (error, _o, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr }),
    );
  });
}

describe('keywarden simulate --events', () => {
  it('creates the queue and dead-letter queue, prints the queue URL, and delivers change events', async () => {
    const simulate = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'simulate',
        '--port',
        '0',
        '--accounts',
        '2',
        '--events',
        '--events-max-receives',
        '3',
      ],
      { cwd: root },
    );
    child = simulate;
    try {
      let output = '';
      await new Promise<void>((resolve, reject) => {
        simulate.once('exit', (code) => reject(new Error(`simulate exited early (${code}): ${output}`)));
        simulate.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (/role\/OrganizationAccountAccessRole\n/.test(output)) resolve();
        });
      });
      const variable = (name: string) => new RegExp(`export ${name}=(\\S+)`).exec(output)?.[1];
      const endpoint = variable('AWS_ENDPOINT_URL')!;
      const queueUrl = variable('KEYWARDEN_EVENTS_QUEUE_URL')!;
      expect(queueUrl).toMatch(/\/\d{12}\/keywarden-events$/);
      const options = {
        endpoint,
        region: variable('AWS_REGION')!,
        credentials: {
          accessKeyId: variable('AWS_ACCESS_KEY_ID')!,
          secretAccessKey: variable('AWS_SECRET_ACCESS_KEY')!,
        },
        maxAttempts: 1,
      };
      const sqs = new SQSClient(options);
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy', 'QueueArn'] }),
      );
      const account = /\/(\d{12})\//.exec(queueUrl)![1]!;
      expect(JSON.parse(Attributes!.RedrivePolicy!)).toEqual({
        deadLetterTargetArn: `arn:aws:sqs:us-east-1:${account}:keywarden-events-dlq`,
        maxReceiveCount: 3,
      });

      const key = (await new KMSClient(options).send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 10 }),
      );
      expect(Messages).toHaveLength(1);
      const parsed = changeTargets(JSON.parse(Messages[0]!.Body!)) as { targets: { resource: unknown }[] };
      expect(parsed.targets.map((t) => t.resource)).toEqual([
        expect.objectContaining({ kind: 'key', keyId: key }),
      ]);
    } finally {
      const exited = new Promise<number | null>((resolve) => simulate.once('exit', resolve));
      simulate.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 60_000);

  it('bad --events-max-receives or event fault values exit 2', async () => {
    expect((await cli(['simulate', '--events', '--events-max-receives', '0'])).code).toBe(2);
    expect((await cli(['simulate', '--faults', '{"eventDelayMs":-1}'])).code).toBe(2);
  });
});
