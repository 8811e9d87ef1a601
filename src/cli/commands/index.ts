/**
 * The command table. A command's module (and everything it imports: the AWS SDK, Fastify, BullMQ...) is
 * loaded only when that command runs, so `keywarden --help` or `check-policy` start in a fraction of the
 * time it takes to load them all. Each module registers its full definition (options, action) itself.
 */
import type { Command } from 'commander';

type Register = (program: Command) => void;

interface CommandEntry {
  /** One line for `keywarden --help`; the module's own description is shown by `keywarden <command> --help`. */
  summary: string;
  load: () => Promise<Register>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  scan: {
    summary: 'run one scan of the organization and print its summary',
    load: async () => (await import('./scan.js')).registerScanCommand,
  },
  serve: {
    summary: 'run the API and the scheduler',
    load: async () => (await import('./serve.js')).registerServeCommand,
  },
  worker: {
    summary: 'take scans and units from the Redis queues (scale-out)',
    load: async () => (await import('./worker.js')).registerWorkerCommand,
  },
  'check-policy': {
    summary: 'evaluate IAM policies (files, directories, CloudFormation, Terraform plans) offline',
    load: async () => (await import('./check-policy.js')).registerCheckPolicyCommand,
  },
  simulate: {
    summary: 'run the built-in AWS-compatible simulator in the foreground',
    load: async () => (await import('./simulate.js')).registerSimulateCommand,
  },
  demo: {
    summary: 'scan a built-in simulated organization (no AWS account needed)',
    load: async () => (await import('./demo.js')).registerDemoCommand,
  },
};

/**
 * The command a command line asks for: the first argument that is not an option (the program itself
 * takes no option with a value), or the one after `help`.
 */
export function requestedCommand(args: readonly string[]): string | undefined {
  const first = args.find((arg) => !arg.startsWith('-'));
  if (first === 'help') return args[args.indexOf(first) + 1];
  return first;
}

/**
 * Registers the requested command in full and every other one by name and summary only (enough for the
 * program's help and for commander's "did you mean" on a typo).
 */
export async function registerCommands(program: Command, args: readonly string[]): Promise<void> {
  const wanted = requestedCommand(args);
  for (const [name, entry] of Object.entries(COMMANDS)) {
    if (name === wanted) (await entry.load())(program);
    else program.command(name).summary(entry.summary);
  }
}
