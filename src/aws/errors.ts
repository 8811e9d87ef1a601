/** A collection failure, kept per unit and control: it never stops other units. */
export class CollectionError extends Error {
  constructor(
    readonly operation: string,
    readonly code: string,
    message: string,
  ) {
    super(`${operation}: ${code}: ${message}`);
    this.name = 'CollectionError';
  }
}

/** The AWS error code of an SDK error (its `name`), or a generic code for anything else. */
export function errorCode(error: unknown): string {
  if (error instanceof CollectionError) return error.code;
  if (error instanceof Error && error.name !== 'Error') return error.name;
  return 'UnknownError';
}

/**
 * Error codes that say "try again later" (throttling, AWS-side faults, timeouts), as opposed to an answer
 * (access denied, not found) that a retry would only repeat. The SDK already retried each call; these
 * decide whether a whole unit is worth another run.
 */
const TRANSIENT_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalError',
  'InternalException',
  'InternalServerError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'RetriesExhausted',
  // Services' own names for "our side failed, try again".
  'KMSInternalException',
  'DependencyTimeoutException',
  'ServiceFailure',
  'ServiceFailureException',
  'Unavailable',
  'RequestThrottled',
  'RequestThrottledException',
  'EC2ThrottledException',
  'SlowDown',
  'PriorRequestNotComplete',
]);

export function isTransientCode(code: string): boolean {
  return TRANSIENT_CODES.has(code);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Wraps an SDK failure so the unit's record says which call failed and why. */
export function asCollectionError(operation: string, error: unknown): CollectionError {
  if (error instanceof CollectionError) return error;
  return new CollectionError(operation, errorCode(error), errorMessage(error));
}

/** Where a page leaves the list: its continuation token and, for APIs that have one, its "more to come" flag. */
export interface PageEnd {
  token: string | undefined;
  /** `Truncated` (KMS) or `IsTruncated` (IAM); undefined for APIs where the token alone says it (NextToken). */
  truncated?: boolean | undefined;
}

/**
 * Follows a pagination token until it runs out. A token that repeats (a buggy or hostile endpoint), a page
 * that says it is truncated but gives no token (the rest of the list is unknown: counting it complete
 * would archive findings of resources on pages never fetched), or a page count beyond `maxPages` stops
 * the loop with an error instead of looping forever or ending early.
 */
export async function* paginate<Page>(
  operation: string,
  fetchPage: (token: string | undefined) => Promise<Page>,
  pageEnd: (page: Page) => PageEnd,
  maxPages = 10_000,
): AsyncGenerator<Page> {
  const seen = new Set<string>();
  let token: string | undefined;
  for (let pages = 0; ; pages++) {
    if (pages >= maxPages)
      throw new CollectionError(operation, 'PaginationLimit', `more than ${maxPages} pages`);
    let page: Page;
    try {
      page = await fetchPage(token);
    } catch (error) {
      throw asCollectionError(operation, error);
    }
    yield page;
    const end = pageEnd(page);
    if (end.truncated === false) return;
    token = end.token === '' ? undefined : end.token;
    if (token === undefined) {
      if (end.truncated === true)
        throw new CollectionError(
          operation,
          'PaginationTruncated',
          'the service said the page was truncated but gave no token for the next page',
        );
      return;
    }
    if (seen.has(token))
      throw new CollectionError(operation, 'PaginationLoop', 'the service returned a page token twice');
    seen.add(token);
  }
}
