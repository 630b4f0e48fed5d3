/**
 * Bootstrap (API.md "Transport"): on first start, org `default` and ADMIN user `admin` are
 * created and a key is generated for admin and returned to be printed once. With
 * HIVEGRAPH_BOOTSTRAP_ADMIN_KEY set, every start makes sure that exact key is an active key
 * of `default`'s `admin` (creating org and user if missing); nothing is printed then.
 */
import { StartupError } from '../shared/errors.ts';
import {
  findKeyByHash,
  findOrgByName,
  findUserByHandle,
  insertApiKey,
  insertOrg,
  insertUser,
  reactivateApiKey,
} from '../store/repositories/identity.repo.ts';
import type { SqlClient } from '../store/types.ts';
import { apiKeyPrefix, generateApiKey, hashApiKey } from './api-key.ts';

/** Name of the org created on first start. */
export const DEFAULT_ORG = 'default';
/** Handle of the ADMIN user created on first start. */
export const ADMIN_HANDLE = 'admin';
/** Arbitrary constant naming the advisory lock that serialises concurrent bootstraps. */
const BOOTSTRAP_LOCK_ID = 727_384_153;

/** What bootstrap did. */
export interface BootstrapOutcome {
  /** True when org `default` did not exist before (first start). */
  firstStart: boolean;
  /** A newly generated admin key to print once; set only on first start without a configured key. */
  generatedAdminKey?: string;
}

/** Ensures org `default`, user `admin` and the admin key, in one transaction. */
export async function ensureBootstrap(sql: SqlClient, options: { bootstrapAdminKey?: string | undefined }): Promise<BootstrapOutcome> {
  return sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_ID]);
    let org = await findOrgByName(tx, DEFAULT_ORG);
    const firstStart = org === undefined;
    org ??= await insertOrg(tx, DEFAULT_ORG);
    const admin =
      (await findUserByHandle(tx, org.id, ADMIN_HANDLE)) ??
      (await insertUser(tx, { orgId: org.id, handle: ADMIN_HANDLE, displayName: 'Administrator', role: 'ADMIN' }));

    if (options.bootstrapAdminKey !== undefined) {
      const keyHash = hashApiKey(options.bootstrapAdminKey);
      const existing = await findKeyByHash(tx, keyHash);
      if (existing && existing.userId !== admin.id) {
        throw new StartupError('HIVEGRAPH_BOOTSTRAP_ADMIN_KEY is already the key of another user; choose another key.');
      }
      if (existing?.revokedAt) await reactivateApiKey(tx, existing.id);
      if (!existing) {
        await insertApiKey(tx, {
          orgId: org.id,
          userId: admin.id,
          name: 'bootstrap (HIVEGRAPH_BOOTSTRAP_ADMIN_KEY)',
          prefix: apiKeyPrefix(options.bootstrapAdminKey),
          keyHash,
          tier: 'standard',
        });
      }
      return { firstStart };
    }
    if (!firstStart) return { firstStart };
    const key = generateApiKey();
    await insertApiKey(tx, {
      orgId: org.id,
      userId: admin.id,
      name: 'admin (first start)',
      prefix: apiKeyPrefix(key),
      keyHash: hashApiKey(key),
      tier: 'standard',
    });
    return { firstStart, generatedAdminKey: key };
  });
}
