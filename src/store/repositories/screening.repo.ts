/**
 * The screening an artifact carries from the contribution it was approved from: that
 * contribution's injection score and flags, read without the contribution's own visibility
 * (the reader of the artifact may not read the contribution, but must see how it screened).
 */
import type { Queryable } from '../types.ts';
import { inKeyOrder } from './sql-params.ts';

/** The flag set on a contribution that was QUARANTINED when submitted; it stays after approval. */
export const QUARANTINED_FLAG = 'quarantined';

/** A contribution's screening result. */
export interface ScreeningRecord {
  /** The contribution's id. */
  id: string;
  injectionScore: number;
  flags: string[];
}

/** Screening of contributions by id, in key order (undefined for an unknown id). */
export async function getScreeningsByContributionIds(q: Queryable, ids: readonly string[]): Promise<(ScreeningRecord | undefined)[]> {
  const { rows } = await q.query<ScreeningRecord>(
    `SELECT c.id, c.injection_score AS "injectionScore", c.flags FROM contributions c WHERE c.id = ANY($1::uuid[])`,
    [ids],
  );
  return inKeyOrder(ids, rows);
}

/** SQL condition for alias `a` (artifacts): not approved from a contribution that was quarantined. */
export function notFlaggedSql(a: string): string {
  return `NOT EXISTS (SELECT 1 FROM contributions fc WHERE fc.id = ${a}.contribution_id AND '${QUARANTINED_FLAG}' = ANY(fc.flags))`;
}
