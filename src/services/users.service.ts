/**
 * Users as seen by a viewer: only users of the viewer's own org exist for them.
 */
import type { UserRecord } from '../store/records.ts';
import { getUsersByIds } from '../store/repositories/identity.repo.ts';
import type { SqlClient } from '../store/types.ts';
import type { Viewer } from './viewer.ts';

/** User reads. */
export interface UsersService {
  /** Batch read in key order; users of other orgs read as absent. One statement per call. */
  getByIds(viewer: Viewer, ids: readonly string[]): Promise<(UserRecord | undefined)[]>;
}

/** Creates the users service. */
export function createUsersService(deps: { sql: SqlClient }): UsersService {
  return {
    getByIds: (viewer, ids) => getUsersByIds(deps.sql, viewer.orgId, ids),
  };
}
