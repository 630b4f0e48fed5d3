/** `hivegraph tools`: prints the agent tool definitions for function-calling APIs. */
import { parseToolsDirs } from '../../config/config.ts';
import { GraphQLOperationError, readSchemaFile, DEFAULT_SCHEMA_FILE } from '../../mcp/schema-source.ts';
import { prepareRemoteTools } from '../../mcp/stdio.ts';
import { ToolFileError } from '../../mcp/tool-file.ts';
import { formatTools, loadTools, TOOL_FORMATS, type ToolFormat } from '../../mcp/tools.ts';
import { ConfigError } from '../../config/config.ts';
import { ExitCode, parseCommandArgs, UsageError } from '../io.ts';

export const TOOLS_USAGE = `Usage: hivegraph tools [--format mcp|openai|anthropic] [--tools DIR]... [--schema FILE | --url URL]

Prints the agent tools as a JSON array on stdout: every GraphQL operation file in the tools
directories is one tool, its input schema generated from the operation's variables.
  --format   mcp: {name, description, inputSchema, annotations} (the default; what MCP tools/list
             answers) · openai: {type: "function", function: {name, description, parameters}} ·
             anthropic: {name, description, input_schema}
  --tools    a directory of .graphql tool files; repeat for several (default: HIVEGRAPH_TOOLS_DIR,
             else the shipped tools/)
  --schema   the SDL the tools are checked against (default: this version's schema.graphql)
  --url      check them against a running server's schema instead (introspection, with
             HIVEGRAPH_API_KEY)
Exit codes: 65 a tool file is invalid, 69 the server cannot be reached, 78 the key is missing or refused.`;

/** Prints the tool definitions. */
export async function toolsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    format: { type: 'string' },
    tools: { type: 'string', multiple: true },
    schema: { type: 'string' },
    url: { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(`${TOOLS_USAGE}\n`);
    return ExitCode.OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n\n${TOOLS_USAGE}`);
  const format = (values.format ?? 'mcp') as ToolFormat;
  if (!TOOL_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${TOOL_FORMATS.join(', ')}, got "${values.format}"`);
  if (values.schema && values.url) throw new UsageError('give --schema or --url, not both');
  const dirs = toolsDirsFrom(values.tools);
  return withToolFileErrors(async () => {
    let tools;
    if (values.url) {
      tools = (await prepareRemoteTools(graphqlEndpoint(values.url), apiKeyFromEnv(), dirs)).tools;
    } else {
      tools = await loadTools(dirs, await readSchemaFile(values.schema ?? DEFAULT_SCHEMA_FILE));
    }
    process.stdout.write(`${JSON.stringify(formatTools(tools, format), null, 2)}\n`);
    return ExitCode.OK;
  });
}

/** `--tools` values, else HIVEGRAPH_TOOLS_DIR, else the shipped tools. */
export function toolsDirsFrom(flags: string[] | undefined): string[] {
  return flags && flags.length > 0 ? flags.flatMap((f) => parseToolsDirs(f)) : parseToolsDirs(process.env['HIVEGRAPH_TOOLS_DIR']);
}

/** HIVEGRAPH_API_KEY, or a ConfigError (exit 78) saying how to get one. */
export function apiKeyFromEnv(): string {
  const key = process.env['HIVEGRAPH_API_KEY']?.trim();
  if (!key) throw new ConfigError(['HIVEGRAPH_API_KEY: required — the API key the tools call Hivegraph with (`hivegraph keys create --name agent --user <handle>`)']);
  return key;
}

/** Checks `--url` and points it at /graphql when it is a bare server address. */
export function graphqlEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url must be an http(s) URL such as http://127.0.0.1:4000/graphql, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be http:// or https://, got "${url.protocol}"`);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/graphql';
  return url.toString();
}

/** Runs `body`, printing a bad tool file or a refused operation as one line with exit code 65. */
export async function withToolFileErrors(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ToolFileError || error instanceof GraphQLOperationError) {
      process.stderr.write(`hivegraph: ${error.message}\n`);
      return ExitCode.DATA;
    }
    throw error;
  }
}
