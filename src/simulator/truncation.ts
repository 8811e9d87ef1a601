/**
 * Fault: a list page that says it is truncated but carries no token to the next page. A client that
 * takes the missing token for the end of the list would treat what it has as complete.
 */

/** The page with its truncation flag set, its continuation token removed and only its first item of each list. */
export function truncatedWithoutToken(answer: unknown): unknown {
  if (typeof answer !== 'object' || answer === null) return answer;
  const page: Record<string, unknown> = {};
  for (const [member, value] of Object.entries(answer)) {
    if (member === 'NextMarker' || member === 'Marker' || member === 'NextToken') continue;
    page[member] = Array.isArray(value) ? value.slice(0, 1) : value;
  }
  if ('IsTruncated' in page) page['IsTruncated'] = true;
  else page['Truncated'] = true;
  return page;
}
