/** The simulator's in-memory AWS: accounts, their IAM, KMS keys and Security Hub findings per region. */

export interface SimPolicyVersion {
  versionId: string;
  isDefault: boolean;
  document: Record<string, unknown>;
  createDate: string;
}

export interface SimManagedPolicy {
  name: string;
  policyId: string;
  path: string;
  attachmentCount: number;
  permissionsBoundaryUsageCount: number;
  versions: SimPolicyVersion[];
  createDate: string;
}

export interface SimInlinePolicy {
  name: string;
  document: Record<string, unknown>;
}

export interface SimIdentity {
  kind: 'user' | 'group' | 'role';
  name: string;
  id: string;
  path: string;
  createDate: string;
  inlinePolicies: SimInlinePolicy[];
  trustPolicy?: Record<string, unknown>;
  /** The ARN of the managed policy set as its permissions boundary (users and roles). */
  permissionsBoundary?: string;
}

export interface SimKey {
  keyId: string;
  keyManager: 'CUSTOMER' | 'AWS';
  keyState: string;
  keySpec: string;
  keyUsage: string;
  origin: string;
  description: string;
  creationDate: Date;
  deletionDate?: Date;
  pendingWindowDays?: number;
  customKeyStoreId?: string;
  multiRegion: boolean;
  rotationEnabled: boolean;
  rotationPeriodInDays?: number;
  /** Fault: GetKeyRotationStatus answers AccessDeniedException for this key. */
  rotationDenied?: boolean;
  /** The key policy (GetKeyPolicy; it authorizes the KMS calls). Absent: AWS's default key policy. */
  policy?: Record<string, unknown>;
  /** The import token GetParametersForImport handed out last (ImportKeyMaterial must present it). */
  importToken?: string;
  /** Tags (ListResourceTags). */
  tags?: { TagKey: string; TagValue: string }[];
}

export type StoredFinding = Record<string, unknown> & { Id: string; UpdatedAt: string };

export interface SimActionTarget {
  name: string;
  description: string;
}

export interface SimHub {
  enabled: boolean;
  findings: Map<string, StoredFinding>;
  /** Custom actions (CreateActionTarget), by ARN. */
  actionTargets?: Map<string, SimActionTarget>;
}

export interface SimAccount {
  id: string;
  name: string;
  status: 'ACTIVE' | 'SUSPENDED';
  policies: SimManagedPolicy[];
  identities: SimIdentity[];
  keys: Map<string, SimKey[]>;
  hubs: Map<string, SimHub>;
  /** Roles that can be assumed in this account: who may (the trust policy) and for how long. */
  roles: Map<string, SimRole>;
}

export interface SimRole {
  trustPolicy: Record<string, unknown>;
  /** The role's MaxSessionDuration (AWS's default is 3600). */
  maxSessionDuration: number;
  /**
   * The KMS actions (patterns) its identity-based policies allow; what a key policy that delegates to
   * the account defers to. Absent: those of the member role (MEMBER_ROLE_KMS_ACTIONS).
   */
  kmsActions?: string[];
  /**
   * The IAM actions (patterns) its identity-based policies allow. Absent: the member role's, which reads
   * and never writes.
   */
  iamActions?: string[];
}

export interface SimSession {
  accountId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
  /** The ARN the session acts as (GetCallerIdentity). */
  arn: string;
}

export class SimState {
  readonly accounts = new Map<string, SimAccount>();
  /** Access key id -> who is calling. */
  readonly sessions = new Map<string, SimSession>();
  managementAccountId = '';
  organizationId = 'o-keywarden01';
  regions: string[] = [];
  private sessionCounter = 0;

  account(id: string): SimAccount | undefined {
    return this.accounts.get(id);
  }

  hub(accountId: string, region: string): SimHub {
    const account = this.accounts.get(accountId)!;
    let hub = account.hubs.get(region);
    if (hub === undefined) {
      hub = { enabled: true, findings: new Map() };
      account.hubs.set(region, hub);
    }
    return hub;
  }

  keys(accountId: string, region: string): SimKey[] {
    const account = this.accounts.get(accountId)!;
    let keys = account.keys.get(region);
    if (keys === undefined) {
      keys = [];
      account.keys.set(region, keys);
    }
    return keys;
  }

  /** Issues temporary credentials for an assumed role. */
  issueSession(
    accountId: string,
    roleName: string,
    sessionName: string,
    durationSeconds: number,
  ): SimSession & { accessKeyId: string } {
    this.sessionCounter++;
    const serial = String(this.sessionCounter).padStart(8, '0');
    const accessKeyId = `ASIA${accountId}${serial}`.slice(0, 24);
    const session: SimSession = {
      accountId,
      secretAccessKey: `simsecret${accountId}${serial}`.padEnd(40, 'x'),
      sessionToken: `simtoken-${accountId}-${serial}-${'t'.repeat(40)}`,
      expiration: new Date(Date.now() + durationSeconds * 1000),
      arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
    };
    this.sessions.set(accessKeyId, session);
    return { ...session, accessKeyId };
  }

  /** Forces every temporary credential to be expired (tests of credential refresh). */
  expireSessions(): void {
    for (const session of this.sessions.values()) if (session.expiration) session.expiration = new Date(0);
  }

  /** Every secret the simulator handed out (for tests that check nothing leaks). */
  secrets(): string[] {
    return [...this.sessions.values()].flatMap((s) => [
      s.secretAccessKey,
      ...(s.sessionToken ? [s.sessionToken] : []),
    ]);
  }
}
