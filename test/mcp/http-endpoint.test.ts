/**
 * The /mcp endpoint on its own, in front of a fake GraphQL server that records what each tool
 * call sends: the request's bearer key, provenance filled from the session, error mapping,
 * authentication answers, session binding, the per-key session cap and idle expiry.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TOOLS_DIR } from '../../src/config/config.ts';
import { createMcpHttpEndpoint, type McpHttpEndpoint, type McpHttpEndpointOptions } from '../../src/mcp/http-endpoint.ts';
import { readSchemaFile } from '../../src/mcp/schema-source.ts';
import type { ToolDefinition } from '../../src/mcp/tool-file.ts';
import { loadTools } from '../../src/mcp/tools.ts';
import { createLogger } from '../../src/shared/logger.ts';

const KEYS: Record<string, string> = { 'Bearer key-a': 'A', 'Bearer key-b': 'B' };

interface Recorded {
  authorization: string | undefined;
  body: { query: string; variables?: Record<string, unknown>; operationName?: string };
}

let tools: ToolDefinition[];
let graphql: Server;
let graphqlUrl = '';
const recorded: Recorded[] = [];
let respond: (body: Recorded['body']) => unknown = (body) => ({ data: { echo: body.variables ?? null } });
const opened: { endpoint: McpHttpEndpoint; http: Server }[] = [];
const clients: Client[] = [];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => resolve(text));
  });
}

beforeAll(async () => {
  tools = await loadTools([DEFAULT_TOOLS_DIR], await readSchemaFile());
  graphql = createServer(async (req, res) => {
    const body = JSON.parse(await readBody(req)) as Recorded['body'];
    recorded.push({ authorization: req.headers.authorization, body });
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(respond(body)));
  });
  await new Promise<void>((resolve) => graphql.listen(0, '127.0.0.1', resolve));
  graphqlUrl = `http://127.0.0.1:${(graphql.address() as AddressInfo).port}/graphql`;
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  for (const { endpoint, http } of opened.splice(0)) {
    await endpoint.close();
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  }
  recorded.length = 0;
  respond = (body) => ({ data: { echo: body.variables ?? null } });
});

afterAll(async () => {
  await new Promise((resolve) => graphql.close(resolve));
});

/** Serves an endpoint at http://127.0.0.1:<port>/mcp. */
async function serve(overrides: Partial<McpHttpEndpointOptions> = {}): Promise<{ url: URL; endpoint: McpHttpEndpoint }> {
  const endpoint = createMcpHttpEndpoint({
    tools,
    graphqlUrl: () => graphqlUrl,
    authenticate: async (authorization) => (authorization && KEYS[authorization] ? { keyId: KEYS[authorization]! } : undefined),
    logger: createLogger('silent'),
    ...overrides,
  });
  const app = express();
  app.all('/mcp', express.json(), (req, res, next) => {
    endpoint.handle(req, res).catch(next);
  });
  const http = createServer(app);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  opened.push({ endpoint, http });
  return { url: new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`), endpoint };
}

async function connect(url: URL, key: string, info = { name: 'probe', version: '0.9' }) {
  const client = new Client(info);
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${key}` } } });
  await client.connect(transport);
  clients.push(client);
  return { client, transport };
}

function textOf(result: unknown): unknown {
  const content = (result as { content: { type: string; text: string }[] }).content;
  return JSON.parse(content[0]!.text);
}

/** A raw JSON-RPC POST (what a client without the SDK would send). */
function post(url: URL, headers: Record<string, string>, body: unknown) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

describe('the /mcp endpoint', () => {
  it('sends each tool call with the caller key and fills provenance from the MCP session', async () => {
    const { url } = await serve();
    const { client, transport } = await connect(url, 'key-a', { name: 'probe', version: '0.9' });
    const result = await client.callTool({ name: 'contribute', arguments: { input: { kind: 'fact', content: 'water is wet' } } });
    expect(result.isError).toBeFalsy();
    const call = recorded.at(-1)!;
    expect(call.authorization).toBe('Bearer key-a');
    expect(call.body.operationName).toBe('Contribute');
    expect(call.body.variables).toEqual({ input: { kind: 'fact', content: 'water is wet', sessionId: transport.sessionId, mcpClientId: 'probe/0.9' } });
    expect(result.structuredContent).toEqual({ echo: call.body.variables });

    await client.callTool({ name: 'contribute', arguments: { input: { kind: 'fact', content: 'x', sessionId: 'my-own', mcpClientId: 'me' } } });
    expect(recorded.at(-1)!.body.variables).toEqual({ input: { kind: 'fact', content: 'x', sessionId: 'my-own', mcpClientId: 'me' } });
  });

  it('maps GraphQL errors, unknown arguments, unknown tools and an unreachable API', async () => {
    const { url } = await serve();
    const { client } = await connect(url, 'key-a');
    respond = () => ({ errors: [{ message: 'Too many requests.', extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 12 } }] });
    const limited = await client.callTool({ name: 'search', arguments: { query: 'x' } });
    expect(limited.isError).toBe(true);
    expect(textOf(limited)).toEqual({ errors: [{ message: 'Too many requests.', code: 'RATE_LIMITED', retryAfterSeconds: 12 }] });

    const unknownArg = await client.callTool({ name: 'search', arguments: { query: 'x', colour: 'red' } });
    expect(unknownArg.isError).toBe(true);
    expect(textOf(unknownArg)).toEqual({ errors: [{ message: 'Unknown argument colour; search takes query, mode, filter, first.', code: 'BAD_USER_INPUT' }] });

    await expect(client.callTool({ name: 'nope', arguments: {} })).rejects.toThrow(/Unknown tool "nope"/);

    const down = await serve({ graphqlUrl: () => 'http://127.0.0.1:1/graphql' });
    const { client: other } = await connect(down.url, 'key-a');
    const unreachable = await other.callTool({ name: 'search', arguments: { query: 'x' } });
    expect(unreachable.isError).toBe(true);
    expect(textOf(unreachable)).toMatchObject({ errors: [{ code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('cannot reach http://127.0.0.1:1/graphql') }] });
  });

  it('answers 401 without a valid key, 503 when the check fails, 400 without a session', async () => {
    const { url } = await serve();
    const refused: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: 'Basic a2V5LWE=' }];
    for (const headers of refused) {
      const res = await post(url, headers, INITIALIZE);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32001 } });
    }
    const notInitialized = await post(url, { authorization: 'Bearer key-a' }, { jsonrpc: '2.0', id: 2, method: 'tools/list' });
    expect(notInitialized.status).toBe(400);

    const failing = await serve({ authenticate: async () => Promise.reject(new Error('database down')) });
    expect((await post(failing.url, { authorization: 'Bearer key-a' }, INITIALIZE)).status).toBe(503);
  });

  it('binds a session to the key that opened it and ends it on DELETE', async () => {
    const { url, endpoint } = await serve();
    const { client, transport } = await connect(url, 'key-a');
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
    const asB = await post(url, { authorization: 'Bearer key-b', 'mcp-session-id': transport.sessionId!, 'mcp-protocol-version': '2025-06-18' }, list);
    expect(asB.status).toBe(404);
    const unknown = await post(url, { authorization: 'Bearer key-a', 'mcp-session-id': 'no-such-session', 'mcp-protocol-version': '2025-06-18' }, list);
    expect(unknown.status).toBe(404);
    expect((await client.listTools()).tools.length).toBe(tools.length);
    expect(endpoint.sessionCount()).toBe(1);
    await transport.terminateSession();
    await expect.poll(() => endpoint.sessionCount()).toBe(0);
  });

  it('keeps at most maxSessionsPerKey sessions per key, closing the least recently used first', async () => {
    const { url, endpoint } = await serve({ maxSessionsPerKey: 2 });
    const first = await connect(url, 'key-a');
    const second = await connect(url, 'key-a');
    await connect(url, 'key-b');
    await second.client.listTools();
    await connect(url, 'key-a');
    expect(endpoint.sessionCount()).toBe(3);
    await expect(first.client.listTools()).rejects.toThrow();
    await second.client.listTools();
  });

  it('closes sessions left idle', async () => {
    const { url, endpoint } = await serve({ idleTimeoutMs: 200 });
    const { client } = await connect(url, 'key-a');
    expect(endpoint.sessionCount()).toBe(1);
    await expect.poll(() => endpoint.sessionCount(), { timeout: 5000 }).toBe(0);
    await expect(client.listTools()).rejects.toThrow();
  });
});
