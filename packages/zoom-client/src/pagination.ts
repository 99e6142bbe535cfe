import { ZoomError } from './errors.js';

/** One page of a token-paginated list, able to fetch the next. */
export interface Page<Item, Response> {
  /** The page as the API returned it. */
  readonly response: Response;
  /** This page's items. */
  readonly items: Item[];
  hasNextPage(): boolean;
  /** The next page; rejects when there is none. */
  getNextPage(): Promise<Page<Item, Response>>;
}

/** Loads the page for a token (undefined: the first). */
export type PageFetcher<Item, Response> = (
  pageToken: string | undefined,
) => Promise<{ response: Response; items: Item[]; next: string | undefined }>;

class TokenPage<Item, Response> implements Page<Item, Response> {
  constructor(
    private readonly fetcher: PageFetcher<Item, Response>,
    readonly response: Response,
    readonly items: Item[],
    private readonly next: string | undefined,
    private readonly seen: ReadonlySet<string>,
  ) {}

  hasNextPage(): boolean {
    return this.next !== undefined && this.next !== '';
  }

  async getNextPage(): Promise<Page<Item, Response>> {
    const next = this.next;
    if (next === undefined || next === '') throw new ZoomError('No next page.');
    if (this.seen.has(next)) {
      throw new ZoomError('The API returned a page token it had already returned: stopping to avoid a loop.');
    }
    return loadPage(this.fetcher, next, new Set([...this.seen, next]));
  }
}

async function loadPage<Item, Response>(
  fetcher: PageFetcher<Item, Response>,
  token: string | undefined,
  seen: ReadonlySet<string>,
): Promise<Page<Item, Response>> {
  const { response, items, next } = await fetcher(token);
  return new TokenPage(fetcher, response, items, next, seen);
}

/**
 * The promise of a list's first page that is also an async iterator over every item of
 * every page:
 *
 * ```ts
 * const first = await zoom.users.list({ page_size: 300 });  // one page
 * for await (const user of zoom.users.list()) { ... }       // all users, page after page
 * ```
 */
export class PagePromise<Item, Response> implements PromiseLike<Page<Item, Response>>, AsyncIterable<Item> {
  #first: Promise<Page<Item, Response>> | undefined;

  constructor(
    private readonly fetcher: PageFetcher<Item, Response>,
    private readonly firstToken: string | undefined,
  ) {}

  /** The first page is requested once, on the first `then` or iteration. */
  private first(): Promise<Page<Item, Response>> {
    this.#first ??= loadPage(
      this.fetcher,
      this.firstToken,
      new Set(this.firstToken ? [this.firstToken] : []),
    );
    return this.#first;
  }

  // biome-ignore lint/suspicious/noThenProperty: a PagePromise is awaited like a promise on purpose.
  then<A = Page<Item, Response>, B = never>(
    onfulfilled?: ((value: Page<Item, Response>) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.first().then(onfulfilled, onrejected);
  }

  catch<B = never>(
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<Page<Item, Response> | B> {
    return this.first().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<Page<Item, Response>> {
    return this.first().finally(onfinally);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Item> {
    let page = await this.first();
    for (;;) {
      for (const item of page.items) yield item;
      if (!page.hasNextPage()) return;
      page = await page.getNextPage();
    }
  }
}
