/**
 * MCP over stdio against a running Hivegraph API (`hivegraph mcp --url URL`): checks the key,
 * types the tools with the server's own schema (introspection), then serves stdin/stdout
 * until the client closes stdin. Logs go to stderr only: stdout carries the protocol.
 */
import { randomUUID } from 'node:crypto';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StartupError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { createGraphQLClient, GraphQLTransportError, type GraphQLExecutor } from './graphql-client.ts';
import { createMcpServer } from './mcp-server.ts';
import { GraphQLOperationError, introspectSchema } from './schema-source.ts';
import { loadTools } from './tools.ts';
import type { ToolDefinition } from './tool-file.ts';

/** Options of {@link runStdioServer}. */
export interface StdioServerOptions {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  url: string;
  /** The API key every call is made with. */
  key: string;
  toolsDirs: readonly string[];
  logger: Logger;
  /** Defaults to the process's stdin/stdout. */
  stdin?: NodeJS.ReadableStream & { pause(): unknown };
  stdout?: NodeJS.WritableStream;
}

/**
 * Connects to the API and loads the tools.
 * @throws StartupError — unreachable server (69) or a refused key (78); ToolFileError for a bad tool file
 */
export async function prepareRemoteTools(url: string, key: string, toolsDirs: readonly string[]): Promise<{ tools: ToolDefinition[]; execute: GraphQLExecutor; me: { handle: string; role: string } }> {
  const execute = createGraphQLClient({ url, userAgent: 'hivegraph-mcp-stdio' });
  let me: { handle: string; role: string };
  try {
    const response = await execute({ query: '{ me { handle role } }' }, { key });
    const data = response.data as { me?: { handle: string; role: string } } | null | undefined;
    if (response.errors?.length || !data?.me) throw new GraphQLOperationError('checking the API key', response.errors ?? []);
    me = data.me;
    const schema = await introspectSchema(execute, key);
    return { tools: await loadTools(toolsDirs, schema), execute, me };
  } catch (error) {
    if (error instanceof GraphQLTransportError) {
      throw new StartupError(`Cannot use the Hivegraph API at ${url}: ${error.message}. Is the server running, and is the URL its /graphql endpoint?`, { cause: error });
    }
    if (error instanceof GraphQLOperationError && error.code === 'UNAUTHENTICATED') {
      throw new StartupError(`${url} refused HIVEGRAPH_API_KEY (unknown or revoked key): create one with \`hivegraph keys create\`.`, { configuration: true, cause: error });
    }
    if (error instanceof GraphQLOperationError) throw new StartupError(`${url}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** Serves the tools on stdio; resolves when the client has closed stdin. */
export async function runStdioServer(options: StdioServerOptions): Promise<void> {
  const { tools, execute, me } = await prepareRemoteTools(options.url, options.key, options.toolsDirs);
  const sessionId = randomUUID();
  const server = createMcpServer({
    tools,
    execute,
    keyFor: () => options.key,
    sessionIdFor: () => sessionId,
    logger: options.logger,
  });
  const stdin = options.stdin ?? process.stdin;
  const transport = new StdioServerTransport(stdin as NodeJS.ReadStream, (options.stdout ?? process.stdout) as NodeJS.WriteStream);
  const closed = new Promise<void>((resolve) => {
    stdin.once('end', resolve);
    stdin.once('close', resolve);
    transport.onclose = resolve;
  });
  await server.connect(transport);
  options.logger.info(`MCP on stdio: ${tools.length} tools for ${options.url} as ${me.handle} (${me.role}), session ${sessionId}`);
  await closed;
  await server.close().catch(() => undefined);
}
