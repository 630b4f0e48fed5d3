/**
 * Builds parameterised SQL piece by piece: values go into `params` and only their `$n`
 * placeholders into the text, so no value is ever interpolated.
 */

/** Collects parameters for one statement. */
export class SqlParams {
  readonly values: unknown[] = [];

  /** Adds a value and returns its placeholder (`$1`, `$2`, …). */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Turns `first + 1` fetched rows into a page of at most `first` items. */
export function toPage<T>(rows: T[], first: number): { items: T[]; hasNextPage: boolean } {
  return { items: rows.slice(0, first), hasNextPage: rows.length > first };
}

/** Orders `rows` like `ids` (undefined where a row is absent): the DataLoader contract. */
export function inKeyOrder<T extends { id: string }>(ids: readonly string[], rows: readonly T[]): (T | undefined)[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id));
}

/** Groups `rows` by `key` and returns one array per id of `ids`, in order. */
export function groupedInKeyOrder<T>(ids: readonly string[], rows: readonly T[], key: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = groups.get(k);
    if (list) list.push(row);
    else groups.set(k, [row]);
  }
  return ids.map((id) => groups.get(id) ?? []);
}
