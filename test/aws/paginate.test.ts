import { describe, expect, it } from 'vitest';
import type { PageEnd } from '../../src/aws/paginate.js';
import { paginate } from '../../src/aws/paginate.js';

/** Walks pages 0, 1, 2... (the token is the next page's number); each page ends as the test says. */
async function walk(ends: PageEnd[]): Promise<{ pages: number; error?: string }> {
  let pages = 0;
  try {
    const all = paginate(
      'test:List',
      async (token) => (token === undefined ? 0 : Number(token)),
      (index: number) => ends[index]!,
    );
    for await (const _page of all) pages++;
    return { pages };
  } catch (error) {
    return { pages, error: (error as { code?: string }).code ?? String(error) };
  }
}

describe('paginate: when a list is complete', () => {
  it('follows tokens until a page has none (APIs without a truncation flag)', async () => {
    expect(await walk([{ token: '1' }, { token: '2' }, { token: undefined }])).toEqual({ pages: 3 });
  });

  it('stops at a page that says it is not truncated', async () => {
    expect(
      await walk([
        { token: '1', truncated: true },
        { token: '2', truncated: false },
      ]),
    ).toEqual({
      pages: 2,
    });
  });

  it('a truncated page without a token (absent or empty) is an error, not the end', async () => {
    expect(
      await walk([
        { token: '1', truncated: true },
        { token: undefined, truncated: true },
      ]),
    ).toEqual({
      pages: 2,
      error: 'PaginationTruncated',
    });
    expect(await walk([{ token: '', truncated: true }])).toEqual({ pages: 1, error: 'PaginationTruncated' });
  });

  it('a token seen before is an error', async () => {
    expect(await walk([{ token: '1' }, { token: '1' }])).toEqual({ pages: 2, error: 'PaginationLoop' });
  });
});
