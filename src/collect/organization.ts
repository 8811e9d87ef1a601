/** Inputs of the plan: the organization's accounts and each account's enabled regions. */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { DescribeOrganizationCommand, ListAccountsCommand } from '@aws-sdk/client-organizations';
import { asCollectionError } from '../aws/errors.js';
import { paginate } from '../aws/paginate.js';

export interface OrganizationAccount {
  id: string;
  name?: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE... only ACTIVE accounts are scanned. */
  status: string;
}

export interface Organization {
  managementAccountId?: string;
  accounts: OrganizationAccount[];
}

/** The organization's management account (DescribeOrganization alone). */
export async function managementAccount(
  client: OrganizationsClient,
  signal?: AbortSignal,
): Promise<string | undefined> {
  try {
    const response = await client.send(new DescribeOrganizationCommand({}), { abortSignal: signal });
    return response.Organization?.MasterAccountId;
  } catch (error) {
    throw asCollectionError('organizations:DescribeOrganization', error);
  }
}

export async function describeOrganization(
  client: OrganizationsClient,
  signal?: AbortSignal,
): Promise<Organization> {
  const managementAccountId = await managementAccount(client, signal);
  const accounts: OrganizationAccount[] = [];
  const pages = paginate(
    'organizations:ListAccounts',
    (NextToken) => client.send(new ListAccountsCommand({ NextToken }), { abortSignal: signal }),
    // ListAccounts has no truncation flag: the token alone says whether more pages follow.
    (page) => ({ token: page.NextToken }),
  );
  for await (const page of pages) {
    for (const account of page.Accounts ?? []) {
      if (account.Id === undefined) continue;
      // `State` replaces the deprecated `Status`; read either.
      const raw = account as { State?: string; Status?: string };
      accounts.push({
        id: account.Id,
        ...(account.Name ? { name: account.Name } : {}),
        status: raw.State ?? raw.Status ?? 'UNKNOWN',
      });
    }
  }
  return managementAccountId === undefined ? { accounts } : { managementAccountId, accounts };
}

/** Regions enabled for the account: opt-in-not-required or opted-in. */
export async function enabledRegions(client: EC2Client, signal?: AbortSignal): Promise<string[]> {
  try {
    const response = await client.send(new DescribeRegionsCommand({ AllRegions: true }), {
      abortSignal: signal,
    });
    return (response.Regions ?? [])
      .filter((r) => r.RegionName !== undefined && r.OptInStatus !== 'not-opted-in')
      .map((r) => r.RegionName!)
      .sort();
  } catch (error) {
    throw asCollectionError('ec2:DescribeRegions', error);
  }
}
