/**
 * SQL for relationships and the graph outbox. Relationship reads apply the caller's
 * visibility to the artifact at the other end, so a relationship to an invisible artifact
 * is never listed.
 */
import type { Direction, RelationshipRecord, Visibility } from '../records.ts';
import type { Queryable } from '../types.ts';
import { SqlParams } from './sql-params.ts';
import { visibleArtifactSql, type VisibilityViewer } from './visibility.sql.ts';

const COLUMNS = (r: string) => `${r}.id, ${r}.org_id AS "orgId", ${r}.seq, ${r}.from_id AS "fromId", ${r}.to_id AS "toId",
  ${r}.type, ${r}.properties, ${r}.created_by AS "createdBy", ${r}.created_at AS "createdAt"`;

/** Inserts a relationship; the same (from, to, type) twice raises ConflictError. */
export async function insertRelationship(
  q: Queryable,
  r: { orgId: string; fromId: string; toId: string; type: string; propertiesJson: string; createdBy: string },
): Promise<RelationshipRecord> {
  const { rows } = await q.query<RelationshipRecord>(
    `INSERT INTO relationships AS r (org_id, from_id, to_id, type, properties, created_by)
     VALUES ($1, $2, $3, $4, $5::json, $6) RETURNING ${COLUMNS('r')}`,
    [r.orgId, r.fromId, r.toId, r.type, r.propertiesJson, r.createdBy],
  );
  return rows[0]!;
}

/** Inserts a relationship unless the same (from, to, type) exists; returns it when inserted. */
export async function insertRelationshipIfAbsent(
  q: Queryable,
  r: { orgId: string; fromId: string; toId: string; type: string; propertiesJson: string; createdBy: string },
): Promise<RelationshipRecord | undefined> {
  const { rows } = await q.query<RelationshipRecord>(
    `INSERT INTO relationships AS r (org_id, from_id, to_id, type, properties, created_by)
     VALUES ($1, $2, $3, $4, $5::json, $6) ON CONFLICT DO NOTHING RETURNING ${COLUMNS('r')}`,
    [r.orgId, r.fromId, r.toId, r.type, r.propertiesJson, r.createdBy],
  );
  return rows[0];
}

/** A relationship of one org by id, locked for a write. */
export async function lockRelationship(q: Queryable, orgId: string, id: string): Promise<RelationshipRecord | undefined> {
  const { rows } = await q.query<RelationshipRecord>(`SELECT ${COLUMNS('r')} FROM relationships r WHERE r.org_id = $1 AND r.id = $2 FOR UPDATE`, [
    orgId,
    id,
  ]);
  return rows[0];
}

/** Deletes a relationship. */
export async function deleteRelationship(q: Queryable, id: string): Promise<void> {
  await q.query('DELETE FROM relationships WHERE id = $1', [id]);
}

/**
 * Relationships of an org by id, **no visibility applied**: for the events feed, which decides
 * per subscriber in memory from both ends (src/services/event-visibility.ts). One statement.
 */
export async function getOrgRelationshipsByIds(q: Queryable, orgId: string, ids: readonly string[]): Promise<RelationshipRecord[]> {
  const { rows } = await q.query<RelationshipRecord>(`SELECT ${COLUMNS('r')} FROM relationships r WHERE r.org_id = $1 AND r.id = ANY($2::uuid[])`, [orgId, ids]);
  return rows;
}

/** Relationships by id whose both ends the viewer can see, in key order. */
export async function getVisibleRelationshipsByIds(
  q: Queryable,
  viewer: VisibilityViewer,
  ids: readonly string[],
): Promise<(RelationshipRecord | undefined)[]> {
  const p = new SqlParams();
  const idsParam = p.add(ids);
  const { rows } = await q.query<RelationshipRecord>(
    `SELECT ${COLUMNS('r')} FROM relationships r
     JOIN artifacts f ON f.id = r.from_id JOIN artifacts t ON t.id = r.to_id
     WHERE r.id = ANY(${idsParam}::uuid[]) AND ${visibleArtifactSql('f', p, viewer)} AND ${visibleArtifactSql('t', p, viewer)}`,
    p.values,
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id));
}

/**
 * Relationships of several (visible) artifacts, newest first, `first + 1` per artifact, whose
 * other end the viewer can see. One statement for all artifacts.
 */
export async function listRelationshipsOf(
  q: Queryable,
  viewer: VisibilityViewer,
  artifactIds: readonly string[],
  options: { types?: readonly string[] | null; direction: Direction; first: number; afterSeq?: number | undefined },
): Promise<RelationshipRecord[][]> {
  const p = new SqlParams();
  const ids = p.add(artifactIds);
  const types = options.types?.length ? p.add(options.types) : undefined;
  const after = options.afterSeq === undefined ? undefined : p.add(options.afterSeq);
  const legs: string[] = [];
  const leg = (anchor: 'from_id' | 'to_id', other: 'from_id' | 'to_id') => {
    const where = [`r.${anchor} = ANY(${ids}::uuid[])`, visibleArtifactSql('o', p, viewer)];
    if (types) where.push(`r.type = ANY(${types}::text[])`);
    if (after) where.push(`r.seq < ${after}`);
    // A self-loop appears once under BOTH.
    if (anchor === 'to_id' && options.direction === 'BOTH') where.push('r.from_id <> r.to_id');
    legs.push(`SELECT r.${anchor} AS anchor, ${COLUMNS('r')} FROM relationships r JOIN artifacts o ON o.id = r.${other} WHERE ${where.join(' AND ')}`);
  };
  if (options.direction !== 'IN') leg('from_id', 'to_id');
  if (options.direction !== 'OUT') leg('to_id', 'from_id');
  const { rows } = await q.query<RelationshipRecord & { anchor: string; rn: number }>(
    `SELECT * FROM (
       SELECT x.*, row_number() OVER (PARTITION BY x.anchor ORDER BY x.seq DESC) AS rn FROM (${legs.join(' UNION ALL ')}) x
     ) y WHERE rn <= ${p.add(options.first + 1)} ORDER BY anchor, seq DESC`,
    p.values,
  );
  const byAnchor = new Map<string, RelationshipRecord[]>();
  for (const { anchor, rn: _rn, ...record } of rows) byAnchor.set(anchor, [...(byAnchor.get(anchor) ?? []), record]);
  return artifactIds.map((id) => byAnchor.get(id) ?? []);
}

/** Records that an artifact node or relationship edge must be (re)projected. */
export async function enqueueGraphChange(q: Queryable, orgId: string, entity: 'artifact' | 'relationship', entityId: string): Promise<void> {
  await q.query('INSERT INTO graph_outbox (org_id, entity, entity_id) VALUES ($1, $2, $3)', [orgId, entity, entityId]);
}

/** An outbox row. */
export interface OutboxRow {
  seq: number;
  orgId: string;
  entity: 'artifact' | 'relationship';
  entityId: string;
}

/** Claims the oldest outbox rows (skipping rows another projector holds) until the transaction ends. */
export async function claimOutbox(q: Queryable, limit: number): Promise<OutboxRow[]> {
  const { rows } = await q.query<OutboxRow>(
    `SELECT seq, org_id AS "orgId", entity, entity_id AS "entityId" FROM graph_outbox ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows;
}

/** Removes applied outbox rows. */
export async function deleteOutboxRows(q: Queryable, seqs: readonly number[]): Promise<void> {
  await q.query('DELETE FROM graph_outbox WHERE seq = ANY($1::bigint[])', [seqs]);
}

/** Outbox rows not yet applied (the projection lag). */
export async function outboxLag(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ n: number }>('SELECT count(*) AS n FROM graph_outbox');
  return rows[0]?.n ?? 0;
}

/** What the graph keeps of an artifact: enough to filter traversal by visibility. */
export interface NodeState {
  id: string;
  orgId: string;
  visibility: Visibility;
  ownerId: string;
  groupIds: string[];
  deleted: boolean;
}

/** What the graph keeps of a relationship. */
export interface EdgeState {
  id: string;
  orgId: string;
  fromId: string;
  toId: string;
  type: string;
}

const NODE_STATE_SQL = `SELECT a.id, a.org_id AS "orgId", a.visibility, a.owner_id AS "ownerId", a.deleted_at IS NOT NULL AS deleted,
  coalesce((SELECT array_agg(s.group_id::text ORDER BY s.group_id) FROM artifact_shares s WHERE s.artifact_id = a.id), '{}') AS "groupIds"
  FROM artifacts a`;

/** Current node state of artifacts (absent ids are skipped). */
export async function getNodeStates(q: Queryable, ids: readonly string[]): Promise<NodeState[]> {
  const { rows } = await q.query<NodeState>(`${NODE_STATE_SQL} WHERE a.id = ANY($1::uuid[])`, [ids]);
  return rows;
}

/** Current edge state of relationships (deleted ones are absent). */
export async function getEdgeStates(q: Queryable, ids: readonly string[]): Promise<EdgeState[]> {
  const { rows } = await q.query<EdgeState>(
    `SELECT id, org_id AS "orgId", from_id AS "fromId", to_id AS "toId", type FROM relationships WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return rows;
}

/** One batch of an org's nodes in insertion order, after sequence `afterSeq` (resync). */
export async function pageNodeStates(q: Queryable, orgId: string, afterSeq: number, limit: number): Promise<(NodeState & { seq: number })[]> {
  const { rows } = await q.query<NodeState & { seq: number }>(
    `${NODE_STATE_SQL.replace('FROM artifacts a', ', a.seq FROM artifacts a')} WHERE a.org_id = $1 AND a.seq > $2 ORDER BY a.seq LIMIT $3`,
    [orgId, afterSeq, limit],
  );
  return rows;
}

/** One batch of an org's relationships in insertion order (resync). */
export async function pageEdgeStates(q: Queryable, orgId: string, afterSeq: number, limit: number): Promise<(EdgeState & { seq: number })[]> {
  const { rows } = await q.query<EdgeState & { seq: number }>(
    `SELECT id, org_id AS "orgId", from_id AS "fromId", to_id AS "toId", type, seq FROM relationships
     WHERE org_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [orgId, afterSeq, limit],
  );
  return rows;
}

/** Orgs with their artifact and relationship counts (resync planning and progress). */
export async function orgGraphSizes(q: Queryable): Promise<{ orgId: string; name: string; nodes: number; edges: number }[]> {
  const { rows } = await q.query<{ orgId: string; name: string; nodes: number; edges: number }>(
    `SELECT o.id AS "orgId", o.name,
       (SELECT count(*) FROM artifacts a WHERE a.org_id = o.id) AS nodes,
       (SELECT count(*) FROM relationships r WHERE r.org_id = o.id) AS edges
     FROM orgs o ORDER BY o.name`,
  );
  return rows;
}
