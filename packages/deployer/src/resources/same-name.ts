// Resources AWS names by id, found again by their name (user pools, REST APIs):
// a name can match more than one when two runs raced through the create, or a
// run died between its create and the next read. Every module picks the same
// one, the oldest (ties by id), so `up`, `status` and `verify` agree.

export interface Named {
  id: string;
  created?: Date;
}

export function oldestFirst<T extends Named>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => {
    const ta = a.created?.getTime() ?? Number.MAX_SAFE_INTEGER;
    const tb = b.created?.getTime() ?? Number.MAX_SAFE_INTEGER;
    return ta - tb || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
}

/** The plan line for extra matches: kept by `up` (they may hold users or callers), removed by `destroy`. */
export function duplicatesDiff(kept: string, others: readonly string[]) {
  return {
    field: 'duplicates',
    from: [...others],
    to: `kept: ${kept}; \`model-deploy destroy\` deletes every one of the name`,
  };
}
