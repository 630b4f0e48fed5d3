/**
 * MCP over streamable HTTP (the SDK's transport), for mounting at `/mcp` on the API server.
 *
 * - Every request needs `Authorization: Bearer <API key>` (401 otherwise); each tool call runs
 *   with the key of the request that carries it.
 * - Sessions (`Mcp-Session-Id`) live in this process and are bound to the key that opened
 *   them: another key, or an unknown or expired id, gets 404 and the client starts a new
 *   session. Behind a load balancer, route by that header (sticky sessions).
 * - Bounded: a key holds at most `maxSessionsPerKey` sessions (the least recently used is
 *   closed first); sessions idle for `idleTimeoutMs` are closed.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../shared/logger.ts';
import { createGraphQLClient } from './graphql-client.ts';
import { createMcpServer } from './mcp-server.ts';
import type { ToolDefinition } from './tool-file.ts';

/** Options of {@link createMcpHttpEndpoint}. */
export interface McpHttpEndpointOptions {
  tools: readonly ToolDefinition[];
  /** Where tool calls are sent (asked on every call, so it may be known only once the server listens). */
  graphqlUrl: () => string;
  /**
   * Checks an `Authorization` header: resolves to the key's id, or undefined when the header
   * names no active key (→ 401). Throwing means the check itself failed (→ 503).
   */
  authenticate: (authorization: string | undefined) => Promise<{ keyId: string } | undefined>;
  logger: Logger;
  /** A session unused for this long is closed. Default 30 minutes. */
  idleTimeoutMs?: number;
  /** Most open sessions per API key. Default 16. */
  maxSessionsPerKey?: number;
}

/** The `/mcp` handler and its lifecycle. */
export interface McpHttpEndpoint {
  /** Handles GET/POST/DELETE `/mcp`; a POST body must already be parsed as JSON (`req.body`). */
  handle(req: IncomingMessage & { body?: unknown }, res: ServerResponse): Promise<void>;
  /** Open sessions (for tests and metrics). */
  sessionCount(): number;
  /** Closes every session (ends open SSE streams) and stops the idle sweep. */
  close(): Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: Server;
  keyId: string;
  lastSeen: number;
}

/** Creates the endpoint. */
export function createMcpHttpEndpoint(options: McpHttpEndpointOptions): McpHttpEndpoint {
  const idleTimeoutMs = options.idleTimeoutMs ?? 30 * 60_000;
  const maxSessionsPerKey = options.maxSessionsPerKey ?? 16;
  const sessions = new Map<string, Session>();
  const execute = createGraphQLClient({ url: options.graphqlUrl, userAgent: 'hivegraph-mcp-http' });
  const logger = options.logger.child({ component: 'mcp' });

  const closeSession = async (id: string, why: string) => {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    logger.debug('MCP session closed', { why });
    await session.transport.close().catch(() => undefined);
    await session.server.close().catch(() => undefined);
  };

  const sweep = setInterval(() => {
    const cutoff = Date.now() - idleTimeoutMs;
    for (const [id, session] of sessions) if (session.lastSeen < cutoff) void closeSession(id, 'idle');
  }, Math.min(60_000, idleTimeoutMs));
  sweep.unref();

  const open = async (keyId: string): Promise<StreamableHTTPServerTransport> => {
    const mine = [...sessions.entries()].filter(([, s]) => s.keyId === keyId).sort(([, a], [, b]) => a.lastSeen - b.lastSeen);
    for (const [id] of mine.slice(0, Math.max(0, mine.length - maxSessionsPerKey + 1))) await closeSession(id, 'too many sessions for one key');
    const server = createMcpServer({
      tools: options.tools,
      execute,
      keyFor: (extra) => extra.authInfo?.token,
      sessionIdFor: (extra) => extra.sessionId,
      logger,
    });
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, keyId, lastSeen: Date.now() });
      },
      onsessionclosed: (id) => {
        void closeSession(id, 'closed by the client');
      },
    });
    await server.connect(transport);
    return transport;
  };

  return {
    async handle(req, res) {
      const authorization = req.headers.authorization;
      let principal: { keyId: string } | undefined;
      try {
        principal = await options.authenticate(authorization);
      } catch (error) {
        logger.warn('MCP request could not be authenticated', { error: error instanceof Error ? error.message : String(error) });
        return rpcError(res, 503, -32000, 'Authentication is unavailable right now; retry shortly.');
      }
      const token = bearer(authorization);
      if (!principal || !token) {
        res.setHeader('www-authenticate', 'Bearer');
        return rpcError(res, 401, -32001, 'A valid API key is required (Authorization: Bearer <key>).');
      }
      const withAuth = Object.assign(req, { auth: { token, clientId: principal.keyId, scopes: [] } });
      const sessionHeader = req.headers['mcp-session-id'];
      const sessionId = Array.isArray(sessionHeader) ? sessionHeader[0] : sessionHeader;
      if (sessionId !== undefined) {
        const session = sessions.get(sessionId);
        // Another key's session reads exactly like an unknown one.
        if (!session || session.keyId !== principal.keyId) return rpcError(res, 404, -32001, 'Session not found; start a new one with initialize.');
        session.lastSeen = Date.now();
        return session.transport.handleRequest(withAuth, res, req.body);
      }
      const body: unknown = req.body;
      const initializing = req.method === 'POST' && (isInitializeRequest(body) || (Array.isArray(body) && body.some((m) => isInitializeRequest(m))));
      if (!initializing) return rpcError(res, 400, -32000, 'Bad request: send initialize first, then the Mcp-Session-Id it returns with every request.');
      const transport = await open(principal.keyId);
      return transport.handleRequest(withAuth, res, body);
    },
    sessionCount: () => sessions.size,
    async close() {
      clearInterval(sweep);
      await Promise.all([...sessions.keys()].map((id) => closeSession(id, 'server stopping')));
    },
  };
}

function bearer(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

function rpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
