// The SDK's paginators (`paginateX` from each v3 client) behind one bound:
// a listing that never ends (a paginator bug, an emulator echoing the token)
// stops after MAX_PAGES pages instead of looping for ever.
export const MAX_PAGES = 50;

/** The first item any page yields, reading no further pages than needed. */
export async function findFirst<P, T>(
  pages: AsyncIterable<P>,
  pick: (page: P) => T | undefined,
): Promise<T | undefined> {
  let read = 0;
  for await (const page of pages) {
    const hit = pick(page);
    if (hit !== undefined) return hit;
    read += 1;
    if (read >= MAX_PAGES) break;
  }
  return undefined;
}

/** Every item of every page (up to MAX_PAGES pages). */
export async function collect<P, T>(
  pages: AsyncIterable<P>,
  items: (page: P) => readonly T[] | undefined,
): Promise<T[]> {
  const all: T[] = [];
  let read = 0;
  for await (const page of pages) {
    all.push(...(items(page) ?? []));
    read += 1;
    if (read >= MAX_PAGES) break;
  }
  return all;
}
