/**
 * SQL of `hivegraph export`: one consistent read of everything a snapshot carries, as JSON
 * lines built by the database itself (`row_to_json`, so timestamps keep their microseconds
 * and `json` columns their exact text). Tables are read through cursors in pages, so memory
 * stays flat however large the installation is.
 */
import type { EmbeddingModelRecord } from '../records.ts';
import type { Queryable } from '../types.ts';
import type { SnapshotColumn, SnapshotTable } from './snapshot-tables.ts';

/** Rows fetched per round trip. */
const FETCH_ROWS = 1000;
/** Estimated bytes per page of a `seq`-ordered table (large contents make smaller pages). */
const PAGE_BYTES = 8 * 1024 * 1024;

/**
 * Starts the snapshot transaction: REPEATABLE READ and READ ONLY (one consistent view of
 * every table), timestamps rendered in UTC. Call first in a fresh transaction.
 */
export async function beginSnapshotRead(tx: Queryable): Promise<void> {
  await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
  await tx.query(`SET LOCAL TimeZone = 'UTC'`);
}

/** The newest migration applied (the schema the rows are in). */
export async function currentSchemaVersion(q: Queryable): Promise<string | undefined> {
  const { rows } = await q.query<{ version: string | null }>('SELECT max(version) AS version FROM hivegraph_migrations');
  return rows[0]?.version ?? undefined;
}

/** The model whose vectors a snapshot carries: the current one (ACTIVE, or being re-embedded to). */
export async function snapshotEmbeddingModel(q: Queryable): Promise<EmbeddingModelRecord | undefined> {
  const { rows } = await q.query<EmbeddingModelRecord>(
    `SELECT id, backend, model, dimension, digest, state, created_at AS "createdAt", activated_at AS "activatedAt"
     FROM embedding_models WHERE state <> 'RETIRED'`,
  );
  return rows[0];
}

/** The expression that writes one field. */
function exportExpression(c: SnapshotColumn): string {
  switch (c.type) {
    case 'json':
    case 'jsonb':
      return `t.${c.column}::text`;
    case 'vector':
      // The vector's text form is a JSON array of shortest round-trip float4 values.
      return `CASE WHEN t.embedding_model_id = $1::smallint THEN t.${c.column}::text::json END`;
    default:
      return `t.${c.column}`;
  }
}

/** `SELECT row_to_json(...)` of a table's records, in field order, `type` first. */
function linesSql(table: SnapshotTable): string {
  const fields = table.columns.map((c) => `${exportExpression(c)} AS "${c.field}"`).join(', ');
  return `SELECT row_to_json(x)::text AS line FROM ${table.table} t CROSS JOIN LATERAL (SELECT '${table.type}'::text AS type, ${fields}) x`;
}

/**
 * Streams a table's records as JSON lines, page by page, in a stable order: insertion order
 * for tables with `seq` (a cursor over ids, then each page's rows by id), else the table's key.
 * Must run inside the transaction {@link beginSnapshotRead} started.
 * @param embeddingModelId the model whose vectors to include (others are written as null)
 */
export async function* readSnapshotTable(
  tx: Queryable,
  table: SnapshotTable,
  embeddingModelId: number | null,
): AsyncGenerator<string[]> {
  const cursor = `hg_snapshot_${table.table}`;
  const close = () => tx.query(`CLOSE ${cursor}`).then(() => undefined, () => undefined);
  if (table.order.kind === 'key') {
    await tx.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${linesSql(table)} ORDER BY ${table.order.orderBy}`);
    try {
      for (;;) {
        const { rows } = await tx.query<{ line: string }>(`FETCH ${FETCH_ROWS} FROM ${cursor}`);
        if (rows.length === 0) return;
        yield rows.map((r) => r.line);
      }
    } finally {
      await close();
    }
  }
  const vectorParam = table.columns.some((c) => c.type === 'vector');
  const size = table.order.size ?? '0';
  await tx.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT t.id, (${size})::bigint AS size FROM ${table.table} t ORDER BY t.seq`);
  const byIds = `${linesSql(table)} WHERE t.id = ANY($${vectorParam ? 2 : 1}::uuid[]) ORDER BY t.seq`;
  try {
    for (;;) {
      const { rows } = await tx.query<{ id: string; size: number }>(`FETCH ${FETCH_ROWS} FROM ${cursor}`);
      if (rows.length === 0) return;
      let start = 0;
      let bytes = 0;
      for (let i = 0; i < rows.length; i++) {
        bytes += rows[i]!.size;
        if (bytes >= PAGE_BYTES || i === rows.length - 1) {
          const ids = rows.slice(start, i + 1).map((r) => r.id);
          const { rows: lines } = await tx.query<{ line: string }>(byIds, vectorParam ? [embeddingModelId, ids] : [ids]);
          yield lines.map((r) => r.line);
          start = i + 1;
          bytes = 0;
        }
      }
    }
  } finally {
    await close();
  }
}
