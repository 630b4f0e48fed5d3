/**
 * MCP over streamable HTTP at /mcp on a real Hivegraph server, driven by the SDK's own
 * Client: the shipped tools, calls as an AGENT (contributions PENDING with MCP provenance),
 * visibility, roles and rate limits exactly as over GraphQL, and authentication.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../support/actors.ts';
import { ADMIN_KEY, startTestServer, type TestServer } from '../support/server.ts';
import { callTool, readContribution, seedWorld, SHIPPED_TOOLS, type World } from './mcp-helpers.ts';

let server: TestServer;
let world: World;
const clients: Client[] = [];

beforeAll(async () => {
  // A tiny tier for the rate-limit case; every other key keeps the default tier.
  server = await startTestServer({ HIVEGRAPH_RATE_LIMITS: 'tiny=3/3600' });
  world = await seedWorld(server, 'http');
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await server?.stop();
});

async function connect(key: string, info = { name: 'test-agent', version: '1.2.3' }) {
  const client = new Client(info);
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } });
  await client.connect(transport);
  clients.push(client);
  return { client, transport };
}

describe('MCP over streamable HTTP at /mcp', () => {
  it('lists the shipped tools with generated input schemas', async () => {
    const { client } = await connect(world.agent.key);
    expect(client.getServerVersion()?.name).toBe('hivegraph');
    expect(client.getInstructions()).toContain('search');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(SHIPPED_TOOLS));
    const search = tools.find((t) => t.name === 'search')!;
    expect(search.inputSchema).toMatchObject({ type: 'object', required: ['query'], properties: { query: { type: 'string' } } });
    expect(search.annotations?.readOnlyHint).toBe(true);
    expect(tools.find((t) => t.name === 'contribute')!.annotations?.readOnlyHint).toBe(false);
  });

  it('search finds what the key may see and nothing else', async () => {
    const { client } = await connect(world.agent.key);
    const { isError, json, structured } = await callTool(client, 'search', { query: 'zeppelin rollout', mode: 'TEXT' });
    expect(isError).toBe(false);
    expect(structured).toEqual(json);
    const ids = (json.search as { artifact: { id: string; title: string } }[]).map((h) => h.artifact.id);
    expect(ids).toContain(world.runbook);
    expect(ids).not.toContain(world.secret);
    // The member who owns the private note finds it through the same tool.
    const { client: asMember } = await connect(world.member.key);
    const mine = await callTool(asMember, 'search', { query: 'zeppelin rollout', mode: 'TEXT' });
    expect((mine.json.search as { artifact: { id: string } }[]).map((h) => h.artifact.id)).toContain(world.secret);
  });

  it('get_artifact, neighbors and shortest_path read the graph; invisible artifacts read as absent', async () => {
    const { client } = await connect(world.agent.key);
    const got = await callTool(client, 'get_artifact', { id: world.runbook });
    expect(got.json.artifact).toMatchObject({ id: world.runbook, title: 'Zeppelin rollout runbook', visibility: 'ORG' });
    expect(got.json.artifact.relationships.edges[0].node).toMatchObject({ type: 'MENTIONS', to: { id: world.middle } });

    const near = await callTool(client, 'neighbors', { id: world.runbook, depth: 2 });
    expect(near.json.artifact.neighbors.map((a: { id: string }) => a.id)).toEqual([world.middle, world.last]);
    const path = await callTool(client, 'shortest_path', { from: world.runbook, to: world.last });
    expect(path.json.shortestPath.map((a: { id: string }) => a.id)).toEqual([world.runbook, world.middle, world.last]);

    const hidden = await callTool(client, 'get_artifact', { id: world.secret });
    expect(hidden).toMatchObject({ isError: false, json: { artifact: null } });
    expect((await callTool(client, 'neighbors', { id: world.secret })).json).toEqual({ artifact: null });
    expect((await callTool(client, 'shortest_path', { from: world.runbook, to: world.secret })).json).toEqual({ shortestPath: null });
  });

  it('contribute as an AGENT is PENDING, with the MCP client and session recorded', async () => {
    const { client, transport } = await connect(world.agent.key, { name: 'test-agent', version: '1.2.3' });
    const { isError, json } = await callTool(client, 'contribute', {
      input: { kind: 'fact', title: 'Zeppelin canary', content: 'Zeppelin canaries run for 30 minutes before promotion.' },
    });
    expect(isError).toBe(false);
    expect(json.contribute).toMatchObject({ status: 'PENDING', sessionId: transport.sessionId, mcpClientId: 'test-agent/1.2.3' });
    const stored = await readContribution(server, json.contribute.id);
    expect(stored).toEqual({ status: 'PENDING', sessionId: transport.sessionId, mcpClientId: 'test-agent/1.2.3', contributor: { handle: world.agent.handle } });

    const listed = await callTool(client, 'list_contributions', { status: 'PENDING' });
    expect(listed.json.contributions.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(json.contribute.id);

    // Approved by a reviewer, the artifact carries the provenance and the agent can read it.
    await ok(server, ADMIN_KEY, 'mutation ($id: ID!) { approveContribution(id: $id) { status } }', { id: json.contribute.id });
    const approved = await callTool(client, 'list_contributions', { status: 'APPROVED' });
    const artifactId = approved.json.contributions.edges.find((e: { node: { id: string } }) => e.node.id === json.contribute.id).node.artifact.id;
    const artifact = await callTool(client, 'get_artifact', { id: artifactId });
    expect(artifact.json.artifact.provenance).toMatchObject({ sessionId: transport.sessionId, mcpClientId: 'test-agent/1.2.3', contributionId: json.contribute.id });
  });

  it('roles apply unchanged: a READER may not contribute', async () => {
    const { client } = await connect(world.reader.key);
    const { isError, json } = await callTool(client, 'contribute', { input: { kind: 'fact', content: 'Readers write nothing.' } });
    expect(isError).toBe(true);
    expect(json.errors[0]).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('rate limits apply unchanged: tool calls count against the key, RATE_LIMITED carries retryAfterSeconds', async () => {
    const created = await ok<{ createApiKey: { key: string } }>(server, ADMIN_KEY, 'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }', {
      input: { userId: world.agent.id, name: 'tiny agent key', tier: 'tiny' },
    });
    const { client } = await connect(created.createApiKey.key);
    await client.listTools(); // MCP protocol traffic is not a GraphQL request
    for (let i = 0; i < 3; i++) expect((await callTool(client, 'get_artifact', { id: world.runbook })).isError).toBe(false);
    const limited = await callTool(client, 'get_artifact', { id: world.runbook });
    expect(limited.isError).toBe(true);
    expect(limited.json.errors[0]).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
  });

  it('GraphQL input errors come back as tool errors the agent can read', async () => {
    const { client } = await connect(world.agent.key);
    const missing = await callTool(client, 'get_artifact', {});
    expect(missing.isError).toBe(true);
    expect(missing.json.errors[0].message).toMatch(/\$id/);
    const badEnum = await callTool(client, 'search', { query: 'x', mode: 'FUZZY' });
    expect(badEnum.isError).toBe(true);
    expect(badEnum.json.errors[0].message).toMatch(/FUZZY/);
  });

  it('refuses requests without a valid key (401) and a revoked key at its next request', async () => {
    const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
    for (const headers of [{}, { authorization: 'Bearer not-a-key' }]) {
      const res = await fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify(initialize),
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    await expect(connect('not-a-key')).rejects.toThrow();

    const created = await ok<{ createApiKey: { key: string; apiKey: { id: string } } }>(
      server,
      ADMIN_KEY,
      'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id } } }',
      { input: { userId: world.agent.id, name: 'revoked soon' } },
    );
    const { client } = await connect(created.createApiKey.key);
    expect((await callTool(client, 'get_artifact', { id: world.runbook })).isError).toBe(false);
    await ok(server, ADMIN_KEY, 'mutation ($id: ID!) { revokeApiKey(id: $id) { id } }', { id: created.createApiKey.apiKey.id });
    await expect(client.callTool({ name: 'get_artifact', arguments: { id: world.runbook } })).rejects.toThrow(/valid API key is required/);
  });
});
