/**
 * SQL for workflow runs: the run row, its input and output artifacts (in order) and its
 * ordered steps. Runs are readable by everyone in their org; the artifacts they name are
 * filtered by the reader's visibility where they are resolved.
 */
import type { Page, RunRecord, RunStatus, RunStepRecord } from '../records.ts';
import type { Queryable } from '../types.ts';
import { groupedInKeyOrder, inKeyOrder, toPage } from './sql-params.ts';

const RUN_COLUMNS = `r.id, r.org_id AS "orgId", r.seq, r.name, r.status, r.manifest, r.diagnostics, r.created_by AS "createdById",
  r.created_at AS "createdAt", r.updated_at AS "updatedAt", r.started_at AS "startedAt", r.finished_at AS "finishedAt"`;

const STEP_COLUMNS = `s.run_id AS "runId", s.position, s.name, s.status, s.detail, s.started_at AS "startedAt",
  s.finished_at AS "finishedAt", s.updated_at AS "updatedAt"`;

/** Timestamps a status sets: RUNNING starts, a final status finishes. */
const STAMPS = `started_at = CASE WHEN $2 = 'RUNNING' THEN coalesce(started_at, now()) ELSE started_at END,
  finished_at = CASE WHEN $2 IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN now() ELSE finished_at END`;

/** Inserts a run in `status` (RUNNING stamps `started_at`). */
export async function insertRun(
  q: Queryable,
  r: { orgId: string; name: string; status: RunStatus; manifestJson: string; createdById: string },
): Promise<RunRecord> {
  const { rows } = await q.query<RunRecord>(
    `INSERT INTO runs AS r (org_id, name, status, manifest, created_by, started_at)
     VALUES ($1, $2, $3, $4::json, $5, CASE WHEN $3 = 'RUNNING' THEN now() END) RETURNING ${RUN_COLUMNS}`,
    [r.orgId, r.name, r.status, r.manifestJson, r.createdById],
  );
  return rows[0]!;
}

/** Runs of the org by id, in key order. One statement. */
export async function getRunsByIds(q: Queryable, orgId: string, ids: readonly string[]): Promise<(RunRecord | undefined)[]> {
  const { rows } = await q.query<RunRecord>(`SELECT ${RUN_COLUMNS} FROM runs r WHERE r.org_id = $1 AND r.id = ANY($2::uuid[])`, [orgId, ids]);
  return inKeyOrder(ids, rows);
}

/** Locks a run of the org for a status or step change. */
export async function lockRun(q: Queryable, orgId: string, id: string): Promise<RunRecord | undefined> {
  const { rows } = await q.query<RunRecord>(`SELECT ${RUN_COLUMNS} FROM runs r WHERE r.org_id = $1 AND r.id = $2 FOR UPDATE`, [orgId, id]);
  return rows[0];
}

/** Sets a run's status (and diagnostics when given), stamping start / finish times. */
export async function setRunStatus(q: Queryable, id: string, status: RunStatus, diagnosticsJson?: string | null): Promise<RunRecord> {
  const { rows } = await q.query<RunRecord>(
    `UPDATE runs AS r SET status = $2, ${STAMPS}, updated_at = now(),
       diagnostics = CASE WHEN $3::boolean THEN $4::json ELSE diagnostics END
     WHERE r.id = $1 RETURNING ${RUN_COLUMNS}`,
    [id, status, diagnosticsJson !== undefined, diagnosticsJson ?? null],
  );
  return rows[0]!;
}

/** One page of the org's runs, newest first, optionally of one status. */
export async function listRuns(
  q: Queryable,
  orgId: string,
  filter: { status?: RunStatus | null },
  page: { first: number; afterSeq?: number | undefined },
): Promise<Page<RunRecord>> {
  const { rows } = await q.query<RunRecord>(
    `SELECT ${RUN_COLUMNS} FROM runs r
     WHERE r.org_id = $1 AND ($2::text IS NULL OR r.status = $2) AND ($3::bigint IS NULL OR r.seq < $3)
     ORDER BY r.seq DESC LIMIT $4`,
    [orgId, filter.status ?? null, page.afterSeq ?? null, page.first + 1],
  );
  return toPage(rows, page.first);
}

/** Appends artifacts to a run's inputs or outputs (after those it has), skipping ones already there. */
export async function addRunArtifacts(q: Queryable, orgId: string, runId: string, role: 'INPUT' | 'OUTPUT', artifactIds: readonly string[]): Promise<void> {
  if (artifactIds.length === 0) return;
  await q.query(
    `INSERT INTO run_artifacts (org_id, run_id, role, position, artifact_id)
     SELECT $1, $2, $3, coalesce((SELECT max(position) FROM run_artifacts WHERE run_id = $2 AND role = $3), 0) + a.ord, a.id
     FROM unnest($4::uuid[]) WITH ORDINALITY AS a(id, ord)
     ON CONFLICT (run_id, role, artifact_id) DO NOTHING`,
    [orgId, runId, role, artifactIds],
  );
}

/** The input or output artifact ids of each run, in order. One statement. */
export async function getRunArtifactIds(q: Queryable, runIds: readonly string[], role: 'INPUT' | 'OUTPUT'): Promise<string[][]> {
  const { rows } = await q.query<{ runId: string; artifactId: string }>(
    `SELECT run_id AS "runId", artifact_id AS "artifactId" FROM run_artifacts WHERE run_id = ANY($1::uuid[]) AND role = $2 ORDER BY run_id, position`,
    [runIds, role],
  );
  return groupedInKeyOrder(runIds, rows, (r) => r.runId).map((list) => list.map((r) => r.artifactId));
}

/** Marks artifacts as produced by a run (provenance `run_id`). */
export async function setArtifactsRun(q: Queryable, orgId: string, artifactIds: readonly string[], runId: string): Promise<void> {
  await q.query('UPDATE artifacts SET run_id = $3 WHERE org_id = $1 AND id = ANY($2::uuid[])', [orgId, artifactIds, runId]);
}

/** Appends a step at the next position. */
export async function insertRunStep(
  q: Queryable,
  s: { orgId: string; runId: string; name: string; status: RunStatus; detailJson: string | null },
): Promise<RunStepRecord> {
  const { rows } = await q.query<RunStepRecord>(
    `INSERT INTO run_steps AS s (org_id, run_id, position, name, status, detail, started_at, finished_at)
     VALUES ($1, $2, coalesce((SELECT max(position) FROM run_steps WHERE run_id = $2), 0) + 1, $3, $4, $5::json,
       CASE WHEN $4 <> 'PENDING' THEN now() END, CASE WHEN $4 IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN now() END)
     RETURNING ${STEP_COLUMNS}`,
    [s.orgId, s.runId, s.name, s.status, s.detailJson],
  );
  return rows[0]!;
}

/** A run's step by position, locked. */
export async function lockRunStep(q: Queryable, runId: string, position: number): Promise<RunStepRecord | undefined> {
  const { rows } = await q.query<RunStepRecord>(`SELECT ${STEP_COLUMNS} FROM run_steps s WHERE s.run_id = $1 AND s.position = $2 FOR UPDATE`, [runId, position]);
  return rows[0];
}

/** Sets a step's status (and detail when given). */
export async function setRunStep(q: Queryable, runId: string, position: number, status: RunStatus, detailJson?: string | null): Promise<RunStepRecord> {
  const { rows } = await q.query<RunStepRecord>(
    `UPDATE run_steps AS s SET status = $3, updated_at = now(),
       detail = CASE WHEN $4::boolean THEN $5::json ELSE detail END,
       started_at = CASE WHEN $3 <> 'PENDING' THEN coalesce(started_at, now()) ELSE started_at END,
       finished_at = CASE WHEN $3 IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN now() ELSE finished_at END
     WHERE s.run_id = $1 AND s.position = $2 RETURNING ${STEP_COLUMNS}`,
    [runId, position, status, detailJson !== undefined, detailJson ?? null],
  );
  return rows[0]!;
}

/** The steps of each run, in order. One statement. */
export async function getRunSteps(q: Queryable, runIds: readonly string[]): Promise<RunStepRecord[][]> {
  const { rows } = await q.query<RunStepRecord>(`SELECT ${STEP_COLUMNS} FROM run_steps s WHERE s.run_id = ANY($1::uuid[]) ORDER BY s.run_id, s.position`, [runIds]);
  return groupedInKeyOrder(runIds, rows, (r) => r.runId);
}

/** Touches a run's `updated_at` (a step changed). */
export async function touchRun(q: Queryable, id: string): Promise<void> {
  await q.query('UPDATE runs SET updated_at = now() WHERE id = $1', [id]);
}
