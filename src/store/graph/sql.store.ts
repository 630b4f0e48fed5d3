/**
 * The embedded graph store: the GraphStore API answered with SQL over the relationship and
 * artifact rows themselves — nothing is projected, so it is always current. The default when
 * FALKORDB_URL is unset. Visibility uses the same SQL predicate as every other read.
 */
import { SqlParams } from '../repositories/sql-params.ts';
import { visibleArtifactSql } from '../repositories/visibility.sql.ts';
import type { ExpandedEdge, GraphStore, SqlClient } from '../types.ts';

/** Opens the embedded graph store over `sql`. */
export function openSqlGraphStore(sql: SqlClient): GraphStore {
  const store: GraphStore = {
    backend: 'sql',
    projected: false,

    async expand(orgId, frontier, options) {
      if (frontier.length === 0) return [];
      const p = new SqlParams();
      const ids = p.add(frontier);
      const org = p.add(orgId);
      const types = options.types?.length ? p.add(options.types) : undefined;
      // The one visibility predicate (role only matters for deleted artifacts, never traversed).
      const visible = (alias: string) => visibleArtifactSql(alias, p, { ...options.viewer, role: 'MEMBER' });
      const legs: string[] = [];
      const leg = (anchor: 'from_id' | 'to_id', other: 'from_id' | 'to_id') => {
        const where = [`r.org_id = ${org}`, `r.${anchor} = ANY(${ids}::uuid[])`, visible('b')];
        if (types) where.push(`r.type = ANY(${types}::text[])`);
        legs.push(
          `SELECT r.${anchor} AS "from", r.${other} AS "to", r.id AS "relationshipId"
           FROM relationships r JOIN artifacts b ON b.id = r.${other} WHERE ${where.join(' AND ')}`,
        );
      };
      if (options.direction !== 'IN') leg('from_id', 'to_id');
      if (options.direction !== 'OUT') leg('to_id', 'from_id');
      const { rows } = await sql.query<ExpandedEdge>(legs.join(' UNION ALL '), p.values);
      return rows;
    },

    async upsertNodes() {},
    async upsertEdges() {},
    async deleteEdges() {},
    async resetOrg() {},
    async readEpoch() {
      return 'embedded';
    },
    async writeEpoch() {},
    onReconnect() {
      return () => undefined;
    },

    async size(orgId) {
      const { rows } = await sql.query<{ nodes: number; edges: number }>(
        `SELECT (SELECT count(*) FROM artifacts WHERE org_id = $1) AS nodes, (SELECT count(*) FROM relationships WHERE org_id = $1) AS edges`,
        [orgId],
      );
      return rows[0] ?? { nodes: 0, edges: 0 };
    },

    async health() {
      const started = performance.now();
      try {
        await sql.query('WITH RECURSIVE walk(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM walk WHERE n < 2) SELECT count(*) FROM walk');
        return {
          status: 'up',
          backend: 'sql',
          latencyMs: Math.round((performance.now() - started) * 100) / 100,
          detail: `embedded graph store over ${sql.backend}`,
        };
      } catch (error) {
        return { status: 'down', backend: 'sql', detail: error instanceof Error ? error.message : String(error) };
      }
    },
    async close() {
      // Owns no connection: the SQL client is closed by its owner.
    },
  };
  return store;
}
