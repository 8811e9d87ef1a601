/** The AWS clients a scan works with: the interface the scan needs, built by `createAwsContext`. */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';

/** The AWS clients a scan needs, already bound to the right credentials. */
export interface ScanClients {
  organizations(): OrganizationsClient;
  ec2(accountId: string, region: string): EC2Client;
  iam(accountId: string): IAMClient;
  kms(accountId: string, region: string): KMSClient;
  securityHub(accountId: string, region: string): SecurityHubClient;
  /** Resolves the member role's credentials once; rejects when the role cannot be assumed. */
  verifyAccess(accountId: string): Promise<void>;
  /** Frees the clients of a unit (and the account's IAM client after the home-region unit). */
  release(accountId: string, region: string): void;
  /** Frees what is kept for an account (its credentials) once all its units are done. */
  forget(accountId: string): void;
}
