/**
 * SQL of `hivegraph import`: batches of snapshot records inserted in one statement each
 * (`json_to_recordset` over a JSON array of the records as they are in the file), in file order,
 * so new `seq` values keep the source's order. Rows that collide with an existing id or
 * unique key are left out (`ON CONFLICT DO NOTHING`) and reported by what the insert returns.
 */
import type { Queryable } from '../types.ts';
import type { SnapshotColumn, SnapshotColumnType, SnapshotTable } from './snapshot-tables.ts';

/** How a field is declared in `json_to_recordset(...) AS (...)`. */
const RECORD_TYPES: Record<SnapshotColumnType, string> = {
  uuid: 'uuid',
  text: 'text',
  int: 'integer',
  real: 'real',
  bool: 'boolean',
  timestamptz: 'timestamptz',
  json: 'text',
  jsonb: 'text',
  'text[]': 'text[]',
  'uuid[]': 'uuid[]',
  // Parsed by pgvector from the array's JSON text (faster than through real[]).
  vector: 'json',
};

const sqlCache = new Map<string, string>();

/** Target columns and value expressions of one field. */
function insertParts(c: SnapshotColumn): { targets: string[]; values: string[] } {
  const f = `r."${c.field}"`;
  switch (c.type) {
    case 'json':
      return { targets: [c.column], values: [`${f}::json`] };
    case 'jsonb':
      return { targets: [c.column], values: [`${f}::jsonb`] };
    case 'vector':
      // $2: the id of the registered model the vectors belong to; null drops them.
      return {
        targets: [c.column, 'embedding_model_id'],
        values: [
          `CASE WHEN $2::smallint IS NOT NULL THEN ${f}::text::vector END`,
          `CASE WHEN $2::smallint IS NOT NULL AND ${f} IS NOT NULL THEN $2::smallint END`,
        ],
      };
    default:
      // A field a file of an older format lacks (NULL from json_to_recordset) takes its fallback.
      return { targets: [c.column], values: [c.fallback ? `coalesce(${f}, ${c.fallback})` : f] };
  }
}

/** The batch INSERT of a table (built once from its description; no value is ever interpolated). */
function insertSql(table: SnapshotTable): string {
  const cached = sqlCache.get(table.type);
  if (cached) return cached;
  const targets: string[] = [];
  const values: string[] = [];
  for (const c of table.columns) {
    const parts = insertParts(c);
    targets.push(...parts.targets);
    values.push(...parts.values);
  }
  const definitions = table.columns.map((c) => `"${c.field}" ${RECORD_TYPES[c.type]}`).join(', ');
  const names = table.columns.map((c) => `"${c.field}"`).join(', ');
  const returning = table.key
    .map((field) => `${table.columns.find((c) => c.field === field)!.column}::text AS "${field}"`)
    .join(', ');
  // One parse of the whole array; WITH ORDINALITY keeps the file's order for the new seq values.
  const sql = `INSERT INTO ${table.table} (${targets.join(', ')})
    SELECT ${values.join(', ')}
    FROM ROWS FROM (json_to_recordset($1::json) AS (${definitions})) WITH ORDINALITY AS r(${names}, ord)
    ORDER BY r.ord
    ON CONFLICT DO NOTHING
    RETURNING ${returning}`;
  sqlCache.set(table.type, sql);
  return sql;
}

/**
 * Inserts records (`recordsJson`: a JSON array of file records) in array order; rows that
 * collide with an existing id or unique key are skipped. Returns the keys of the inserted
 * rows (the table's key fields joined by `|`).
 * @param embeddingModelId for artifacts: the registered model the carried vectors belong to, or null to drop them
 */
export async function insertSnapshotRecords(
  q: Queryable,
  table: SnapshotTable,
  recordsJson: string,
  embeddingModelId: number | null = null,
): Promise<Set<string>> {
  const vectors = table.columns.some((c) => c.type === 'vector');
  const { rows } = await q.query<Record<string, string>>(insertSql(table), vectors ? [recordsJson, embeddingModelId] : [recordsJson]);
  return new Set(rows.map((row) => table.key.map((field) => row[field]).join('|')));
}

/** Which of `ids` exist in a table with an `id` column. */
export async function existingSnapshotIds(q: Queryable, table: SnapshotTable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await q.query<{ id: string }>(`SELECT id::text AS id FROM ${table.table} WHERE id = ANY($1::uuid[])`, [ids]);
  return new Set(rows.map((r) => r.id));
}

/**
 * Forgets the graph epochs of orgs (after an import changed them), so every server whose
 * graph store is a projection (FalkorDB) rebuilds those orgs' graphs when it next verifies.
 */
export async function forgetGraphEpochs(q: Queryable, orgIds: readonly string[]): Promise<void> {
  if (orgIds.length === 0) return;
  await q.query('DELETE FROM graph_epochs WHERE org_id = ANY($1::uuid[])', [orgIds]);
}

/** Rows per table a snapshot carries (tests and reports compare installations with it). */
export async function countSnapshotRows(q: Queryable, tables: readonly SnapshotTable[]): Promise<Record<string, number>> {
  const { rows } = await q.query<Record<string, number>>(
    `SELECT ${tables.map((t) => `(SELECT count(*) FROM ${t.table}) AS "${t.type}"`).join(', ')}`,
  );
  return rows[0] ?? {};
}
