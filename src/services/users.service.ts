/**
 * Users as seen by a viewer: only users of the viewer's own org exist for them.
 */
import { ConflictError } from '../shared/errors.ts';
import { ROLES, VISIBILITIES, type Page, type Role, type UserRecord, type Visibility } from '../store/records.ts';
import { getUsersByIds, insertUser, listUsers } from '../store/repositories/identity.repo.ts';
import { updateUserSettings } from '../store/repositories/sharing-rules.repo.ts';
import { validText } from './validate.ts';
import type { SqlClient } from '../store/types.ts';
import { assertAdmin } from './access.ts';
import { BadUserInputError, UnauthenticatedError } from '../shared/errors.ts';
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
  /**
   * The caller changes their own display name (null clears it) and/or default visibility
   * (PRIVATE, ORG or PUBLIC: a default names no groups). Omitted fields keep their value.
   * @throws BAD_USER_INPUT for an empty input or a bad field
   */
  updateMe(viewer: Viewer, input: { displayName?: string | null; defaultVisibility?: Visibility | null }): Promise<UserRecord>;
}

/** Visibilities a default may have. */
const DEFAULT_VISIBILITIES: readonly Visibility[] = VISIBILITIES.filter((v) => v !== 'GROUP');

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
    async updateMe(viewer, input) {
      const hasName = input.displayName !== undefined;
      const hasDefault = input.defaultVisibility !== undefined && input.defaultVisibility !== null;
      if (input.defaultVisibility === null) throw new BadUserInputError('defaultVisibility cannot be null (omit it to keep it).', 'defaultVisibility');
      if (!hasName && !hasDefault) throw new BadUserInputError('input must set displayName or defaultVisibility.', 'input');
      if (hasDefault && !DEFAULT_VISIBILITIES.includes(input.defaultVisibility!)) {
        throw new BadUserInputError(`defaultVisibility must be one of ${DEFAULT_VISIBILITIES.join(', ')} (a default names no groups; use a sharing rule for GROUP).`, 'defaultVisibility');
      }
      const displayName = hasName ? validText(input.displayName, 'displayName', 200) : undefined;
      const updated = await deps.sql.transaction((tx) =>
        updateUserSettings(tx, viewer.orgId, viewer.userId, {
          ...(displayName !== undefined ? { displayName } : {}),
          ...(hasDefault ? { defaultVisibility: input.defaultVisibility! } : {}),
        }),
      );
      if (!updated) throw new UnauthenticatedError('The user of this API key no longer exists.');
      return updated;
    },
  };
}
