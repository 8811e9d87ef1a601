/**
 * `keywarden demo`: starts the simulator with a sample organization, scans it into its Security Hubs and
 * prints what was found and where it went. No AWS account needed.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { executeScan } from '../../compose.js';
import { parseConfig } from '../../config/index.js';
import { DEFAULT_EXTERNAL_ID, regionsOutside, startSimulator } from '../../simulator/index.js';
import { formatFindingsTable, formatSummary } from '../report.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('scan a built-in simulated organization (no AWS account needed) and print the report')
    .option('--accounts <n>', 'accounts in the sample organization', '3')
    .action(async (options: { accounts: string }) => {
      const regions = ['us-east-1', 'eu-west-1', 'eu-south-1'];
      const simulator = await startSimulator({
        // Every kind of key policy (public, restricted, not restricted) and keys locked against the auditor.
        organization: {
          accounts: Number(options.accounts),
          regions,
          seed: 2026,
          keyPolicyKinds: true,
          lockedKeys: true,
        },
      });
      // The demo's AWS is the simulator: this process only, nothing else is touched.
      process.env['AWS_ENDPOINT_URL'] = simulator.endpoint;
      process.env['AWS_ACCESS_KEY_ID'] = simulator.hubCredentials.accessKeyId;
      process.env['AWS_SECRET_ACCESS_KEY'] = simulator.hubCredentials.secretAccessKey;
      process.env['AWS_REGION'] = 'us-east-1';
      delete process.env['AWS_PROFILE'];
      delete process.env['AWS_SESSION_TOKEN'];
      try {
        // The simulator lists every region of the partition, as AWS does; the demo scans the ones with data.
        const loaded = parseConfig(
          {
            memberRole: { externalId: DEFAULT_EXTERNAL_ID },
            regions: { mode: 'enabled', exclude: regionsOutside(regions) },
          },
          'demo',
        );
        process.stdout.write(
          `keywarden demo: a simulated organization of ${simulator.state.accounts.size} accounts in ${regions.join(', ')} at ${simulator.endpoint}\n\n`,
        );
        const result = await executeScan(loaded, { scanId: randomUUID() });
        process.stdout.write(
          `${formatFindingsTable(result.units)}\n${formatSummary(result.summary, result.units)}`,
        );
        const stored = [...simulator.state.accounts.values()].reduce(
          (n, account) => n + [...account.hubs.values()].reduce((m, hub) => m + hub.findings.size, 0),
          0,
        );
        process.stdout.write(`\nThe simulated Security Hubs now hold ${stored} findings from keywarden.\n`);
        process.exitCode = result.summary.state === 'completed' ? 0 : 1;
      } finally {
        await simulator.stop();
      }
    });
}
