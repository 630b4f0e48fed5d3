/**
 * API keys: created for a user and shown once (only hash + prefix are stored), listed,
 * revoked (effective on the next request, also on open WebSockets), and counted per
 * billing period.
 */
import { BadUserInputError, ForbiddenError, NotFoundError } from '../shared/errors.ts';
import type { ApiKeyRecord, ApiKeyUsageRecord, Page } from '../store/records.ts';
import {
  addApiKeyUsage,
  findApiKey,
  findOrgByName,
  findUserByHandle,
  getApiKeyUsage,
  getUsersByIds,
  insertApiKey,
  listApiKeys,
  revokeApiKeyRow,
} from '../store/repositories/identity.repo.ts';
import type { Queryable, SqlClient } from '../store/types.ts';
import { apiKeyPrefix, generateApiKey, hashApiKey } from './api-key.ts';
import { FIELD_LIMITS, validText } from './validate.ts';
import type { Viewer } from './viewer.ts';

/** A freshly created key: `key` is shown once and never stored. */
export interface CreatedApiKey {
  key: string;
  apiKey: ApiKeyRecord;
}

/** Key operations. */
export interface ApiKeysService {
  /**
   * Operator path (CLI): creates a key for user `handle` of org `orgName`.
   * @throws NotFoundError when the org or user does not exist
   */
  createForUser(input: { orgName: string; handle: string; name: string; tier?: string }): Promise<CreatedApiKey>;
  /**
   * Operator path (CLI): every key of org `orgName` (of user `handle` when given), oldest first,
   * with its user's handle.
   * @throws NotFoundError when the org or user does not exist
   */
  listForOrg(input: { orgName: string; handle?: string | undefined; includeRevoked: boolean }): Promise<(ApiKeyRecord & { handle: string })[]>;
  /**
   * Operator path (CLI): revokes the key of org `orgName` whose id or 8-character prefix is
   * `idOrPrefix`. Idempotent.
   * @throws NotFoundError when no key matches; BadUserInputError when a prefix matches several
   */
  revokeInOrg(input: { orgName: string; idOrPrefix: string }): Promise<ApiKeyRecord>;
  /** An ADMIN creates keys for anyone in the org; others only for themselves, in their own tier. */
  create(viewer: Viewer, input: { userId: string; name: string; tier?: string | null }): Promise<CreatedApiKey>;
  /** A key by id: visible to its user and to ADMINs of the org; otherwise undefined. */
  get(viewer: Viewer, id: string): Promise<ApiKeyRecord | undefined>;
  /** An ADMIN revokes any key of the org; others only their own. Idempotent. */
  revoke(viewer: Viewer, id: string): Promise<ApiKeyRecord>;
  /** An ADMIN lists any user's keys; others only their own. */
  list(
    viewer: Viewer,
    options: { userId?: string | undefined; includeRevoked: boolean; first: number; afterSeq?: number | undefined },
  ): Promise<Page<ApiKeyRecord & { seq: number }>>;
  /** Request counts per billing period of each key (visible to ADMINs), in key order. */
  usage(viewer: Viewer, keyIds: readonly string[]): Promise<ApiKeyUsageRecord[][]>;
  /** Adds counted requests (called by the server's usage counter). */
  recordUsage(rows: readonly { keyId: string; period: string; requests: number }[]): Promise<void>;
}

/** Tier names: short identifiers. */
const TIER = /^[a-z][a-z0-9_-]{0,31}$/;

/** Creates the API keys service. */
export function createApiKeysService(deps: { sql: SqlClient; onRevoked?: (keyId: string) => void }): ApiKeysService {
  const { sql } = deps;

  async function insertKey(tx: Queryable, orgId: string, userId: string, name: string, tier: string): Promise<CreatedApiKey> {
    const key = generateApiKey();
    const apiKey = await insertApiKey(tx, { orgId, userId, name, prefix: apiKeyPrefix(key), keyHash: hashApiKey(key), tier });
    return { key, apiKey };
  }

  return {
    async createForUser(input) {
      return sql.transaction(async (tx) => {
        const org = await findOrgByName(tx, input.orgName);
        if (!org) throw new NotFoundError(`Org "${input.orgName}"`);
        const user = await findUserByHandle(tx, org.id, input.handle);
        if (!user) throw new NotFoundError(`User "${input.handle}" in org "${input.orgName}"`);
        return insertKey(tx, org.id, user.id, input.name, input.tier ?? 'standard');
      });
    },

    async listForOrg(input) {
      const org = await findOrgByName(sql, input.orgName);
      if (!org) throw new NotFoundError(`Org "${input.orgName}"`);
      const user = input.handle === undefined ? undefined : await findUserByHandle(sql, org.id, input.handle);
      if (input.handle !== undefined && !user) throw new NotFoundError(`User "${input.handle}" in org "${input.orgName}"`);
      const keys: (ApiKeyRecord & { seq: number })[] = [];
      let afterSeq: number | undefined;
      for (;;) {
        const page = await listApiKeys(sql, org.id, { userId: user?.id, includeRevoked: input.includeRevoked, first: 500, afterSeq });
        keys.push(...page.items);
        if (!page.hasNextPage) break;
        afterSeq = page.items.at(-1)!.seq;
      }
      const users = await getUsersByIds(sql, org.id, [...new Set(keys.map((k) => k.userId))]);
      const handles = new Map(users.flatMap((u) => (u ? [[u.id, u.handle] as const] : [])));
      return keys.map(({ seq: _seq, ...key }) => ({ ...key, handle: handles.get(key.userId) ?? '?' }));
    },

    async revokeInOrg(input) {
      const revoked = await sql.transaction(async (tx) => {
        const org = await findOrgByName(tx, input.orgName);
        if (!org) throw new NotFoundError(`Org "${input.orgName}"`);
        const all = await listApiKeys(tx, org.id, { includeRevoked: true, first: 100_000 });
        const matches = all.items.filter((k) => k.id === input.idOrPrefix || k.prefix === input.idOrPrefix);
        if (matches.length === 0) throw new NotFoundError(`API key "${input.idOrPrefix}" in org "${input.orgName}"`);
        if (matches.length > 1) throw new BadUserInputError(`The prefix "${input.idOrPrefix}" matches ${matches.length} keys: give the key id.`, 'key');
        return (await revokeApiKeyRow(tx, org.id, matches[0]!.id))!;
      });
      deps.onRevoked?.(revoked.id);
      return revoked;
    },

    async create(viewer, input) {
      const name = validText(input.name, 'name', FIELD_LIMITS.name)!;
      if (input.tier != null && !TIER.test(input.tier)) throw new BadUserInputError('tier must be a short lower-case identifier.', 'tier');
      if (viewer.role !== 'ADMIN') {
        if (input.userId !== viewer.userId) throw new ForbiddenError('Only an ADMIN may create keys for other users.');
        if (input.tier != null && input.tier !== viewer.tier) throw new ForbiddenError('Only an ADMIN may choose a key tier.');
      }
      return sql.transaction(async (tx) => {
        const [user] = await getUsersByIds(tx, viewer.orgId, [input.userId]);
        if (!user) throw new NotFoundError('User');
        return insertKey(tx, viewer.orgId, user.id, name, input.tier ?? (viewer.role === 'ADMIN' ? 'standard' : viewer.tier));
      });
    },

    async get(viewer, id) {
      const key = await findApiKey(sql, viewer.orgId, id);
      return key && (viewer.role === 'ADMIN' || key.userId === viewer.userId) ? key : undefined;
    },

    async revoke(viewer, id) {
      const revoked = await sql.transaction(async (tx) => {
        const key = await findApiKey(tx, viewer.orgId, id);
        // Someone else's key is as absent as a missing one to a non-admin.
        if (!key || (viewer.role !== 'ADMIN' && key.userId !== viewer.userId)) throw new NotFoundError('API key');
        return (await revokeApiKeyRow(tx, viewer.orgId, id))!;
      });
      // This process forgets the key before answering; other processes hear the trigger's NOTIFY.
      deps.onRevoked?.(revoked.id);
      return revoked;
    },

    async list(viewer, options) {
      const userId = viewer.role === 'ADMIN' ? options.userId : viewer.userId;
      if (viewer.role !== 'ADMIN' && options.userId !== undefined && options.userId !== viewer.userId) {
        throw new ForbiddenError("Only an ADMIN may list other users' keys.");
      }
      return listApiKeys(sql, viewer.orgId, { ...options, userId });
    },

    async usage(viewer, keyIds) {
      if (viewer.role !== 'ADMIN') throw new ForbiddenError('Only an ADMIN may see key usage.');
      return getApiKeyUsage(sql, keyIds);
    },

    recordUsage: (rows) => addApiKeyUsage(sql, rows),
  };
}
