/**
 * GraphQL hardening (issue 14), over real HTTP and WebSocket on the run's backends: the token
 * limit on parsed documents, introspection by role with field suggestions masked for the
 * others, and trusted-documents mode with the agent tools as the list.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TOOLS_DIR } from '../../src/config/config.ts';
import { createActor, type Actor } from '../support/actors.ts';
import { ADMIN_KEY, gql, startTestServer, wsClient, wsExecute, type TestServer } from '../support/server.ts';

const SCHEMA_QUERY = '{ __schema { queryType { name } } }';

describe('token limit, introspection by role, suggestion masking', () => {
  let server: TestServer;
  let member: Actor;

  beforeAll(async () => {
    server = await startTestServer({ HIVEGRAPH_MAX_QUERY_TOKENS: '200', HIVEGRAPH_INTROSPECTION: 'ADMIN', HIVEGRAPH_RATE_LIMITS: 'standard=100000/1' });
    member = await createActor(server, ADMIN_KEY, `hardening-member-${Date.now()}`, 'MEMBER');
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('refuses a document over HIVEGRAPH_MAX_QUERY_TOKENS over HTTP and WebSocket, and accepts one under it', async () => {
    const big = `{ me { ${'handle '.repeat(250)}} }`;
    const http = await gql(server, big, { key: ADMIN_KEY });
    expect(http.status).toBe(400);
    expect(http.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_PARSE_FAILED');
    expect(http.body.errors?.[0]?.message).toMatch(/200 tokens/);
    const client = wsClient(server, ADMIN_KEY);
    try {
      const ws = await wsExecute(client, big).catch((errors: unknown) => ({ errors: errors as { message: string; extensions?: Record<string, unknown> }[] }));
      expect(ws.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_PARSE_FAILED');
      expect(ws.errors?.[0]?.message).toMatch(/200 tokens/);
      expect((await wsExecute<{ me: { handle: string } }>(client, `{ me { ${'handle '.repeat(50)}} }`)).data?.me.handle).toBe('admin');
    } finally {
      await client.dispose();
    }
  });

  it('lets only the configured roles introspect, over HTTP and WebSocket; __typename stays allowed', async () => {
    const admin = await gql<{ __schema: { queryType: { name: string } } }>(server, SCHEMA_QUERY, { key: ADMIN_KEY });
    expect(admin.body.data?.__schema.queryType.name).toBe('Query');
    const denied = await gql(server, SCHEMA_QUERY, { key: member.key });
    expect(denied.status).toBe(400);
    expect(denied.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(denied.body.errors?.[0]?.message).toMatch(/introspection is not allowed/);
    expect((await gql<{ __typename: string }>(server, '{ __typename }', { key: member.key })).body.data?.__typename).toBe('Query');
    const client = wsClient(server, member.key);
    try {
      const ws = await wsExecute(client, '{ __type(name: "Artifact") { name } }').catch((errors: unknown) => ({ errors: errors as { extensions?: Record<string, unknown> }[] }));
      expect(ws.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    } finally {
      await client.dispose();
    }
  });

  it('masks "Did you mean" suggestions for callers who may not introspect, and only for them', async () => {
    const typo = '{ me { handl } }';
    const forAdmin = await gql(server, typo, { key: ADMIN_KEY });
    expect(forAdmin.body.errors?.[0]?.message).toMatch(/Did you mean "handle"\?/);
    const forMember = await gql(server, typo, { key: member.key });
    expect(forMember.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(forMember.body.errors?.[0]?.message).toBe('Cannot query field "handl" on type "User".');
    const client = wsClient(server, member.key);
    try {
      const ws = await wsExecute(client, typo).catch((errors: unknown) => ({ errors: errors as { message: string }[] }));
      expect(ws.errors?.[0]?.message).toBe('Cannot query field "handl" on type "User".');
    } finally {
      await client.dispose();
    }
  });
});

describe('trusted documents: HIVEGRAPH_TRUSTED_DOCUMENTS=tools', () => {
  let server: TestServer;
  let searchTool: string;

  beforeAll(async () => {
    server = await startTestServer({ HIVEGRAPH_TRUSTED_DOCUMENTS: 'tools', HIVEGRAPH_RATE_LIMITS: 'standard=100000/1' });
    searchTool = await readFile(`${DEFAULT_TOOLS_DIR}/search.graphql`, 'utf8');
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('runs a listed operation whatever its white space and comments, and refuses any other with FORBIDDEN', async () => {
    const variables = { query: 'cache', first: 3 };
    const listed = await gql(server, searchTool, { key: ADMIN_KEY, variables });
    expect(listed.status).toBe(200);
    expect(listed.body.errors).toBeUndefined();
    const reformatted = `# the same operation, laid out differently\n${searchTool.replace(/#[^\n]*\n/g, '\n').replace(/\s+/g, ' ')}`;
    expect((await gql(server, reformatted, { key: ADMIN_KEY, variables })).body.errors).toBeUndefined();

    const other = await gql(server, '{ me { handle } }', { key: ADMIN_KEY });
    expect(other.status).toBe(403);
    expect(other.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(other.body.errors?.[0]?.message).toMatch(/HIVEGRAPH_TRUSTED_DOCUMENTS/);
    const client = wsClient(server, ADMIN_KEY);
    try {
      const ws = await wsExecute(client, '{ me { handle } }').catch((errors: unknown) => ({ errors: errors as { extensions?: Record<string, unknown> }[] }));
      expect(ws.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect((await wsExecute(client, searchTool, variables)).errors).toBeUndefined();
    } finally {
      await client.dispose();
    }
  });
});
