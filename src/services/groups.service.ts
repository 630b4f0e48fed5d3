/**
 * Groups: create, list, membership. Org ADMINs manage any group; a group's own ADMIN members
 * manage that group. The creator becomes the group's first ADMIN.
 */
import { ForbiddenError, NotFoundError } from '../shared/errors.ts';
import type { GroupMemberRecord, GroupRecord, GroupRole, Page } from '../store/records.ts';
import {
  deleteMember,
  findMembership,
  getGroupsByIds,
  getGroupsByUserIds,
  getMembersByGroupIds,
  insertGroup,
  listGroups,
  lockGroup,
  upsertMember,
} from '../store/repositories/groups.repo.ts';
import { getUsersByIds } from '../store/repositories/identity.repo.ts';
import type { Queryable, SqlClient } from '../store/types.ts';
import { assertCanOrganise } from './access.ts';
import { FIELD_LIMITS, validText } from './validate.ts';
import type { Viewer } from './viewer.ts';

/** Group operations. */
export interface GroupsService {
  create(viewer: Viewer, name: string): Promise<GroupRecord>;
  addMember(viewer: Viewer, groupId: string, userId: string, role: GroupRole): Promise<GroupRecord>;
  removeMember(viewer: Viewer, groupId: string, userId: string): Promise<GroupRecord>;
  list(viewer: Viewer, page: { first: number; afterSeq?: number | undefined }): Promise<Page<GroupRecord>>;
  /** Groups of the viewer's org by id, in key order. One statement. */
  getByIds(viewer: Viewer, ids: readonly string[]): Promise<(GroupRecord | undefined)[]>;
  /** Groups each user belongs to. One statement. */
  groupsOfUsers(viewer: Viewer, userIds: readonly string[]): Promise<GroupRecord[][]>;
  /** Members of each group. One statement. */
  membersOfGroups(viewer: Viewer, groupIds: readonly string[]): Promise<GroupMemberRecord[][]>;
}

/** Creates the groups service. */
export function createGroupsService(deps: { sql: SqlClient }): GroupsService {
  const { sql } = deps;

  async function lockManagedGroup(tx: Queryable, viewer: Viewer, groupId: string): Promise<GroupRecord> {
    const group = await lockGroup(tx, viewer.orgId, groupId);
    if (!group) throw new NotFoundError('Group');
    if (viewer.role !== 'ADMIN') {
      const membership = await findMembership(tx, groupId, viewer.userId);
      if (membership?.role !== 'ADMIN') throw new ForbiddenError('Only an org ADMIN or an ADMIN of this group may change its members.');
    }
    return group;
  }

  return {
    async create(viewer, rawName) {
      assertCanOrganise(viewer, 'create groups');
      const name = validText(rawName, 'name', FIELD_LIMITS.name)!;
      return sql.transaction(async (tx) => {
        const group = await insertGroup(tx, viewer.orgId, name);
        await upsertMember(tx, viewer.orgId, group.id, viewer.userId, 'ADMIN');
        return group;
      });
    },

    async addMember(viewer, groupId, userId, role) {
      return sql.transaction(async (tx) => {
        const group = await lockManagedGroup(tx, viewer, groupId);
        const [user] = await getUsersByIds(tx, viewer.orgId, [userId]);
        if (!user) throw new NotFoundError('User');
        await upsertMember(tx, viewer.orgId, groupId, userId, role);
        return group;
      });
    },

    async removeMember(viewer, groupId, userId) {
      return sql.transaction(async (tx) => {
        const group = await lockManagedGroup(tx, viewer, groupId);
        if (!(await deleteMember(tx, groupId, userId))) throw new NotFoundError('Group member');
        return group;
      });
    },

    list: (viewer, page) => listGroups(sql, viewer.orgId, page),
    getByIds: (viewer, ids) => getGroupsByIds(sql, viewer.orgId, ids),
    groupsOfUsers: (viewer, userIds) => getGroupsByUserIds(sql, viewer.orgId, userIds),
    membersOfGroups: (viewer, groupIds) => getMembersByGroupIds(sql, viewer.orgId, groupIds),
  };
}
