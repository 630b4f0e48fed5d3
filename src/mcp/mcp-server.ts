/**
 * The MCP server over the tool set, one instance per MCP session (stdio: the process; HTTP:
 * each `Mcp-Session-Id`). `tools/list` answers the tool definitions; `tools/call` runs the
 * tool's operation as an ordinary GraphQL request with the caller's key and returns its
 * `data` (or the GraphQL errors as a tool error).
 *
 * Uses the SDK's low-level `Server`: `McpServer.registerTool` wants Zod schemas, while these
 * tools carry JSON Schemas generated from GraphQL at run time (the SDK's documented use of
 * the low-level API).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode as McpErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../shared/logger.ts';
import { GraphQLTransportError, type GraphQLExecutor, type GraphQLResponse } from './graphql-client.ts';
import { fillProvenance, type ToolDefinition } from './tool-file.ts';
import { mcpTool } from './tools.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Longest `mcpClientId` the API stores. */
const MAX_CLIENT_ID = 200;

const INSTRUCTIONS = `Hivegraph is a shared knowledge graph. Search before you write: \`search\` finds artifacts \
(facts, decisions, code patterns, documents) by meaning and keywords, \`get_artifact\`, \`neighbors\` and \
\`shortest_path\` read them and their relationships. \`contribute\` submits new knowledge for review (it is \
scrubbed of personal data and screened; an AGENT's contributions wait as PENDING until a reviewer approves \
them); \`list_contributions\` shows where yours stand. You see only what your API key may see.`;

/** What a tool call needs from the transport. */
export interface McpServerOptions {
  tools: readonly ToolDefinition[];
  /** Runs GraphQL operations (against the API server over HTTP). */
  execute: GraphQLExecutor;
  /** The API key of the request being handled (stdio: the process's key; HTTP: the request's bearer key). */
  keyFor(extra: RequestInfo): string | undefined;
  /** The session id recorded as provenance `sessionId`. */
  sessionIdFor(extra: RequestInfo): string | undefined;
  logger: Logger;
}

/** The parts of the SDK's per-request `extra` the options read. */
export interface RequestInfo {
  sessionId?: string | undefined;
  authInfo?: { token: string } | undefined;
}

/** Creates an MCP server (not yet connected to a transport). */
export function createMcpServer(options: McpServerOptions): Server {
  const server = new Server({ name: 'hivegraph', version: VERSION }, { capabilities: { tools: { listChanged: false } }, instructions: INSTRUCTIONS });
  const byName = new Map(options.tools.map((t) => [t.name, t]));
  const listed = options.tools.map(mcpTool);

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listed }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = byName.get(request.params.name);
    if (!tool) throw new McpError(McpErrorCode.InvalidParams, `Unknown tool "${request.params.name}". Tools: ${[...byName.keys()].join(', ')}.`);
    const args = request.params.arguments ?? {};
    const unknown = Object.keys(args).filter((k) => !(k in tool.inputSchema.properties));
    if (unknown.length > 0) {
      const known = Object.keys(tool.inputSchema.properties);
      return errorResult(`Unknown argument${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; ${tool.name} takes ${known.length > 0 ? known.join(', ') : 'none'}.`, 'BAD_USER_INPUT');
    }
    const key = options.keyFor(extra);
    if (!key) return errorResult('No API key for this call.', 'UNAUTHENTICATED');
    const client = server.getClientVersion();
    const variables = fillProvenance(tool.provenance, args, {
      ...(client ? { mcpClientId: clientId(client) } : {}),
      ...(options.sessionIdFor(extra) ? { sessionId: options.sessionIdFor(extra)! } : {}),
    });
    const requestId = randomUUID();
    const started = performance.now();
    try {
      const response = await options.execute(
        { query: tool.document, variables, operationName: tool.operationName },
        { key, signal: extra.signal, requestId },
      );
      const result = toolResult(response);
      options.logger.debug('tool call', { tool: tool.name, requestId, ms: Math.round(performance.now() - started), isError: result.isError === true });
      return result;
    } catch (error) {
      if (error instanceof GraphQLTransportError) {
        options.logger.warn('tool call could not reach the API', { tool: tool.name, requestId, error: error.message });
        return errorResult(error.message, 'SERVICE_UNAVAILABLE');
      }
      throw error;
    }
  });
  return server;
}

/** `name/version` as the client named itself in `initialize`. */
function clientId(client: { name: string; version: string }): string {
  return `${client.name}/${client.version}`.slice(0, MAX_CLIENT_ID);
}

/**
 * A GraphQL response as a tool result: `data` as JSON text (and as `structuredContent`); any
 * errors make it a tool error listing each message with its code and extensions
 * (e.g. `RATE_LIMITED` with `retryAfterSeconds`), plus whatever partial data came back.
 */
export function toolResult(response: GraphQLResponse): CallToolResult {
  const data = response.data ?? null;
  if (response.errors && response.errors.length > 0) {
    const errors = response.errors.map((e) => {
      const { code, ...extensions } = e.extensions ?? {};
      return { message: e.message, ...(code !== undefined ? { code } : {}), ...(e.path ? { path: e.path } : {}), ...extensions };
    });
    return { isError: true, content: [{ type: 'text', text: JSON.stringify(data === null ? { errors } : { errors, data }) }] };
  }
  return { content: [{ type: 'text', text: JSON.stringify(data) }], ...(data ? { structuredContent: data } : {}) };
}

function errorResult(message: string, code: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: JSON.stringify({ errors: [{ message, code }] }) }] };
}
