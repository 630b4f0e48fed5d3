/**
 * Orgs are created by operators (`hivegraph orgs create NAME`), not through GraphQL: each
 * new org gets an ADMIN user `admin` and a first key, returned once.
 */
import { BadUserInputError, ConflictError } from '../shared/errors.ts';
import type { OrgRecord, UserRecord } from '../store/records.ts';
import { insertApiKey, insertOrg, insertUser } from '../store/repositories/identity.repo.ts';
import type { SqlClient } from '../store/types.ts';
import { apiKeyPrefix, generateApiKey, hashApiKey } from './api-key.ts';

/** A new org with its first ADMIN and that admin's key (shown once). */
export interface CreatedOrg {
  org: OrgRecord;
  admin: UserRecord;
  key: string;
}

/** Org operations for operators. */
export interface OrgsService {
  /** @throws CONFLICT when the name is taken; BAD_USER_INPUT when it is malformed */
  create(name: string): Promise<CreatedOrg>;
}

const ORG_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Creates the orgs service. */
export function createOrgsService(deps: { sql: SqlClient }): OrgsService {
  return {
    async create(name) {
      if (!ORG_NAME.test(name)) {
        throw new BadUserInputError('An org name is 1–63 characters: lower-case letters, digits, _ and -, starting with a letter or digit.', 'name');
      }
      return deps.sql
        .transaction(async (tx) => {
          const org = await insertOrg(tx, name);
          const admin = await insertUser(tx, { orgId: org.id, handle: 'admin', displayName: 'Administrator', role: 'ADMIN' });
          const key = generateApiKey();
          await insertApiKey(tx, { orgId: org.id, userId: admin.id, name: 'admin (org created)', prefix: apiKeyPrefix(key), keyHash: hashApiKey(key), tier: 'standard' });
          return { org, admin, key };
        })
        .catch((error: unknown) => {
          throw error instanceof ConflictError ? new ConflictError(`An org named "${name}" already exists.`) : error;
        });
    },
  };
}
