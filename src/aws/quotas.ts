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
} as const satisfies Record<string, RateLimit>;
