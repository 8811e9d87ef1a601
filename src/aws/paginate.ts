/** Pagination for every AWS list call: one loop that knows how a list can end badly. */
import { asCollectionError, CollectionError } from './errors.js';

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
