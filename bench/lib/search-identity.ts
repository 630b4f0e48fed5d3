/**
 * The search benchmark's people, created through GraphQL with the bootstrap admin key as an
 * operator would: teams (groups) in org `default`, a viewer in every team (`everyone`), a
 * viewer in team 0 only (`selective`), the owners of the bulk-loaded artifacts and the writers
 * of the ingest runs, each viewer and writer with a fresh `unlimited`-tier API key.
 */
import { fromGlobalId, toGlobalId } from '../../src/resolvers/ids.ts';
import type { Viewer } from '../../src/services/index.ts';
import type { SqlClient } from '../../src/store/types.ts';
import type { GraphQLClient } from './graphql-client.ts';

/** A user the benchmark acts as, with a fresh API key. */
export interface BenchPrincipal {
  handle: string;
  key: string;
  viewer: Viewer;
}

/** The org's people and teams. */
export interface BenchIdentity {
  orgId: string;
  /** Team ids (uuid) and their GraphQL ids, team 0 first. */
  groups: { id: string; globalId: string }[];
  /** Member of every team: sees every artifact. */
  everyone: BenchPrincipal;
  /** Member of team 0 only. */
  selective: BenchPrincipal;
  /** Writers for the ingest runs; writer i is in team i mod groups. */
  writers: BenchPrincipal[];
  /** Owners of the bulk-loaded artifacts, by team. */
  ownersByGroup: string[][];
}

const PREFIX = 'bench-';

/**
 * Creates (or finds, in a kept database) the benchmark's users and teams in org `default` through
 * GraphQL with the bootstrap admin key, and mints a fresh `unlimited`-tier key for each viewer
 * and writer.
 */
export async function ensureIdentity(
  api: GraphQLClient,
  adminKey: string,
  sql: SqlClient,
  sizes: { groups: number; owners: number; writers: number },
): Promise<BenchIdentity> {
  const { rows: orgs } = await sql.query<{ id: string }>(`SELECT id FROM orgs WHERE name = 'default'`);
  const orgId = orgs[0]!.id;
  const users = new Map(
    (await sql.query<{ id: string; handle: string }>(`SELECT id, handle FROM users WHERE org_id = $1 AND starts_with(handle, $2)`, [orgId, PREFIX])).rows.map(
      (u) => [u.handle, u.id],
    ),
  );
  const groups = new Map(
    (await sql.query<{ id: string; name: string }>(`SELECT id, name FROM groups WHERE org_id = $1 AND starts_with(name, $2)`, [orgId, PREFIX])).rows.map(
      (g) => [g.name, g.id],
    ),
  );
  const user = async (handle: string): Promise<string> => {
    const existing = users.get(handle);
    if (existing) return existing;
    const data = await api.request<{ createUser: { id: string } }>(adminKey, `mutation($h: String!) { createUser(input: { handle: $h, role: MEMBER }) { id } }`, {
      h: handle,
    });
    const id = fromGlobalId(data.createUser.id, 'User').id;
    users.set(handle, id);
    return id;
  };
  const join = (groupId: string, userId: string) =>
    api.request(adminKey, `mutation($g: ID!, $u: ID!) { addGroupMember(groupId: $g, userId: $u) { id } }`, { g: toGlobalId('Group', groupId), u: toGlobalId('User', userId) });

  const teamIds: string[] = [];
  for (let g = 0; g < sizes.groups; g += 1) {
    const name = `${PREFIX}team-${g}`;
    let id = groups.get(name);
    if (!id) {
      const data = await api.request<{ createGroup: { id: string } }>(adminKey, `mutation($n: String!) { createGroup(input: { name: $n }) { id } }`, { n: name });
      id = fromGlobalId(data.createGroup.id, 'Group').id;
      groups.set(name, id);
    }
    teamIds.push(id);
  }
  // addGroupMember is idempotent (an existing member keeps membership), so a kept database is fine.
  const everyoneId = await user(`${PREFIX}everyone`);
  for (const g of teamIds) await join(g, everyoneId);
  const selectiveId = await user(`${PREFIX}selective`);
  await join(teamIds[0]!, selectiveId);
  const ownersByGroup: string[][] = teamIds.map(() => []);
  for (let i = 0; i < sizes.owners; i += 1) {
    const id = await user(`${PREFIX}owner-${i}`);
    await join(teamIds[i % teamIds.length]!, id);
    ownersByGroup[i % teamIds.length]!.push(id);
  }
  const writerIds: string[] = [];
  for (let i = 0; i < sizes.writers; i += 1) {
    const id = await user(`${PREFIX}writer-${i}`);
    await join(teamIds[i % teamIds.length]!, id);
    writerIds.push(id);
  }

  const principal = async (handle: string, userId: string): Promise<BenchPrincipal> => {
    const data = await api.request<{ createApiKey: { key: string; apiKey: { id: string } } }>(
      adminKey,
      `mutation($u: ID!, $n: String!) { createApiKey(input: { userId: $u, name: $n, tier: "unlimited" }) { key apiKey { id } } }`,
      { u: toGlobalId('User', userId), n: `search benchmark ${new Date().toISOString()}` },
    );
    const key = data.createApiKey.key;
    return {
      handle,
      key,
      viewer: { userId, orgId, handle, role: 'MEMBER', keyId: fromGlobalId(data.createApiKey.apiKey.id, 'ApiKey').id, keyPrefix: key.slice(0, 8), tier: 'unlimited' },
    };
  };
  return {
    orgId,
    groups: teamIds.map((id) => ({ id, globalId: toGlobalId('Group', id) })),
    everyone: await principal(`${PREFIX}everyone`, everyoneId),
    selective: await principal(`${PREFIX}selective`, selectiveId),
    writers: await Promise.all(writerIds.map((id, i) => principal(`${PREFIX}writer-${i}`, id))),
    ownersByGroup,
  };
}
