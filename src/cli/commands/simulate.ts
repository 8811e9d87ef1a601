/** `keywarden simulate`: runs the AWS-compatible simulator in the foreground (tests, demos, local runs). */
import type { Command } from 'commander';
import { isKnownRegion } from '../../catalog/index.js';
import type { SimulatorFaults } from '../../simulator/index.js';
import {
  ADMIN_ROLE,
  DEFAULT_EXTERNAL_ID,
  DEFAULT_EVENT_QUEUE,
  startSimulator,
} from '../../simulator/index.js';

/** The region the printed variables point keywarden at; the event queue lives there. */
const HUB_REGION = 'us-east-1';

interface SimulateOptions {
  port: string;
  accounts: string;
  regions: string;
  seed: string;
  latencyMs: string;
  keysPerRegion?: string;
  policiesPerAccount?: string;
  faults?: string;
  events?: boolean;
  eventsMaxReceives: string;
  eventsVisibilityTimeout: string;
}

/** `--faults` takes JSON, e.g. {"errorRate":0.01,"deniedAccounts":["123456789012"],"hubDisabled":["eu-west-1"]}. */
export function parseFaults(text: string | undefined): Partial<SimulatorFaults> {
  if (text === undefined) return {};
  const raw = JSON.parse(text) as Record<string, unknown>;
  const known = [
    'latencyMs',
    'throttling',
    'quotaScale',
    'iamRate',
    'stsRate',
    'errorRate',
    'deniedAccounts',
    'hubDisabled',
    'failedFindingsRate',
    'failingOperations',
    'slowOperations',
    'slowLatencyMs',
    'eventDelayMs',
    'eventDuplicateRate',
    'eventReorderWindow',
    'eventReorderHoldMs',
  ];
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new Error(`unknown fault ${unknown.join(', ')} (known: ${known.join(', ')})`);
  const faults: Partial<SimulatorFaults> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (
      key === 'deniedAccounts' ||
      key === 'hubDisabled' ||
      key === 'failingOperations' ||
      key === 'slowOperations' ||
      key === 'quirks'
    ) {
      if (!Array.isArray(value)) throw new Error(`${key} must be a list`);
      (faults as Record<string, Set<string>>)[key] = new Set(value.map(String));
    } else if (key === 'throttling') {
      faults.throttling = Boolean(value);
    } else {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${key} must be a non-negative number`);
      (faults as Record<string, number>)[key] = n;
    }
  }
  return faults;
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('run the built-in AWS-compatible simulator in the foreground')
    .option('--port <port>', 'port to listen on (0 = any free port)', '4566')
    .option('--accounts <n>', 'accounts in the generated organization', '4')
    .option('--regions <regions>', 'regions, comma-separated', 'us-east-1,eu-west-1')
    .option('--seed <n>', 'seed of the generated organization', '1')
    .option('--latency-ms <ms>', 'latency added to every call', '0')
    .option('--keys-per-region <n>', 'KMS keys per account and region (kinds cycle)')
    .option('--policies-per-account <n>', 'customer managed policies per account')
    .option('--faults <json>', 'fault injection as JSON (see docs)')
    .option(
      '--events',
      'create the event queue and its dead-letter queue in the hub account and deliver change events to it',
    )
    .option('--events-max-receives <n>', 'receives before a message moves to the dead-letter queue', '5')
    .option('--events-visibility-timeout <seconds>', "the event queue's visibility timeout", '30')
    .action(async (options: SimulateOptions) => {
      const regions = options.regions.split(',').map((r) => r.trim());
      const unknown = regions.filter((r) => !isKnownRegion(r));
      const numbers = [
        options.port,
        options.accounts,
        options.seed,
        options.latencyMs,
        options.keysPerRegion ?? 0,
        options.policiesPerAccount ?? 0,
      ].map(Number);
      let faults: Partial<SimulatorFaults>;
      try {
        if (unknown.length > 0) throw new Error(`unknown region ${unknown.join(', ')}`);
        if (numbers.some((n) => !Number.isInteger(n) || n < 0))
          throw new Error('--port, --accounts, --seed and --latency-ms take non-negative integers');
        const maxReceives = Number(options.eventsMaxReceives);
        if (!Number.isInteger(maxReceives) || maxReceives < 1 || maxReceives > 1000)
          throw new Error('--events-max-receives takes an integer from 1 to 1000');
        const visibility = Number(options.eventsVisibilityTimeout);
        if (!Number.isInteger(visibility) || visibility < 0 || visibility > 43_200)
          throw new Error('--events-visibility-timeout takes an integer from 0 to 43200');
        faults = { ...parseFaults(options.faults), latencyMs: Number(options.latencyMs) };
      } catch (error) {
        process.stderr.write(`keywarden simulate: ${(error as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      const simulator = await startSimulator({
        port: Number(options.port),
        organization: {
          accounts: Number(options.accounts),
          regions,
          seed: Number(options.seed),
          ...(options.keysPerRegion ? { keysPerRegion: Number(options.keysPerRegion) } : {}),
          ...(options.policiesPerAccount ? { policiesPerAccount: Number(options.policiesPerAccount) } : {}),
        },
        faults,
      });
      const accounts = [...simulator.state.accounts.values()].map((a) => `${a.id} (${a.name}, ${a.status})`);
      const queues = options.events
        ? simulator.events.createQueues(simulator.state.managementAccountId, HUB_REGION, {
            name: DEFAULT_EVENT_QUEUE,
            maxReceiveCount: Number(options.eventsMaxReceives),
            visibilityTimeoutSeconds: Number(options.eventsVisibilityTimeout),
          })
        : undefined;
      process.stdout.write(
        [
          `keywarden simulator listening on ${simulator.endpoint}`,
          `organization: ${accounts.join(', ')}`,
          '',
          'Point keywarden (or any AWS SDK) at it with:',
          `  export AWS_ENDPOINT_URL=${simulator.endpoint}`,
          `  export AWS_ACCESS_KEY_ID=${simulator.hubCredentials.accessKeyId}`,
          `  export AWS_SECRET_ACCESS_KEY=${simulator.hubCredentials.secretAccessKey}`,
          `  export AWS_REGION=${HUB_REGION}`,
          `  export KEYWARDEN_EXTERNAL_ID=${DEFAULT_EXTERNAL_ID}`,
          ...(queues
            ? [
                `  export KEYWARDEN_EVENTS_QUEUE_URL=${queues.queueUrl}`,
                `  # change events: every IAM/KMS write is delivered there; dead-letter queue ${queues.deadLetterQueueUrl}`,
                `  # make changes in a member account through its role arn:aws:iam::<account>:role/${ADMIN_ROLE}`,
              ]
            : []),
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await simulator.stop();
    });
}
