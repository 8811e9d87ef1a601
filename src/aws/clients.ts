/**
 * The only place that builds AWS SDK clients for a scan: one client per (service, account, region),
 * bound to that account's shared member credentials, with adaptive retries, a request timeout and a
 * middleware that counts every attempt. Endpoints come from AWS_ENDPOINT_URL* (the SDK reads them).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { ScanClients } from './scan-clients.js';
import type { ApiCallCounter } from './counter.js';
import { isThrottling } from './counter.js';
import type { MemberRoleSettings } from './credentials.js';
import { hubCredentials, memberCredentials, roleSessionName } from './credentials.js';

export interface AwsSettings {
  homeRegion: string;
  partition: string;
  memberRole: {
    name: string;
    externalId?: string;
    sessionDurationSeconds: number;
    sessionNamePrefix: string;
  };
  hub: { roleArn?: string; externalId?: string };
  maxAttempts: number;
  retryMode: 'adaptive' | 'standard';
  requestTimeoutMs: number;
}

/** IAM is global: it is signed in one region per partition. */
const IAM_REGION: Record<string, string> = {
  aws: 'us-east-1',
  'aws-cn': 'cn-north-1',
  'aws-us-gov': 'us-gov-west-1',
};

interface Destroyable {
  destroy(): void;
  middlewareStack: { add: (...args: never[]) => void };
}

export interface AwsContext {
  clients: ScanClients;
  counter: ApiCallCounter;
  /** Closes every client (sockets) built for the scan. */
  destroy(): void;
}

export function createAwsContext(settings: AwsSettings, scanId: string, counter: ApiCallCounter): AwsContext {
  const sessionName = roleSessionName(settings.memberRole.sessionNamePrefix, scanId);
  const hub = hubCredentials({
    ...(settings.hub.roleArn ? { roleArn: settings.hub.roleArn } : {}),
    ...(settings.hub.externalId ? { externalId: settings.hub.externalId } : {}),
    sessionName,
    stsRegion: settings.homeRegion,
    retry: { maxAttempts: settings.maxAttempts, retryMode: settings.retryMode },
  });
  const member: MemberRoleSettings = {
    partition: settings.partition,
    roleName: settings.memberRole.name,
    ...(settings.memberRole.externalId ? { externalId: settings.memberRole.externalId } : {}),
    sessionName,
    durationSeconds: settings.memberRole.sessionDurationSeconds,
    stsRegion: settings.homeRegion,
    retry: { maxAttempts: settings.maxAttempts, retryMode: settings.retryMode },
  };
  const providers = new Map<string, AwsCredentialIdentityProvider>();
  const credentialsOf = (accountId: string): AwsCredentialIdentityProvider => {
    let provider = providers.get(accountId);
    if (provider === undefined) {
      provider = memberCredentials(hub, accountId, member);
      providers.set(accountId, provider);
    }
    return provider;
  };

  const clients = new Map<string, Destroyable>();
  // One pool of keep-alive connections for the whole scan: clients come and go with their units, the
  // connections to each endpoint stay open (destroying a client would destroy its agent, so released
  // clients are just dropped and the agents are closed once at the end).
  const agentOptions = { keepAlive: true, maxSockets: 512, maxFreeSockets: 256 };
  const httpAgent = new HttpAgent(agentOptions);
  const httpsAgent = new HttpsAgent(agentOptions);
  const common = {
    maxAttempts: settings.maxAttempts,
    retryMode: settings.retryMode,
    requestHandler: {
      requestTimeout: settings.requestTimeoutMs,
      // Without this the SDK only warns when a request runs past requestTimeout, and keeps waiting.
      throwOnRequestTimeout: true,
      connectionTimeout: settings.requestTimeoutMs,
      httpAgent,
      httpsAgent,
    },
  };
  function cached<C extends Destroyable>(key: string, build: () => C): C {
    let client = clients.get(key) as C | undefined;
    if (client === undefined) {
      client = build();
      countCalls(client, counter);
      clients.set(key, client);
    }
    return client;
  }

  const scanClients: ScanClients = {
    organizations: () =>
      cached(
        'organizations',
        () => new OrganizationsClient({ ...common, region: settings.homeRegion, credentials: hub }),
      ),
    ec2: (accountId, region) =>
      cached(
        `ec2/${accountId}/${region}`,
        () => new EC2Client({ ...common, region, credentials: credentialsOf(accountId) }),
      ),
    iam: (accountId) =>
      cached(
        `iam/${accountId}`,
        () =>
          new IAMClient({
            ...common,
            region: IAM_REGION[settings.partition] ?? 'us-east-1',
            credentials: credentialsOf(accountId),
          }),
      ),
    kms: (accountId, region) =>
      cached(
        `kms/${accountId}/${region}`,
        () => new KMSClient({ ...common, region, credentials: credentialsOf(accountId) }),
      ),
    securityHub: (accountId, region) =>
      cached(
        `securityhub/${accountId}/${region}`,
        () => new SecurityHubClient({ ...common, region, credentials: credentialsOf(accountId) }),
      ),
    verifyAccess: async (accountId) => {
      await credentialsOf(accountId)();
    },
    forget: (accountId) => {
      providers.delete(accountId);
    },
    release: (accountId, region) => {
      // A unit's clients are not needed once it is done: memory follows concurrency, not org size.
      for (const key of [
        `ec2/${accountId}/${region}`,
        `kms/${accountId}/${region}`,
        `securityhub/${accountId}/${region}`,
      ]) {
        clients.delete(key);
      }
      if (region === settings.homeRegion) {
        clients.delete(`iam/${accountId}`);
      }
    },
  };
  return {
    clients: scanClients,
    counter,
    destroy: () => {
      clients.clear();
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** Counts every HTTP attempt: outermost in the deserialize step (once per attempt, inside the retry loop), so it sees the parsed error. */
function countCalls(client: Destroyable, counter: ApiCallCounter): void {
  const add = client.middlewareStack.add as unknown as (
    middleware: (
      next: (args: unknown) => Promise<unknown>,
      context: { clientName?: string; commandName?: string },
    ) => (args: unknown) => Promise<unknown>,
    options: { step: 'deserialize'; priority: 'high'; name: string },
  ) => void;
  add(
    (next, context) => async (args) => {
      const service = (context.clientName ?? 'AWS').replace(/Client$/, '');
      const operation = `${service}.${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`;
      try {
        const result = await next(args);
        counter.record(operation, 'success');
        return result;
      } catch (error) {
        counter.record(operation, isThrottling(error) ? 'throttled' : 'error');
        throw error;
      }
    },
    { step: 'deserialize', priority: 'high', name: 'keywardenCallCounter' },
  );
}
