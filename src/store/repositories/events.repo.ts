/**
 * SQL for the events log: appending inside a write's transaction (with the org's event lock
 * and a NOTIFY delivered on commit), reading an org's events after a cursor together with
 * what visibility checks need, and retention.
 */
import type { EventRecord, EventSubject, EventType } from '../records.ts';
import type { Queryable } from '../types.ts';

/** The channel that carries `<orgId>:<cursor>` after each commit that appended events. */
export const EVENTS_CHANNEL = 'hivegraph_events';

/** First key of the per-org advisory lock that orders event cursors by commit. */
const EVENT_LOCK_CLASS = 7_240_516;

/** What one event is about; ids are raw (not global) ids. */
export interface NewEvent {
  orgId: string;
  type: EventType;
  actorId: string | null;
  artifactId?: string | null;
  relationshipId?: string | null;
  fromArtifactId?: string | null;
  toArtifactId?: string | null;
  contributionId?: string | null;
  runId?: string | null;
}

/**
 * Appends an event in the caller's transaction. Takes the org's event lock first (held to
 * commit), so cursors of one org become visible in increasing order; call it as the last
 * write of a transaction to keep the lock short. Subscribers are notified on commit.
 */
export async function appendEvent(tx: Queryable, e: NewEvent): Promise<number> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [EVENT_LOCK_CLASS, e.orgId]);
  const { rows } = await tx.query<{ cursor: number }>(
    `INSERT INTO events (org_id, type, actor_id, artifact_id, relationship_id, from_artifact_id, to_artifact_id, contribution_id, run_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING cursor`,
    [e.orgId, e.type, e.actorId, e.artifactId ?? null, e.relationshipId ?? null, e.fromArtifactId ?? null, e.toArtifactId ?? null, e.contributionId ?? null, e.runId ?? null],
  );
  const cursor = rows[0]!.cursor;
  await tx.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, `${e.orgId}:${cursor}`]);
  return cursor;
}

/**
 * An org's events after `afterCursor`, oldest first, each with the artifacts it concerns
 * (its artifact, or a relationship's two ends) as visibility needs them. One statement.
 */
export async function fetchEvents(
  q: Queryable,
  orgId: string,
  afterCursor: number,
  limit: number,
  types?: readonly EventType[] | null,
): Promise<EventRecord[]> {
  const { rows } = await q.query<EventRecord>(
    `SELECT e.cursor, e.org_id AS "orgId", e.type, e.actor_id AS "actorId", e.artifact_id AS "artifactId",
       e.relationship_id AS "relationshipId", e.from_artifact_id AS "fromArtifactId", e.to_artifact_id AS "toArtifactId",
       e.contribution_id AS "contributionId", e.run_id AS "runId", e.occurred_at AS "occurredAt",
       (SELECT coalesce(json_agg(json_build_object(
           'id', a.id, 'orgId', a.org_id, 'visibility', a.visibility, 'ownerId', a.owner_id,
           'groupIds', (SELECT coalesce(array_agg(s.group_id), '{}') FROM artifact_shares s WHERE s.artifact_id = a.id))), '[]')
        FROM artifacts a WHERE a.id IN (e.artifact_id, e.from_artifact_id, e.to_artifact_id)) AS subjects,
       (SELECT json_build_object('contributorId', c.contributor_id, 'visibility', c.visibility, 'groupIds', c.shared_with_group_ids)
        FROM contributions c WHERE c.id = e.contribution_id) AS "contributionAccess"
     FROM events e
     WHERE e.org_id = $1 AND e.cursor > $2 AND ($3::text[] IS NULL OR e.type = ANY($3::text[]))
     ORDER BY e.cursor LIMIT $4`,
    [orgId, afterCursor, types && types.length > 0 ? types : null, limit],
  );
  return rows.map((row) => ({ ...row, subjects: (row.subjects as unknown as EventSubject[]) ?? [] }));
}

/** The newest cursor of an org (0 when it has no events). */
export async function latestEventCursor(q: Queryable, orgId: string): Promise<number> {
  const { rows } = await q.query<{ cursor: number | null }>('SELECT max(cursor) AS cursor FROM events WHERE org_id = $1', [orgId]);
  return rows[0]?.cursor ?? 0;
}

/** The newest cursor that retention deleted for an org (0 when none): resuming below it would miss events. */
export async function prunedThrough(q: Queryable, orgId: string): Promise<number> {
  const { rows } = await q.query<{ cursor: number }>('SELECT pruned_through AS cursor FROM event_retention WHERE org_id = $1', [orgId]);
  return rows[0]?.cursor ?? 0;
}

/**
 * Deletes events older than `before`, remembering per org the newest cursor deleted.
 * Returns the number deleted.
 */
export async function pruneEvents(q: Queryable, before: Date): Promise<number> {
  const { rows } = await q.query<{ n: number }>(
    `WITH gone AS (DELETE FROM events WHERE occurred_at < $1 RETURNING org_id, cursor),
     marks AS (
       INSERT INTO event_retention (org_id, pruned_through)
       SELECT org_id, max(cursor) FROM gone GROUP BY org_id
       ON CONFLICT (org_id) DO UPDATE SET pruned_through = greatest(event_retention.pruned_through, excluded.pruned_through)
     )
     SELECT count(*) AS n FROM gone`,
    [before],
  );
  return rows[0]?.n ?? 0;
}
