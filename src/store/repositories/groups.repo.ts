/** SQL for groups and their members. All reads are scoped to one org. */
import type { GroupMemberRecord, GroupRecord, GroupRole, Page } from '../records.ts';
import type { Queryable } from '../types.ts';
import { groupedInKeyOrder, inKeyOrder, toPage } from './sql-params.ts';

const GROUP_COLUMNS = 'g.id, g.org_id AS "orgId", g.seq, g.name, g.created_at AS "createdAt"';
const MEMBER_COLUMNS = 'm.group_id AS "groupId", m.user_id AS "userId", m.role, m.added_at AS "addedAt"';

/** Inserts a group; a taken name in the org raises ConflictError. */
export async function insertGroup(q: Queryable, orgId: string, name: string): Promise<GroupRecord> {
  const { rows } = await q.query<GroupRecord>(`INSERT INTO groups AS g (org_id, name) VALUES ($1, $2) RETURNING ${GROUP_COLUMNS}`, [
    orgId,
    name,
  ]);
  return rows[0]!;
}

/** Groups of one org by id, in key order. */
export async function getGroupsByIds(q: Queryable, orgId: string, ids: readonly string[]): Promise<(GroupRecord | undefined)[]> {
  const { rows } = await q.query<GroupRecord>(`SELECT ${GROUP_COLUMNS} FROM groups g WHERE g.org_id = $1 AND g.id = ANY($2::uuid[])`, [
    orgId,
    ids,
  ]);
  return inKeyOrder(ids, rows);
}

/** The groups each user belongs to, in key order, by name. One statement. */
export async function getGroupsByUserIds(q: Queryable, orgId: string, userIds: readonly string[]): Promise<GroupRecord[][]> {
  const { rows } = await q.query<GroupRecord & { userId: string }>(
    `SELECT ${GROUP_COLUMNS}, m.user_id AS "userId" FROM group_members m JOIN groups g ON g.id = m.group_id
     WHERE m.org_id = $1 AND m.user_id = ANY($2::uuid[]) ORDER BY g.name`,
    [orgId, userIds],
  );
  return groupedInKeyOrder(userIds, rows, (r) => r.userId).map((list) => list.map(({ userId: _u, ...g }) => g));
}

/** The members of each group, in key order, oldest membership first. One statement. */
export async function getMembersByGroupIds(q: Queryable, orgId: string, groupIds: readonly string[]): Promise<GroupMemberRecord[][]> {
  const { rows } = await q.query<GroupMemberRecord>(
    `SELECT ${MEMBER_COLUMNS} FROM group_members m WHERE m.org_id = $1 AND m.group_id = ANY($2::uuid[]) ORDER BY m.added_at, m.user_id`,
    [orgId, groupIds],
  );
  return groupedInKeyOrder(groupIds, rows, (r) => r.groupId);
}

/** One user's membership of one group, if any. */
export async function findMembership(q: Queryable, groupId: string, userId: string): Promise<GroupMemberRecord | undefined> {
  const { rows } = await q.query<GroupMemberRecord>(`SELECT ${MEMBER_COLUMNS} FROM group_members m WHERE m.group_id = $1 AND m.user_id = $2`, [
    groupId,
    userId,
  ]);
  return rows[0];
}

/** Adds a member or changes their role. */
export async function upsertMember(q: Queryable, orgId: string, groupId: string, userId: string, role: GroupRole): Promise<void> {
  await q.query(
    `INSERT INTO group_members (org_id, group_id, user_id, role) VALUES ($1, $2, $3, $4)
     ON CONFLICT (group_id, user_id) DO UPDATE SET role = EXCLUDED.role`,
    [orgId, groupId, userId, role],
  );
}

/** Removes a member; returns whether there was one. */
export async function deleteMember(q: Queryable, groupId: string, userId: string): Promise<boolean> {
  const { rowCount } = await q.query('DELETE FROM group_members WHERE group_id = $1 AND user_id = $2', [groupId, userId]);
  return rowCount > 0;
}

/** Locks a group row (serialises membership changes of one group). */
export async function lockGroup(q: Queryable, orgId: string, groupId: string): Promise<GroupRecord | undefined> {
  const { rows } = await q.query<GroupRecord>(`SELECT ${GROUP_COLUMNS} FROM groups g WHERE g.org_id = $1 AND g.id = $2 FOR UPDATE`, [
    orgId,
    groupId,
  ]);
  return rows[0];
}

/** Groups of one org, by creation, after sequence `afterSeq`. */
export async function listGroups(q: Queryable, orgId: string, page: { first: number; afterSeq?: number | undefined }): Promise<Page<GroupRecord>> {
  const { rows } = await q.query<GroupRecord>(
    `SELECT ${GROUP_COLUMNS} FROM groups g WHERE g.org_id = $1 AND ($2::bigint IS NULL OR g.seq > $2::bigint) ORDER BY g.seq LIMIT $3`,
    [orgId, page.afterSeq ?? null, page.first + 1],
  );
  return toPage(rows, page.first);
}

/** Of `ids`, those that are groups of `orgId`. */
export async function existingGroupIds(q: Queryable, orgId: string, ids: readonly string[]): Promise<Set<string>> {
  const { rows } = await q.query<{ id: string }>('SELECT id FROM groups WHERE org_id = $1 AND id = ANY($2::uuid[])', [orgId, ids]);
  return new Set(rows.map((r) => r.id));
}
