/**
 * Test actors: users with their own API keys, made through the GraphQL API as an ADMIN
 * would, plus a tiny typed GraphQL caller that fails loudly on unexpected errors.
 */
import { expect } from 'vitest';
import { gql, type GqlResponse } from './server.ts';

/** A user of the test server with a working API key. */
export interface Actor {
  /** Global id of the user. */
  id: string;
  handle: string;
  role: string;
  key: string;
}

/** Runs an operation as `key` and returns `data`, failing the test on any error. */
export async function ok<D = Record<string, any>>(
  server: { graphqlUrl: string },
  key: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<D> {
  const res = await gql<D>(server, query, { key, ...(variables ? { variables } : {}) });
  expect(res.body.errors, `unexpected errors for ${query.slice(0, 80)}`).toBeUndefined();
  return res.body.data as D;
}

/** Runs an operation expected to fail and returns the first error's code. */
export async function errorCode(
  server: { graphqlUrl: string },
  key: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<string | undefined> {
  const res: GqlResponse = await gql(server, query, { key, ...(variables ? { variables } : {}) });
  return res.body.errors?.[0]?.extensions?.['code'] as string | undefined;
}

/** Creates a user with `role` (as the ADMIN `adminKey`) and an API key for them. */
export async function createActor(server: { graphqlUrl: string }, adminKey: string, handle: string, role: string): Promise<Actor> {
  const created = await ok<{ createUser: { id: string } }>(
    server,
    adminKey,
    'mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }',
    { input: { handle, role } },
  );
  const id = created.createUser.id;
  const keyed = await ok<{ createApiKey: { key: string } }>(
    server,
    adminKey,
    'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }',
    { input: { userId: id, name: `${handle} test key` } },
  );
  return { id, handle, role, key: keyed.createApiKey.key };
}

/** Creates another org (as an operator would) and returns its ADMIN actor. */
export async function createOrgAdmin(
  server: { services: { orgs: { create(name: string): Promise<{ admin: { id: string }; key: string }> } } },
  name: string,
): Promise<Actor> {
  const created = await server.services.orgs.create(name);
  return { id: Buffer.from(`User:${created.admin.id}`).toString('base64url'), handle: 'admin', role: 'ADMIN', key: created.key };
}
