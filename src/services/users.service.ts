/**
 * Users as seen by a viewer: only users of the viewer's own org exist for them.
 */
import { ConflictError } from '../shared/errors.ts';
import { ROLES, type Page, type Role, type UserRecord } from '../store/records.ts';
import { getUsersByIds, insertUser, listUsers } from '../store/repositories/identity.repo.ts';
import type { SqlClient } from '../store/types.ts';
import { assertAdmin } from './access.ts';
import { BadUserInputError } from '../shared/errors.ts';
import type { Viewer } from './viewer.ts';

const HANDLE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** User operations. */
export interface UsersService {
  /** Batch read in key order; users of other orgs read as absent. One statement per call. */
  getByIds(viewer: Viewer, ids: readonly string[]): Promise<(UserRecord | undefined)[]>;
  /**
   * Users by id in any org — only for authors of artifacts the caller can already see (the
   * author of a PUBLIC artifact is part of its public record). One statement.
   */
  getAuthorsByIds(ids: readonly string[]): Promise<(UserRecord | undefined)[]>;
  /** ADMIN only. */
  create(viewer: Viewer, input: { handle: string; displayName?: string | null; role: Role }): Promise<UserRecord>;
  list(viewer: Viewer, page: { first: number; afterSeq?: number | undefined }): Promise<Page<UserRecord & { seq: number }>>;
}

/** Creates the users service. */
export function createUsersService(deps: { sql: SqlClient }): UsersService {
  return {
    getByIds: (viewer, ids) => getUsersByIds(deps.sql, viewer.orgId, ids),
    getAuthorsByIds: (ids) => getUsersByIds(deps.sql, null, ids),
    async create(viewer, input) {
      assertAdmin(viewer, 'create users');
      if (!HANDLE.test(input.handle)) {
        throw new BadUserInputError('handle must be 1–63 characters: letters, digits, _ . - (starting with a letter or digit).', 'handle');
      }
      if (!ROLES.includes(input.role)) throw new BadUserInputError(`role must be one of ${ROLES.join(', ')}.`, 'role');
      const displayName = input.displayName?.trim() || null;
      return insertUser(deps.sql, { orgId: viewer.orgId, handle: input.handle, displayName, role: input.role }).catch((error: unknown) => {
        throw error instanceof ConflictError ? new ConflictError(`A user with handle "${input.handle}" already exists.`) : error;
      });
    },
    list: (viewer, page) => listUsers(deps.sql, viewer.orgId, page),
  };
}
