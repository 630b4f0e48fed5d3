/** `hivegraph mcp`: serves the agent tools to an MCP client over stdio. */
import { LOG_LEVELS, createLogger, type LogLevel } from '../../shared/logger.ts';
import { runStdioServer } from '../../mcp/stdio.ts';
import { ExitCode, parseCommandArgs, UsageError } from '../io.ts';
import { apiKeyFromEnv, graphqlEndpoint, toolsDirsFrom, withToolFileErrors } from './tools.ts';

export const MCP_USAGE = `Usage: hivegraph mcp --url URL [--tools DIR]...

Serves Hivegraph's agent tools (search, get_artifact, neighbors, shortest_path, contribute,
list_contributions and any tool files you add) to an MCP client over stdin/stdout. Every tool
call is a GraphQL request to URL with HIVEGRAPH_API_KEY, so that key's role and visibility apply.
  --url    the API's GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql (a bare
           http://host:port means its /graphql)
  --tools  a directory of .graphql tool files; repeat for several (default: HIVEGRAPH_TOOLS_DIR,
           else the shipped tools/)
Environment: HIVEGRAPH_API_KEY (required), HIVEGRAPH_LOG_LEVEL (logs go to stderr only).
Runs until the client closes stdin. Exit codes: 0 closed by the client, 64 usage, 65 a tool file
is invalid, 69 the server cannot be reached, 78 HIVEGRAPH_API_KEY is missing or refused.`;

/** Runs the stdio MCP server until the client goes away. */
export async function mcpCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    url: { type: 'string' },
    tools: { type: 'string', multiple: true },
  });
  if (values.help) {
    process.stdout.write(`${MCP_USAGE}\n`);
    return ExitCode.OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n\n${MCP_USAGE}`);
  if (!values.url) throw new UsageError(`mcp needs --url URL (the Hivegraph GraphQL endpoint)\n\n${MCP_USAGE}`);
  const url = graphqlEndpoint(values.url);
  const key = apiKeyFromEnv();
  const level = (process.env['HIVEGRAPH_LOG_LEVEL'] ?? 'info').trim().toLowerCase();
  const logger = createLogger((LOG_LEVELS as readonly string[]).includes(level) ? (level as LogLevel) : 'info');
  return withToolFileErrors(async () => {
    await runStdioServer({ url, key, toolsDirs: toolsDirsFrom(values.tools), logger });
    return ExitCode.OK;
  });
}
