/**
 * A record of the calls the simulator received, with the resource each one names (the KMS key, the IAM
 * policy or identity), so a test can tell exactly which resources a caller read. Off until started: a
 * benchmark's millions of calls are not kept.
 */

export interface LoggedRequest {
  accountId: string;
  region: string;
  /** `kms:DescribeKey` */
  operation: string;
  /** The resource the call names: a KeyId, a PolicyArn, a role, user or group name, or the RoleArn of an AssumeRole; absent for others. */
  resource?: string;
}

// RoleArn: the role an AssumeRole asks for.
const IAM_RESOURCE_PARAMS = ['PolicyArn', 'RoleName', 'UserName', 'GroupName', 'RoleArn'];

export class RequestLog {
  private entries: LoggedRequest[] | undefined;

  /** Starts (or restarts) recording, forgetting what was recorded before. */
  start(): void {
    this.entries = [];
  }

  /** Stops recording and returns what was recorded. */
  stop(): LoggedRequest[] {
    const entries = this.entries ?? [];
    this.entries = undefined;
    return entries;
  }

  /** What was recorded so far. */
  get requests(): readonly LoggedRequest[] {
    return this.entries ?? [];
  }

  record(
    call: Omit<LoggedRequest, 'resource'>,
    form: URLSearchParams | undefined,
    json: Record<string, unknown> | undefined,
  ): void {
    if (this.entries === undefined) return;
    const keyId = json?.['KeyId'];
    const named =
      typeof keyId === 'string'
        ? keyId
        : IAM_RESOURCE_PARAMS.map((p) => form?.get(p)).find((v) => v !== null && v !== undefined);
    this.entries.push(named === undefined ? call : { ...call, resource: named });
  }
}
