/**
 * API key management for operators (CLI) — GraphQL key management builds on the same calls.
 */
import { NotFoundError } from '../shared/errors.ts';
import type { ApiKeyRecord } from '../store/records.ts';
import { findOrgByName, findUserByHandle, insertApiKey } from '../store/repositories/identity.repo.ts';
import type { SqlClient } from '../store/types.ts';
import { apiKeyPrefix, generateApiKey, hashApiKey } from './api-key.ts';

/** A freshly created key: `key` is shown once and never stored. */
export interface CreatedApiKey {
  key: string;
  apiKey: ApiKeyRecord;
}

/** Key operations that need no viewer (operator commands). */
export interface ApiKeysService {
  /**
   * Creates a key for user `handle` of org `orgName`.
   * @throws NotFoundError when the org or user does not exist
   */
  createForUser(input: { orgName: string; handle: string; name: string; tier?: string }): Promise<CreatedApiKey>;
}

/** Creates the API keys service. */
export function createApiKeysService(deps: { sql: SqlClient }): ApiKeysService {
  return {
    async createForUser(input) {
      return deps.sql.transaction(async (tx) => {
        const org = await findOrgByName(tx, input.orgName);
        if (!org) throw new NotFoundError(`Org "${input.orgName}"`);
        const user = await findUserByHandle(tx, org.id, input.handle);
        if (!user) throw new NotFoundError(`User "${input.handle}" in org "${input.orgName}"`);
        const key = generateApiKey();
        const apiKey = await insertApiKey(tx, {
          orgId: org.id,
          userId: user.id,
          name: input.name,
          prefix: apiKeyPrefix(key),
          keyHash: hashApiKey(key),
          tier: input.tier ?? 'standard',
        });
        return { key, apiKey };
      });
    },
  };
}
