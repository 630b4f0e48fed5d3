/**
 * SQL for orgs, users and API keys. Every function takes a {@link Queryable}, so callers
 * decide whether it runs alone or inside their transaction. Parameterised SQL only.
 */
import type { ApiKeyRecord, ApiKeyUsageRecord, OrgRecord, Role, UserRecord } from '../records.ts';
import type { Queryable } from '../types.ts';

const ORG_COLUMNS = 'id, name, created_at AS "createdAt"';
const USER_COLUMNS =
  'id, org_id AS "orgId", handle, display_name AS "displayName", role, default_visibility AS "defaultVisibility", created_at AS "createdAt"';
const KEY_COLUMNS =
  'id, org_id AS "orgId", user_id AS "userId", name, prefix, tier, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"';

/** Finds an org by its unique name. */
export async function findOrgByName(q: Queryable, name: string): Promise<OrgRecord | undefined> {
  const { rows } = await q.query<OrgRecord>(`SELECT ${ORG_COLUMNS} FROM orgs WHERE name = $1`, [name]);
  return rows[0];
}

/** Inserts an org; a taken name raises ConflictError. */
export async function insertOrg(q: Queryable, name: string): Promise<OrgRecord> {
  const { rows } = await q.query<OrgRecord>(`INSERT INTO orgs (name) VALUES ($1) RETURNING ${ORG_COLUMNS}`, [name]);
  return rows[0]!;
}

/** Finds a user of `orgId` by handle. */
export async function findUserByHandle(q: Queryable, orgId: string, handle: string): Promise<UserRecord | undefined> {
  const { rows } = await q.query<UserRecord>(`SELECT ${USER_COLUMNS} FROM users WHERE org_id = $1 AND handle = $2`, [
    orgId,
    handle,
  ]);
  return rows[0];
}

/** Inserts a user; a taken handle in the org raises ConflictError. */
export async function insertUser(
  q: Queryable,
  user: { orgId: string; handle: string; displayName: string | null; role: Role },
): Promise<UserRecord> {
  const { rows } = await q.query<UserRecord>(
    `INSERT INTO users (org_id, handle, display_name, role) VALUES ($1, $2, $3, $4) RETURNING ${USER_COLUMNS}`,
    [user.orgId, user.handle, user.displayName, user.role],
  );
  return rows[0]!;
}

/**
 * Loads users by id, in the order of `ids` (undefined where absent) — the batch function
 * behind the per-request user loaders. Scoped to `orgId` unless it is null. One statement.
 */
export async function getUsersByIds(q: Queryable, orgId: string | null, ids: readonly string[]): Promise<(UserRecord | undefined)[]> {
  const { rows } = await q.query<UserRecord>(
    `SELECT ${USER_COLUMNS} FROM users WHERE ($1::uuid IS NULL OR org_id = $1::uuid) AND id = ANY($2::uuid[])`,
    [orgId, ids],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id));
}

/** An active key with the user and org it authenticates as. */
export interface KeyPrincipal {
  key: ApiKeyRecord;
  user: UserRecord;
}

/** Finds the active (not revoked) key whose hash is `keyHash`, with its user. */
export async function findActiveKeyByHash(q: Queryable, keyHash: string): Promise<KeyPrincipal | undefined> {
  const { rows } = await q.query<{ key: ApiKeyRecord; user: UserRecord }>(
    `SELECT
       json_build_object('id', k.id, 'orgId', k.org_id, 'userId', k.user_id, 'name', k.name, 'prefix', k.prefix,
         'tier', k.tier, 'createdAt', k.created_at, 'lastUsedAt', k.last_used_at, 'revokedAt', k.revoked_at) AS key,
       json_build_object('id', u.id, 'orgId', u.org_id, 'handle', u.handle, 'displayName', u.display_name,
         'role', u.role, 'defaultVisibility', u.default_visibility, 'createdAt', u.created_at) AS "user"
     FROM api_keys k JOIN users u ON u.id = k.user_id AND u.org_id = k.org_id
     WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
    [keyHash],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { key: reviveKey(row.key), user: { ...row.user, createdAt: new Date(row.user.createdAt) } };
}

/** Finds a key (active or revoked) by its hash. */
export async function findKeyByHash(q: Queryable, keyHash: string): Promise<ApiKeyRecord | undefined> {
  const { rows } = await q.query<ApiKeyRecord>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE key_hash = $1`, [keyHash]);
  return rows[0];
}

/** Stores a new key by hash and prefix. */
export async function insertApiKey(
  q: Queryable,
  key: { orgId: string; userId: string; name: string; prefix: string; keyHash: string; tier: string },
): Promise<ApiKeyRecord> {
  const { rows } = await q.query<ApiKeyRecord>(
    `INSERT INTO api_keys (org_id, user_id, name, prefix, key_hash, tier)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${KEY_COLUMNS}`,
    [key.orgId, key.userId, key.name, key.prefix, key.keyHash, key.tier],
  );
  return rows[0]!;
}

/** Clears `revoked_at` of a key. */
export async function reactivateApiKey(q: Queryable, keyId: string): Promise<void> {
  await q.query('UPDATE api_keys SET revoked_at = NULL WHERE id = $1', [keyId]);
}

/** Records use of a key, at most once a minute (cheap no-op otherwise). */
export async function touchApiKey(q: Queryable, keyId: string): Promise<void> {
  await q.query(
    `UPDATE api_keys SET last_used_at = now()
     WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
    [keyId],
  );
}

function reviveKey(key: ApiKeyRecord): ApiKeyRecord {
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  return { ...key, createdAt: new Date(key.createdAt), lastUsedAt: date(key.lastUsedAt), revokedAt: date(key.revokedAt) };
}

/** Users of one org, by creation, after sequence `afterSeq`. */
export async function listUsers(q: Queryable, orgId: string, page: { first: number; afterSeq?: number | undefined }): Promise<{ items: (UserRecord & { seq: number })[]; hasNextPage: boolean }> {
  const { rows } = await q.query<UserRecord & { seq: number }>(
    `SELECT ${USER_COLUMNS}, seq FROM users WHERE org_id = $1 AND ($2::bigint IS NULL OR seq > $2::bigint) ORDER BY seq LIMIT $3`,
    [orgId, page.afterSeq ?? null, page.first + 1],
  );
  return { items: rows.slice(0, page.first), hasNextPage: rows.length > page.first };
}

/** Keys of one org (optionally of one user), by creation. */
export async function listApiKeys(
  q: Queryable,
  orgId: string,
  options: { userId?: string | undefined; includeRevoked: boolean; first: number; afterSeq?: number | undefined },
): Promise<{ items: (ApiKeyRecord & { seq: number })[]; hasNextPage: boolean }> {
  const { rows } = await q.query<ApiKeyRecord & { seq: number }>(
    `SELECT ${KEY_COLUMNS}, seq FROM api_keys
     WHERE org_id = $1 AND ($2::uuid IS NULL OR user_id = $2::uuid) AND ($3::boolean OR revoked_at IS NULL)
       AND ($4::bigint IS NULL OR seq > $4::bigint)
     ORDER BY seq LIMIT $5`,
    [orgId, options.userId ?? null, options.includeRevoked, options.afterSeq ?? null, options.first + 1],
  );
  return { items: rows.slice(0, options.first), hasNextPage: rows.length > options.first };
}

/** Finds a key of one org by id. */
export async function findApiKey(q: Queryable, orgId: string, id: string): Promise<ApiKeyRecord | undefined> {
  const { rows } = await q.query<ApiKeyRecord>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE org_id = $1 AND id = $2`, [orgId, id]);
  return rows[0];
}

/**
 * The notification channel on which triggers (migrations/0015_api_key_notify.sql) announce, on
 * commit and to every process on the database, each change that can alter what a key
 * authenticates as: `key:<id>` (revoked, deleted, tier or hash changed) or `user:<id>` (role,
 * handle or org changed, user deleted).
 */
export const API_KEYS_CHANNEL = 'hivegraph_api_keys';

/** Revokes a key (idempotent: an already revoked key keeps its first revocation time). */
export async function revokeApiKeyRow(q: Queryable, orgId: string, id: string): Promise<ApiKeyRecord | undefined> {
  const { rows } = await q.query<ApiKeyRecord>(
    `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE org_id = $1 AND id = $2 RETURNING ${KEY_COLUMNS}`,
    [orgId, id],
  );
  return rows[0];
}

/** Adds request counts per key and billing period. */
export async function addApiKeyUsage(q: Queryable, rows: readonly { keyId: string; period: string; requests: number }[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO api_key_usage (key_id, period, requests)
     SELECT k, p, r FROM unnest($1::uuid[], $2::text[], $3::bigint[]) AS u(k, p, r)
     WHERE EXISTS (SELECT 1 FROM api_keys WHERE id = k)
     ON CONFLICT (key_id, period) DO UPDATE SET requests = api_key_usage.requests + EXCLUDED.requests`,
    [rows.map((r) => r.keyId), rows.map((r) => r.period), rows.map((r) => r.requests)],
  );
}

/** Usage of each key, newest period first, in key order. One statement. */
export async function getApiKeyUsage(q: Queryable, keyIds: readonly string[]): Promise<ApiKeyUsageRecord[][]> {
  const { rows } = await q.query<ApiKeyUsageRecord>(
    `SELECT key_id AS "keyId", period, requests FROM api_key_usage WHERE key_id = ANY($1::uuid[]) ORDER BY period DESC`,
    [keyIds],
  );
  const byKey = new Map<string, ApiKeyUsageRecord[]>();
  for (const row of rows) byKey.set(row.keyId, [...(byKey.get(row.keyId) ?? []), row]);
  return keyIds.map((id) => byKey.get(id) ?? []);
}

/** Which of `ids` are API keys that are not revoked. */
export async function activeKeyIds(q: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await q.query<{ id: string }>('SELECT id FROM api_keys WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL', [ids]);
  return new Set(rows.map((r) => r.id));
}
