/**
 * `hivegraph` — the command line: serve | migrate | keys | orgs | graph resync | reembed | export | import | mcp | tools.
 */
import { EXPORT_USAGE, exportCommand } from './commands/export.ts';
import { GRAPH_USAGE, graphCommand } from './commands/graph.ts';
import { IMPORT_USAGE, importCommand } from './commands/import.ts';
import { KEYS_USAGE, keysCommand } from './commands/keys.ts';
import { MCP_USAGE, mcpCommand } from './commands/mcp.ts';
import { MIGRATE_USAGE, migrateCommand } from './commands/migrate.ts';
import { ORGS_USAGE, orgsCommand } from './commands/orgs.ts';
import { REEMBED_USAGE, reembedCommand } from './commands/reembed.ts';
import { SERVE_USAGE, serve } from './commands/serve.ts';
import { TOOLS_USAGE, toolsCommand } from './commands/tools.ts';
import { ExitCode, reportError, UsageError } from './io.ts';

const USAGE = `Usage: hivegraph <command> [options]

Commands:
  serve         run the GraphQL API server (default for \`npm start\`)
  migrate       apply pending database migrations
  keys create   create an API key for a user (printed once)
  orgs create   create an org with an ADMIN user (its key printed once)
  graph resync  rebuild the FalkorDB graph from Postgres (progress on stderr)
  reembed       re-encode every artifact with the configured embedder (progress on stderr)
  export        write a snapshot of the installation to a file (--out FILE)
  import        read a snapshot into the installation (FILE, --on-conflict fail|skip)
  mcp           serve the agent tools to an MCP client over stdio (--url URL, HIVEGRAPH_API_KEY)
  tools         print the agent tool definitions (--format mcp|openai|anthropic)

Run \`hivegraph <command> --help\` for a command's options. Configuration is read from the
environment (see README.md, "Configuration").`;

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; usage: string }> = {
  serve: { run: serve, usage: SERVE_USAGE },
  migrate: { run: migrateCommand, usage: MIGRATE_USAGE },
  keys: { run: keysCommand, usage: KEYS_USAGE },
  orgs: { run: orgsCommand, usage: ORGS_USAGE },
  graph: { run: graphCommand, usage: GRAPH_USAGE },
  reembed: { run: reembedCommand, usage: REEMBED_USAGE },
  export: { run: exportCommand, usage: EXPORT_USAGE },
  import: { run: importCommand, usage: IMPORT_USAGE },
  mcp: { run: mcpCommand, usage: MCP_USAGE },
  tools: { run: toolsCommand, usage: TOOLS_USAGE },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}"\n\n${USAGE}`);
  return command.run(rest);
}

const debug = (process.env['HIVEGRAPH_LOG_LEVEL'] ?? '').toLowerCase() === 'debug';
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.exitCode = reportError(error, debug);
}
