/** Bearer-token authentication, compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Compares SHA-256 digests so every comparison takes the same time whatever the token's length or
 * content, and checks every configured token (no early exit that would tell which one matched).
 */
export function tokenMatcher(tokens: readonly string[]): (presented: string | undefined) => boolean {
  const expected = tokens.filter((t) => t.length > 0).map(digest);
  return (presented) => {
    // With no token configured the loop below matches nothing: no separate check needed.
    if (presented === undefined) return false;
    const candidate = digest(presented);
    let matched = false;
    for (const token of expected) matched = timingSafeEqual(candidate, token) || matched;
    return matched;
  };
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  // A missing header reads as "undefined", which is no bearer header.
  // The scheme name is case-insensitive (RFC 9110, 11.1): `bearer` from a client is the same scheme.
  const match = /^Bearer ([\x21-\x7e]{1,512})$/i.exec(String(header));
  return match?.[1];
}
