/** SQL for collections. All reads are scoped to one org. */
import type { CollectionRecord, Page } from '../records.ts';
import type { Queryable } from '../types.ts';
import { inKeyOrder, toPage } from './sql-params.ts';

const COLUMNS = 'c.id, c.org_id AS "orgId", c.seq, c.name, c.description, c.created_by AS "createdBy", c.created_at AS "createdAt"';

/** Inserts a collection; a taken name in the org raises ConflictError. */
export async function insertCollection(
  q: Queryable,
  c: { orgId: string; name: string; description: string | null; createdBy: string },
): Promise<CollectionRecord> {
  const { rows } = await q.query<CollectionRecord>(
    `INSERT INTO collections AS c (org_id, name, description, created_by) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
    [c.orgId, c.name, c.description, c.createdBy],
  );
  return rows[0]!;
}

/** Collections of one org by id, in key order. */
export async function getCollectionsByIds(q: Queryable, orgId: string, ids: readonly string[]): Promise<(CollectionRecord | undefined)[]> {
  const { rows } = await q.query<CollectionRecord>(`SELECT ${COLUMNS} FROM collections c WHERE c.org_id = $1 AND c.id = ANY($2::uuid[])`, [
    orgId,
    ids,
  ]);
  return inKeyOrder(ids, rows);
}

/** Collections of one org, by creation. */
export async function listCollections(
  q: Queryable,
  orgId: string,
  page: { first: number; afterSeq?: number | undefined },
): Promise<Page<CollectionRecord>> {
  const { rows } = await q.query<CollectionRecord>(
    `SELECT ${COLUMNS} FROM collections c WHERE c.org_id = $1 AND ($2::bigint IS NULL OR c.seq > $2::bigint) ORDER BY c.seq LIMIT $3`,
    [orgId, page.afterSeq ?? null, page.first + 1],
  );
  return toPage(rows, page.first);
}
