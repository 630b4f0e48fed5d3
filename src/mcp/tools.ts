/**
 * The tool set: every `*.graphql` (or `*.gql`) file in the tools directories, and the same
 * definitions in the shapes function-calling APIs expect (MCP, OpenAI, Anthropic).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { GraphQLSchema } from 'graphql';
import { parseToolFile, ToolFileError, type ToolDefinition, type ToolInputSchema } from './tool-file.ts';

/**
 * Loads every operation file of `dirs` (in order; files of a directory by name) as tools.
 * @throws ToolFileError naming the file or directory: unreadable, invalid, or a tool name used twice
 */
export async function loadTools(dirs: readonly string[], schema: GraphQLSchema): Promise<ToolDefinition[]> {
  const tools: ToolDefinition[] = [];
  const byName = new Map<string, ToolDefinition>();
  for (const dir of dirs) {
    let names: string[];
    try {
      names = (await readdir(dir, { withFileTypes: true }))
        .filter((e) => e.isFile() && /\.(graphql|gql)$/i.test(e.name))
        .map((e) => e.name)
        .sort();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ToolFileError(dir, code === 'ENOENT' ? 'no such tools directory' : code === 'ENOTDIR' ? 'not a directory' : `cannot read the tools directory (${code ?? String(error)})`);
    }
    for (const name of names) {
      const file = path.join(dir, name);
      const tool = parseToolFile(file, await readFile(file, 'utf8'), schema);
      const clash = byName.get(tool.name);
      if (clash) throw new ToolFileError(file, `tool name "${tool.name}" is already used by ${clash.file}`);
      byName.set(tool.name, tool);
      tools.push(tool);
    }
  }
  return tools;
}

/** The formats `hivegraph tools --format` prints. */
export const TOOL_FORMATS = ['mcp', 'openai', 'anthropic'] as const;

/** One of {@link TOOL_FORMATS}. */
export type ToolFormat = (typeof TOOL_FORMATS)[number];

/** A tool as MCP's `tools/list` returns it. */
export interface McpTool {
  name: string;
  description: string;
  inputSchema: ToolInputSchema;
  annotations: { readOnlyHint: boolean; destructiveHint?: boolean; openWorldHint: boolean };
}

/** The MCP shape (what `tools/list` answers). */
export function mcpTool(tool: ToolDefinition): McpTool {
  return {
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema,
    // A mutation may change shared knowledge, but none of the operations is assumed destructive;
    // a user's own file may be, so only queries claim to be read-only.
    annotations: tool.kind === 'query' ? { readOnlyHint: true, openWorldHint: false } : { readOnlyHint: false, openWorldHint: false },
  };
}

/** The tools in one of {@link TOOL_FORMATS}: MCP `{name, description, inputSchema}`, OpenAI `{type: "function", function}`, Anthropic `{name, description, input_schema}`. */
export function formatTools(tools: readonly ToolDefinition[], format: ToolFormat): unknown[] {
  switch (format) {
    case 'mcp':
      return tools.map(mcpTool);
    case 'openai':
      return tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.inputSchema } }));
    case 'anthropic':
      return tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.inputSchema }));
  }
}
