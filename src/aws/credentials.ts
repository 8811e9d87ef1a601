/**
 * Credentials: the service's own (default chain, or a hub role assumed first), then one member-role
 * provider per account, shared by every client of that account and refreshed before it expires, so a
 * scan makes one AssumeRole per account, not one per client or call.
 */
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';

/** Reuses a provider's credentials until 5 minutes before they expire; concurrent callers share a call. */
export function shared(
  provider: AwsCredentialIdentityProvider,
  refreshMarginMs = 5 * 60_000,
): AwsCredentialIdentityProvider {
  let current: Promise<AwsCredentialIdentity> | undefined;
  return async () => {
    if (current !== undefined) {
      const credentials = await current.catch(() => undefined);
      const expiration = credentials?.expiration?.getTime();
      if (
        credentials !== undefined &&
        (expiration === undefined || expiration - Date.now() > refreshMarginMs)
      ) {
        return credentials;
      }
    }
    const attempt = provider();
    current = attempt;
    // A failed attempt is not kept: the next caller tries again.
    attempt.catch(() => {
      if (current === attempt) current = undefined;
    });
    return attempt;
  };
}

/** AWS allows [\w+=,.@-]{2,64} in a RoleSessionName. */
export function roleSessionName(prefix: string, scanId: string): string {
  return `${prefix}-${scanId}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

/** Retry settings for the STS clients inside the credential providers. */
export interface StsRetry {
  maxAttempts: number;
  retryMode: 'adaptive' | 'standard';
}

export interface MemberRoleSettings {
  partition: string;
  roleName: string;
  externalId?: string;
  sessionName: string;
  durationSeconds: number;
  /** Region of the STS endpoint (regional STS, never the global one). */
  stsRegion: string;
  retry: StsRetry;
}

export function hubCredentials(settings: {
  roleArn?: string;
  externalId?: string;
  sessionName: string;
  stsRegion: string;
  retry: StsRetry;
}): AwsCredentialIdentityProvider {
  const chain = fromNodeProviderChain();
  if (settings.roleArn === undefined) return shared(chain);
  return shared(
    fromTemporaryCredentials({
      masterCredentials: chain,
      params: {
        RoleArn: settings.roleArn,
        RoleSessionName: settings.sessionName,
        ...(settings.externalId ? { ExternalId: settings.externalId } : {}),
      },
      clientConfig: { region: settings.stsRegion, ...settings.retry },
    }),
  );
}

export function memberCredentials(
  hub: AwsCredentialIdentityProvider,
  accountId: string,
  settings: MemberRoleSettings,
): AwsCredentialIdentityProvider {
  return shared(
    fromTemporaryCredentials({
      masterCredentials: hub,
      params: {
        RoleArn: `arn:${settings.partition}:iam::${accountId}:role/${settings.roleName}`,
        RoleSessionName: settings.sessionName,
        DurationSeconds: settings.durationSeconds,
        ...(settings.externalId ? { ExternalId: settings.externalId } : {}),
      },
      clientConfig: { region: settings.stsRegion, ...settings.retry },
    }),
  );
}
