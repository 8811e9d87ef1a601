/** AWS's per-account, per-region request quotas for the calls a scan paces itself on. */
import type { RateLimit } from './rate-limit.js';

export const SECURITY_HUB_QUOTAS = {
  BatchImportFindings: { perSecond: 10, burst: 30 },
  GetFindings: { perSecond: 3, burst: 6 },
} as const satisfies Record<string, RateLimit>;

/**
 * IAM's request quota is per account and not published per operation; we pace the one paginated read we
 * make (GetAccountAuthorizationDetails) well below what IAM tolerates, so other tools in the account keep
 * their share.
 */
export const IAM_QUOTAS = {
  GetAccountAuthorizationDetails: { perSecond: 10, burst: 10 },
  /** The reads of one policy or identity after a change (GetPolicy, GetRole, Get*Policy...), together. */
  ResourceReads: { perSecond: 10, burst: 10 },
} as const satisfies Record<string, RateLimit>;

/**
 * KMS's request quotas (per account and region) for the per-key reads that can be many: one call per key.
 * Keyed by operation name, as the KMS collectors name them.
 */
export const KMS_QUOTAS = {
  GetKeyRotationStatus: { perSecond: 1000, burst: 1000 },
  GetKeyPolicy: { perSecond: 1000, burst: 1000 },
} as const satisfies Record<string, RateLimit>;
