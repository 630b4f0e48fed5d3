/**
 * SQL for artifacts, their shares and revisions. Reads take the viewer and apply
 * {@link visibleArtifactSql} inside the statement.
 */
import type { ArtifactRecord, ArtifactRevisionRecord, ChangeKind, Page, Visibility } from '../records.ts';
import type { Queryable } from '../types.ts';
import { toVectorLiteral } from './embeddings.repo.ts';
import { groupedInKeyOrder, inKeyOrder, SqlParams, toPage } from './sql-params.ts';
import { visibleArtifactSql, type VisibilityViewer } from './visibility.sql.ts';
import { notFlaggedSql } from './screening.repo.ts';

/** Columns of an artifact row, aliased to {@link ArtifactRecord} fields. */
export const ARTIFACT_COLUMNS = (a: string) => `${a}.id, ${a}.org_id AS "orgId", ${a}.seq, ${a}.owner_id AS "ownerId",
  ${a}.collection_id AS "collectionId", ${a}.name, ${a}.kind, ${a}.title, ${a}.content,
  ${a}.content_digest AS "contentDigest", ${a}.size_bytes AS "sizeBytes", ${a}.metadata, ${a}.tags, ${a}.codebase,
  ${a}.visibility, ${a}.visibility_source AS "visibilitySource", ${a}.sharing_rule_id AS "sharingRuleId", ${a}.revision, ${a}.source_agent_id AS "sourceAgentId", ${a}.mcp_client_id AS "mcpClientId",
  ${a}.session_id AS "sessionId", ${a}.contribution_id AS "contributionId", ${a}.run_id AS "runId",
  ${a}.created_at AS "createdAt", ${a}.updated_at AS "updatedAt", ${a}.deleted_at AS "deletedAt"`;

const REVISION_COLUMNS = `artifact_id AS "artifactId", revision, change, content_digest AS "contentDigest",
  previous_digest AS "previousDigest", name, title, content, metadata, tags, codebase,
  visibility_source AS "visibilitySource", sharing_rule_id AS "sharingRuleId", changed_by AS "changedBy", changed_at AS "changedAt"`;

/** Filters of `artifacts(filter:)`; every field narrows the result. */
export interface ArtifactFilterValues {
  kinds?: readonly string[] | null;
  /** All must be present. */
  tags?: readonly string[] | null;
  codebase?: string | null;
  collectionId?: string | null;
  ownerId?: string | null;
  visibility?: Visibility | null;
  /** JSON containment (`metadata @> value`). */
  metadata?: Record<string, unknown> | null;
  contentDigest?: string | null;
  name?: string | null;
  includeDeleted?: boolean | null;
  /** Leave out artifacts approved from a contribution that was QUARANTINED. */
  excludeFlagged?: boolean | null;
}

/** Appends the filter's conditions for alias `a` to `where`. */
export function artifactFilterSql(a: string, p: SqlParams, filter: ArtifactFilterValues, where: string[]): void {
  if (filter.kinds?.length) where.push(`${a}.kind = ANY(${p.add(filter.kinds)}::text[])`);
  if (filter.tags?.length) where.push(`${a}.tags @> ${p.add(filter.tags)}::text[]`);
  if (filter.codebase != null) where.push(`${a}.codebase = ${p.add(filter.codebase)}`);
  if (filter.collectionId != null) where.push(`${a}.collection_id = ${p.add(filter.collectionId)}::uuid`);
  if (filter.ownerId != null) where.push(`${a}.owner_id = ${p.add(filter.ownerId)}::uuid`);
  if (filter.visibility != null) where.push(`${a}.visibility = ${p.add(filter.visibility)}`);
  if (filter.metadata != null) where.push(`${a}.metadata_index @> ${p.add(JSON.stringify(filter.metadata))}::jsonb`);
  if (filter.contentDigest != null) where.push(`${a}.content_digest = ${p.add(filter.contentDigest)}`);
  if (filter.name != null) where.push(`${a}.name = ${p.add(filter.name)}`);
  if (filter.excludeFlagged === true) where.push(notFlaggedSql(a));
}

/** One page of visible artifacts, newest first, after the artifact with sequence `afterSeq`. */
export async function listArtifacts(
  q: Queryable,
  viewer: VisibilityViewer,
  filter: ArtifactFilterValues,
  page: { first: number; afterSeq?: number | undefined },
): Promise<Page<ArtifactRecord>> {
  const p = new SqlParams();
  const where = [visibleArtifactSql('a', p, viewer, filter.includeDeleted === true)];
  artifactFilterSql('a', p, filter, where);
  if (page.afterSeq !== undefined) where.push(`a.seq < ${p.add(page.afterSeq)}`);
  const { rows } = await q.query<ArtifactRecord>(
    `SELECT ${ARTIFACT_COLUMNS('a')} FROM artifacts a WHERE ${where.join(' AND ')} ORDER BY a.seq DESC LIMIT ${p.add(page.first + 1)}`,
    p.values,
  );
  return toPage(rows, page.first);
}

/** Visible artifacts by id, in key order (undefined where absent or invisible). One statement. */
export async function getArtifactsByIds(
  q: Queryable,
  viewer: VisibilityViewer,
  ids: readonly string[],
  includeDeleted = false,
): Promise<(ArtifactRecord | undefined)[]> {
  const p = new SqlParams();
  const idsParam = p.add(ids);
  const { rows } = await q.query<ArtifactRecord>(
    `SELECT ${ARTIFACT_COLUMNS('a')} FROM artifacts a WHERE a.id = ANY(${idsParam}::uuid[]) AND ${visibleArtifactSql('a', p, viewer, includeDeleted)}`,
    p.values,
  );
  return inKeyOrder(ids, rows);
}

/**
 * Artifacts by id with the group ids each is shared with, deleted ones included and **no
 * visibility applied**: for the events feed, which reads an event's subjects once and decides
 * per subscriber in memory (src/services/event-visibility.ts). One statement.
 */
export async function getArtifactsWithSharesByIds(q: Queryable, ids: readonly string[]): Promise<{ artifact: ArtifactRecord; groupIds: string[] }[]> {
  const { rows } = await q.query<ArtifactRecord & { shareGroupIds: string[] }>(
    `SELECT ${ARTIFACT_COLUMNS('a')},
       (SELECT coalesce(array_agg(s.group_id), '{}') FROM artifact_shares s WHERE s.artifact_id = a.id) AS "shareGroupIds"
     FROM artifacts a WHERE a.id = ANY($1::uuid[])`,
    [ids],
  );
  return rows.map(({ shareGroupIds, ...artifact }) => ({ artifact, groupIds: shareGroupIds ?? [] }));
}

/**
 * Locks a visible artifact for a write (`FOR UPDATE`), so concurrent writers queue and see
 * each other's result. `deleted` selects live (false) or deleted (true) artifacts.
 * `metadataText` is the stored JSON text, to carry forward unchanged.
 */
export async function lockVisibleArtifact(
  q: Queryable,
  viewer: VisibilityViewer,
  id: string,
  deleted: boolean,
): Promise<(ArtifactRecord & { metadataText: string }) | undefined> {
  const p = new SqlParams();
  const idParam = p.add(id);
  const { rows } = await q.query<ArtifactRecord & { metadataText: string }>(
    `SELECT ${ARTIFACT_COLUMNS('a')}, a.metadata::text AS "metadataText" FROM artifacts a
     WHERE a.id = ${idParam}::uuid AND a.deleted_at IS ${deleted ? 'NOT ' : ''}NULL AND ${visibleArtifactSql('a', p, viewer, true)}
     FOR UPDATE OF a`,
    p.values,
  );
  return rows[0];
}

/**
 * Values of a new artifact: the record's fields less what the database assigns, with the
 * metadata as its JSON text (`metadataJson`), kept as the client sent it.
 */
export type NewArtifact = Omit<ArtifactRecord, 'id' | 'seq' | 'metadata' | 'revision' | 'createdAt' | 'updatedAt' | 'deletedAt'> & {
  metadataJson: string;
  /** The vector of title + content and the registered model that made it (null: none yet). */
  embedding: StoredEmbedding | null;
};

/** A vector with the id of the model (embedding_models) that made it. */
export interface StoredEmbedding {
  vector: Float32Array;
  modelId: number;
}

/** Inserts an artifact at revision 1. */
export async function insertArtifact(q: Queryable, a: NewArtifact): Promise<ArtifactRecord> {
  const { rows } = await q.query<ArtifactRecord>(
    `INSERT INTO artifacts AS a (org_id, owner_id, collection_id, name, kind, title, content, content_digest, size_bytes,
       metadata, tags, codebase, visibility, source_agent_id, mcp_client_id, session_id, contribution_id, run_id,
       embedding, embedding_model_id, visibility_source, sharing_rule_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::json, $11, $12, $13, $14, $15, $16, $17, $18, $19::vector, $20, $21, $22)
     RETURNING ${ARTIFACT_COLUMNS('a')}`,
    [
      a.orgId, a.ownerId, a.collectionId, a.name, a.kind, a.title, a.content, a.contentDigest, a.sizeBytes,
      a.metadataJson, a.tags, a.codebase, a.visibility, a.sourceAgentId, a.mcpClientId, a.sessionId, a.contributionId, a.runId,
      a.embedding ? toVectorLiteral(a.embedding.vector) : null, a.embedding?.modelId ?? null, a.visibilitySource, a.sharingRuleId,
    ],
  );
  return rows[0]!;
}

/**
 * The editable part of an artifact after an update; `embedding` undefined keeps the stored
 * vector (title and content unchanged), null clears it (no embedder in this process).
 */
export type ArtifactContentValues = Pick<
  NewArtifact,
  'name' | 'title' | 'content' | 'contentDigest' | 'sizeBytes' | 'metadataJson' | 'tags' | 'codebase'
> & { embedding?: StoredEmbedding | null | undefined };

/** Writes new content and bumps the revision of a locked artifact. */
export async function updateArtifactContent(q: Queryable, id: string, v: ArtifactContentValues): Promise<ArtifactRecord> {
  const vector = v.embedding !== undefined ? `, embedding = $10::vector, embedding_model_id = $11` : '';
  const { rows } = await q.query<ArtifactRecord>(
    `UPDATE artifacts AS a SET name = $2, title = $3, content = $4, content_digest = $5, size_bytes = $6,
       metadata = $7::json, tags = $8, codebase = $9, revision = a.revision + 1, updated_at = now()${vector}
     WHERE a.id = $1 RETURNING ${ARTIFACT_COLUMNS('a')}`,
    [
      id, v.name, v.title, v.content, v.contentDigest, v.sizeBytes, v.metadataJson, v.tags, v.codebase,
      ...(v.embedding !== undefined ? [v.embedding ? toVectorLiteral(v.embedding.vector) : null, v.embedding?.modelId ?? null] : []),
    ],
  );
  return rows[0]!;
}

/** Soft-deletes (`deleted` true) or restores a locked artifact, bumping its revision. */
export async function setArtifactDeleted(q: Queryable, id: string, deleted: boolean): Promise<ArtifactRecord> {
  const { rows } = await q.query<ArtifactRecord>(
    `UPDATE artifacts AS a SET deleted_at = ${deleted ? 'now()' : 'NULL'}, revision = a.revision + 1, updated_at = now()
     WHERE a.id = $1 RETURNING ${ARTIFACT_COLUMNS('a')}`,
    [id],
  );
  return rows[0]!;
}

/** Sets visibility (now EXPLICIT: the caller chose it) and replaces the shared groups of a locked artifact. */
export async function setArtifactSharing(
  q: Queryable,
  orgId: string,
  id: string,
  visibility: Visibility,
  groupIds: readonly string[],
): Promise<ArtifactRecord> {
  await q.query('DELETE FROM artifact_shares WHERE artifact_id = $1', [id]);
  await insertShares(q, orgId, id, groupIds);
  const { rows } = await q.query<ArtifactRecord>(
    `UPDATE artifacts AS a SET visibility = $2, visibility_source = 'EXPLICIT', sharing_rule_id = NULL, updated_at = now() WHERE a.id = $1 RETURNING ${ARTIFACT_COLUMNS('a')}`,
    [id, visibility],
  );
  return rows[0]!;
}

/** Shares an artifact with groups (same org, enforced by foreign keys). */
export async function insertShares(q: Queryable, orgId: string, artifactId: string, groupIds: readonly string[]): Promise<void> {
  if (groupIds.length === 0) return;
  await q.query(
    `INSERT INTO artifact_shares (org_id, artifact_id, group_id) SELECT $1, $2, g FROM unnest($3::uuid[]) AS g ON CONFLICT DO NOTHING`,
    [orgId, artifactId, groupIds],
  );
}

/** Moves locked artifacts into a collection (or out of any, with null). */
export async function setArtifactsCollection(q: Queryable, orgId: string, ids: readonly string[], collectionId: string | null): Promise<void> {
  await q.query('UPDATE artifacts SET collection_id = $3, updated_at = now() WHERE org_id = $1 AND id = ANY($2::uuid[])', [
    orgId,
    ids,
    collectionId,
  ]);
}

/** The group ids each artifact is shared with, in key order. One statement. */
export async function getShareGroupIds(q: Queryable, artifactIds: readonly string[]): Promise<string[][]> {
  const { rows } = await q.query<{ artifactId: string; groupId: string }>(
    `SELECT artifact_id AS "artifactId", group_id AS "groupId" FROM artifact_shares WHERE artifact_id = ANY($1::uuid[]) ORDER BY group_id`,
    [artifactIds],
  );
  return groupedInKeyOrder(artifactIds, rows, (r) => r.artifactId).map((list) => list.map((r) => r.groupId));
}

/**
 * Appends a revision row. A CREATED revision records how the artifact's visibility was
 * decided (its `visibilitySource` and `sharingRuleId`); other changes record neither.
 */
export async function insertRevision(
  q: Queryable,
  r: { orgId: string; artifact: ArtifactRecord; change: ChangeKind; previousDigest: string | null; changedBy: string; metadataJson: string },
): Promise<void> {
  const a = r.artifact;
  const created = r.change === 'CREATED';
  await q.query(
    `INSERT INTO artifact_revisions (org_id, artifact_id, revision, change, content_digest, previous_digest, name, title,
       content, metadata, tags, codebase, changed_by, visibility_source, sharing_rule_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::json, $11, $12, $13, $14, $15)`,
    [
      r.orgId, a.id, a.revision, r.change, a.contentDigest, r.previousDigest, a.name, a.title, a.content, r.metadataJson, a.tags, a.codebase, r.changedBy,
      created ? a.visibilitySource : null, created ? a.sharingRuleId : null,
    ],
  );
}

/**
 * Revisions of several artifacts, newest first, at most `first` each (plus one, to tell
 * whether more exist), older than `beforeRevision` when given. One statement for all.
 */
export async function getRevisions(
  q: Queryable,
  artifactIds: readonly string[],
  page: { first: number; beforeRevision?: number | undefined },
): Promise<ArtifactRevisionRecord[][]> {
  const { rows } = await q.query<ArtifactRevisionRecord & { rn: number }>(
    `SELECT * FROM (
       SELECT ${REVISION_COLUMNS}, row_number() OVER (PARTITION BY artifact_id ORDER BY revision DESC) AS rn
       FROM artifact_revisions WHERE artifact_id = ANY($1::uuid[]) AND ($2::int IS NULL OR revision < $2::int)
     ) r WHERE rn <= $3 ORDER BY "artifactId", revision DESC`,
    [artifactIds, page.beforeRevision ?? null, page.first + 1],
  );
  return groupedInKeyOrder(artifactIds, rows, (r) => r.artifactId).map((list) => list.map(({ rn: _rn, ...rest }) => rest));
}
