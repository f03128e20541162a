import { z } from 'zod';
import { PowerPlatformError, unexpectedResponse } from './power-platform-error.js';
import type { GetRequest, PowerPlatformHttp } from './power-platform-http.js';

/** BAP names its continuation `nextLink`; Dataverse, like any OData service, `@odata.nextLink`. */
export type NextLinkField = 'nextLink' | '@odata.nextLink';

/**
 * Every item of a paged collection, following the service's next link. A next link is followed only to the origin
 * of the first page (it carries Warden's token) and only once (a link that repeats would never end).
 */
export async function readAllPages<T>(
  http: PowerPlatformHttp,
  firstUrl: string,
  request: GetRequest,
  item: z.ZodType<T>,
  nextLinkField: NextLinkField,
): Promise<T[]> {
  const page = z.object({ value: z.array(item) });
  const origin = new URL(firstUrl).origin;
  const seen = new Set<string>();
  const items: T[] = [];
  let url: string | undefined = firstUrl;
  while (url !== undefined) {
    request.signal?.throwIfAborted();
    seen.add(new URL(url).href);
    const response = await http.getJson(url, request);
    const parsed = page.safeParse(response.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw unexpectedResponse(
        response.status,
        response.headers,
        `A page of ${new URL(firstUrl).pathname} is not shaped as documented: ${issue ? `${issue.path.join('.')}: ${issue.message}` : parsed.error.message}`,
      );
    }
    items.push(...parsed.data.value);
    const next = (response.body as Record<string, unknown>)[nextLinkField];
    url = typeof next === 'string' && next !== '' ? checkedNextLink(next, url, origin, seen) : undefined;
  }
  return items;
}

/** The next link as an absolute URL, if it is safe to follow. */
function checkedNextLink(next: string, current: string, origin: string, seen: ReadonlySet<string>): string {
  const absolute = URL.canParse(next, current) ? new URL(next, current) : undefined;
  if (absolute?.origin !== origin || seen.has(absolute.href)) {
    throw new PowerPlatformError(
      'server',
      200,
      'UnexpectedNextLink',
      `Not following the next link ${next}: it leaves ${origin} or repeats a page already read.`,
      undefined,
      undefined,
    );
  }
  return absolute.href;
}
