/**
 * SQL for context packages: immutable versions with ordered items. Packages are readable by
 * everyone in their org; items that reference artifacts (or relationships, runs) are filtered
 * by the reader's visibility where they are resolved.
 */
import type { ContextItemKind, ContextPackageItemRecord, ContextPackageRecord, Page } from '../records.ts';
import type { Queryable } from '../types.ts';
import { groupedInKeyOrder, inKeyOrder, toPage } from './sql-params.ts';

const PACKAGE_COLUMNS = `p.id, p.org_id AS "orgId", p.seq, p.name, p.version, p.description, p.created_by AS "createdById", p.created_at AS "createdAt"`;
const ITEM_COLUMNS = `i.package_id AS "packageId", i.position, i.kind, i.artifact_id AS "artifactId", i.relationship_id AS "relationshipId",
  i.run_id AS "runId", i.memory_uri AS "memoryUri", i.memory_source AS "memorySource", i.memory_recorded_by AS "memoryRecordedBy",
  i.memory_recorded_at AS "memoryRecordedAt", i.note`;

/** An item to write (position is assigned in order). */
export interface NewContextItem {
  kind: ContextItemKind;
  artifactId?: string | null;
  relationshipId?: string | null;
  runId?: string | null;
  memoryUri?: string | null;
  memorySource?: string | null;
  memoryRecordedBy?: string | null;
  memoryRecordedAt?: Date | null;
  note?: string | null;
}

/** Inserts a package version. */
export async function insertContextPackage(
  q: Queryable,
  p: { orgId: string; name: string; version: number; description: string | null; createdById: string },
): Promise<ContextPackageRecord> {
  const { rows } = await q.query<ContextPackageRecord>(
    `INSERT INTO context_packages AS p (org_id, name, version, description, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING ${PACKAGE_COLUMNS}`,
    [p.orgId, p.name, p.version, p.description, p.createdById],
  );
  return rows[0]!;
}

/** Writes `items` into a package version at positions 1…n. */
export async function insertContextItems(q: Queryable, orgId: string, packageId: string, items: readonly NewContextItem[]): Promise<void> {
  if (items.length === 0) return;
  const col = <T>(pick: (item: NewContextItem) => T | null | undefined) => items.map((item) => pick(item) ?? null);
  await q.query(
    `INSERT INTO context_package_items (org_id, package_id, position, kind, artifact_id, relationship_id, run_id, memory_uri,
       memory_source, memory_recorded_by, memory_recorded_at, note)
     SELECT $1, $2, t.ord, t.kind, t.artifact_id, t.relationship_id, t.run_id, t.memory_uri, t.memory_source, t.memory_recorded_by,
       t.memory_recorded_at, t.note
     FROM unnest($3::text[], $4::uuid[], $5::uuid[], $6::uuid[], $7::text[], $8::text[], $9::text[], $10::timestamptz[], $11::text[])
       WITH ORDINALITY AS t(kind, artifact_id, relationship_id, run_id, memory_uri, memory_source, memory_recorded_by, memory_recorded_at, note, ord)`,
    [
      orgId,
      packageId,
      col((i) => i.kind),
      col((i) => i.artifactId),
      col((i) => i.relationshipId),
      col((i) => i.runId),
      col((i) => i.memoryUri),
      col((i) => i.memorySource),
      col((i) => i.memoryRecordedBy),
      col((i) => i.memoryRecordedAt),
      col((i) => i.note),
    ],
  );
}

/** Package versions of the org by id, in key order. */
export async function getContextPackagesByIds(q: Queryable, orgId: string, ids: readonly string[]): Promise<(ContextPackageRecord | undefined)[]> {
  const { rows } = await q.query<ContextPackageRecord>(
    `SELECT ${PACKAGE_COLUMNS} FROM context_packages p WHERE p.org_id = $1 AND p.id = ANY($2::uuid[])`,
    [orgId, ids],
  );
  return inKeyOrder(ids, rows);
}

/** The newest version of a package by name, locked against concurrent additions. */
export async function lockLatestContextPackage(q: Queryable, orgId: string, name: string): Promise<ContextPackageRecord | undefined> {
  const { rows } = await q.query<ContextPackageRecord>(
    `SELECT ${PACKAGE_COLUMNS} FROM context_packages p WHERE p.org_id = $1 AND p.name = $2 ORDER BY p.version DESC LIMIT 1 FOR UPDATE`,
    [orgId, name],
  );
  return rows[0];
}

/** The items of each package version, in order. One statement. */
export async function getContextItems(q: Queryable, packageIds: readonly string[]): Promise<ContextPackageItemRecord[][]> {
  const { rows } = await q.query<ContextPackageItemRecord>(
    `SELECT ${ITEM_COLUMNS} FROM context_package_items i WHERE i.package_id = ANY($1::uuid[]) ORDER BY i.package_id, i.position`,
    [packageIds],
  );
  return groupedInKeyOrder(packageIds, rows, (r) => r.packageId);
}

/** One page of the org's packages, newest first: every version of `name`, or the latest version of each package. */
export async function listContextPackages(
  q: Queryable,
  orgId: string,
  filter: { name?: string | null },
  page: { first: number; afterSeq?: number | undefined },
): Promise<Page<ContextPackageRecord>> {
  const { rows } = await q.query<ContextPackageRecord>(
    `SELECT ${PACKAGE_COLUMNS} FROM context_packages p
     WHERE p.org_id = $1 AND ($3::bigint IS NULL OR p.seq < $3)
       AND (CASE WHEN $2::text IS NULL
            THEN NOT EXISTS (SELECT 1 FROM context_packages n WHERE n.org_id = p.org_id AND n.name = p.name AND n.version > p.version)
            ELSE p.name = $2 END)
     ORDER BY p.seq DESC LIMIT $4`,
    [orgId, filter.name ?? null, page.afterSeq ?? null, page.first + 1],
  );
  return toPage(rows, page.first);
}

/** A version of package `name` (the latest when `version` is null). */
export async function getContextPackageByName(q: Queryable, orgId: string, name: string, version: number | null): Promise<ContextPackageRecord | undefined> {
  const { rows } = await q.query<ContextPackageRecord>(
    `SELECT ${PACKAGE_COLUMNS} FROM context_packages p WHERE p.org_id = $1 AND p.name = $2 AND ($3::int IS NULL OR p.version = $3)
     ORDER BY p.version DESC LIMIT 1`,
    [orgId, name, version],
  );
  return rows[0];
}
