/**
 * Clients in the security account itself, on the service's own (hub) credentials: its Security Hub (the
 * custom action) and EC2 (its enabled regions). One client per service and region, closed together.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { hubCredentials, roleSessionName } from './credentials.js';

export interface HubClientSettings {
  homeRegion: string;
  hub: { roleArn?: string; externalId?: string };
  sessionNamePrefix: string;
  maxAttempts: number;
  retryMode: 'adaptive' | 'standard';
  requestTimeoutMs: number;
}

export interface HubClients {
  securityHub(region: string): SecurityHubClient;
  ec2(region: string): EC2Client;
  destroy(): void;
}

export function hubClients(settings: HubClientSettings): HubClients {
  const credentials = hubCredentials({
    ...(settings.hub.roleArn ? { roleArn: settings.hub.roleArn } : {}),
    ...(settings.hub.externalId ? { externalId: settings.hub.externalId } : {}),
    sessionName: roleSessionName(settings.sessionNamePrefix, 'setup'),
    stsRegion: settings.homeRegion,
    retry: { maxAttempts: settings.maxAttempts, retryMode: settings.retryMode },
  });
  const common = {
    credentials,
    maxAttempts: settings.maxAttempts,
    retryMode: settings.retryMode,
    requestHandler: {
      requestTimeout: settings.requestTimeoutMs,
      throwOnRequestTimeout: true,
      connectionTimeout: settings.requestTimeoutMs,
    },
  };
  const built = new Map<string, { destroy(): void }>();
  function cached<C extends { destroy(): void }>(key: string, build: () => C): C {
    let client = built.get(key) as C | undefined;
    if (client === undefined) {
      client = build();
      built.set(key, client);
    }
    return client;
  }
  return {
    securityHub: (region) =>
      cached(`securityhub/${region}`, () => new SecurityHubClient({ ...common, region })),
    ec2: (region) => cached(`ec2/${region}`, () => new EC2Client({ ...common, region })),
    destroy: () => {
      for (const client of built.values()) client.destroy();
      built.clear();
    },
  };
}
