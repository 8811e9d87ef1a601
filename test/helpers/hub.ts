/** A one-account simulator and a Security Hub client on the hub's own credentials, for importer tests. */
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { startSimulator } from '../../src/simulator/index.js';

export interface HubSimulator {
  aws: RunningSimulator;
  client: SecurityHubClient;
  accountId: string;
}

export async function startHubSimulator(region: string): Promise<HubSimulator> {
  const aws = await startSimulator({ organization: { accounts: 1, regions: [region] } });
  const client = new SecurityHubClient({
    endpoint: aws.endpoint,
    region,
    credentials: aws.hubCredentials,
    // One attempt: the tests count the calls and see each failure as it is.
    maxAttempts: 1,
  });
  return { aws, client, accountId: aws.state.managementAccountId };
}

export async function stopHubSimulator(hub: HubSimulator): Promise<void> {
  hub.client.destroy();
  await hub.aws.stop();
}
