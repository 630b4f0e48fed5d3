/**
 * SQL for sharing rules and users' default visibility. Every read is scoped to one org; the
 * service decides who may see or change which rule.
 */
import type { SharingRuleRecord, UserRecord, Visibility } from '../records.ts';
import type { Queryable } from '../types.ts';
import { inKeyOrder } from './sql-params.ts';

const RULE_COLUMNS = `r.id, r.org_id AS "orgId", r.seq, r.owner_id AS "ownerId", r.codebase, r.tag, r.kind,
  r.api_key_id AS "apiKeyId", r.visibility, r.shared_with_group_ids AS "sharedWithGroupIds", r.priority,
  r.created_at AS "createdAt", r.updated_at AS "updatedAt"`;

/** The fields a rule is set from. */
export type SharingRuleValues = Pick<SharingRuleRecord, 'codebase' | 'tag' | 'kind' | 'apiKeyId' | 'visibility' | 'sharedWithGroupIds' | 'priority'>;

/** Inserts a rule of `ownerId`. */
export async function insertSharingRule(q: Queryable, orgId: string, ownerId: string, v: SharingRuleValues): Promise<SharingRuleRecord> {
  const { rows } = await q.query<SharingRuleRecord>(
    `INSERT INTO sharing_rules AS r (org_id, owner_id, codebase, tag, kind, api_key_id, visibility, shared_with_group_ids, priority)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::uuid[], $9) RETURNING ${RULE_COLUMNS}`,
    [orgId, ownerId, v.codebase, v.tag, v.kind, v.apiKeyId, v.visibility, v.sharedWithGroupIds, v.priority],
  );
  return rows[0]!;
}

/** Replaces the fields of a (locked) rule; its owner and creation time stay. */
export async function updateSharingRule(q: Queryable, id: string, v: SharingRuleValues): Promise<SharingRuleRecord> {
  const { rows } = await q.query<SharingRuleRecord>(
    `UPDATE sharing_rules AS r SET codebase = $2, tag = $3, kind = $4, api_key_id = $5, visibility = $6,
       shared_with_group_ids = $7::uuid[], priority = $8, updated_at = now()
     WHERE r.id = $1 RETURNING ${RULE_COLUMNS}`,
    [id, v.codebase, v.tag, v.kind, v.apiKeyId, v.visibility, v.sharedWithGroupIds, v.priority],
  );
  return rows[0]!;
}

/** Locks a rule of the org for a change (`FOR UPDATE`). */
export async function lockSharingRule(q: Queryable, orgId: string, id: string): Promise<SharingRuleRecord | undefined> {
  const { rows } = await q.query<SharingRuleRecord>(`SELECT ${RULE_COLUMNS} FROM sharing_rules r WHERE r.org_id = $1 AND r.id = $2 FOR UPDATE`, [orgId, id]);
  return rows[0];
}

/** Deletes a rule; true when it existed. */
export async function deleteSharingRuleRow(q: Queryable, id: string): Promise<boolean> {
  const { rows } = await q.query<{ id: string }>('DELETE FROM sharing_rules WHERE id = $1 RETURNING id', [id]);
  return rows.length > 0;
}

/** Rules of the org by id, in key order. One statement. */
export async function getSharingRulesByIds(q: Queryable, orgId: string, ids: readonly string[]): Promise<(SharingRuleRecord | undefined)[]> {
  const { rows } = await q.query<SharingRuleRecord>(`SELECT ${RULE_COLUMNS} FROM sharing_rules r WHERE r.org_id = $1 AND r.id = ANY($2::uuid[])`, [orgId, ids]);
  return inKeyOrder(ids, rows);
}

/** Rules of the org (of one owner unless `ownerId` is null), oldest first. */
export async function listSharingRules(q: Queryable, orgId: string, ownerId: string | null): Promise<SharingRuleRecord[]> {
  const { rows } = await q.query<SharingRuleRecord>(
    `SELECT ${RULE_COLUMNS} FROM sharing_rules r WHERE r.org_id = $1 AND ($2::uuid IS NULL OR r.owner_id = $2::uuid) ORDER BY r.seq`,
    [orgId, ownerId],
  );
  return rows;
}

/** How many rules `ownerId` has. */
export async function countSharingRules(q: Queryable, orgId: string, ownerId: string): Promise<number> {
  const { rows } = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM sharing_rules WHERE org_id = $1 AND owner_id = $2', [orgId, ownerId]);
  return rows[0]?.n ?? 0;
}

/**
 * The rules of `ownerId` that may decide a new artifact's visibility: those naming only groups
 * the owner still belongs to (a rule never shares with a group its owner has left). One statement.
 */
export async function applicableSharingRules(q: Queryable, orgId: string, ownerId: string): Promise<SharingRuleRecord[]> {
  const { rows } = await q.query<SharingRuleRecord>(
    `SELECT ${RULE_COLUMNS} FROM sharing_rules r
     WHERE r.org_id = $1 AND r.owner_id = $2
       AND NOT EXISTS (SELECT 1 FROM unnest(r.shared_with_group_ids) AS g(id)
                       WHERE NOT EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id AND m.user_id = r.owner_id))
     ORDER BY r.seq`,
    [orgId, ownerId],
  );
  return rows;
}

/** The ids among `groupIds` that are groups of the org `userId` belongs to. */
export async function memberGroupIds(q: Queryable, orgId: string, userId: string, groupIds: readonly string[]): Promise<Set<string>> {
  if (groupIds.length === 0) return new Set();
  const { rows } = await q.query<{ id: string }>(
    'SELECT m.group_id AS id FROM group_members m WHERE m.org_id = $1 AND m.user_id = $2 AND m.group_id = ANY($3::uuid[])',
    [orgId, userId, groupIds],
  );
  return new Set(rows.map((r) => r.id));
}

/** The ids among `keyIds` that are keys of `userId` (revoked ones included). */
export async function ownKeyIds(q: Queryable, orgId: string, userId: string, keyIds: readonly string[]): Promise<Set<string>> {
  if (keyIds.length === 0) return new Set();
  const { rows } = await q.query<{ id: string }>('SELECT id FROM api_keys WHERE org_id = $1 AND user_id = $2 AND id = ANY($3::uuid[])', [orgId, userId, keyIds]);
  return new Set(rows.map((r) => r.id));
}

/** The default visibility of each user, in key order (undefined where absent). One statement. */
export async function getDefaultVisibilities(q: Queryable, orgId: string, userIds: readonly string[]): Promise<(Visibility | undefined)[]> {
  const { rows } = await q.query<{ id: string; v: Visibility }>('SELECT id, default_visibility AS v FROM users WHERE org_id = $1 AND id = ANY($2::uuid[])', [orgId, userIds]);
  const byId = new Map(rows.map((r) => [r.id, r.v]));
  return userIds.map((id) => byId.get(id));
}

/** Changes a user's display name and/or default visibility (undefined keeps a field). */
export async function updateUserSettings(
  q: Queryable,
  orgId: string,
  userId: string,
  v: { displayName?: string | null | undefined; defaultVisibility?: Visibility | undefined },
): Promise<UserRecord | undefined> {
  const { rows } = await q.query<UserRecord>(
    `UPDATE users SET display_name = CASE WHEN $3 THEN $4 ELSE display_name END, default_visibility = coalesce($5, default_visibility)
     WHERE org_id = $1 AND id = $2
     RETURNING id, org_id AS "orgId", handle, display_name AS "displayName", role, default_visibility AS "defaultVisibility", created_at AS "createdAt"`,
    [orgId, userId, v.displayName !== undefined, v.displayName ?? null, v.defaultVisibility ?? null],
  );
  return rows[0];
}
