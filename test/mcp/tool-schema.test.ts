/**
 * Tool files → tool definitions: input JSON Schemas for every GraphQL input type kind,
 * descriptions (comment block, `$var:` lines, schema descriptions), defaults, provenance
 * slots, names, output formats, and clear errors for bad files.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TOOLS_DIR, parseToolsDirs } from '../../src/config/config.ts';
import { toolResult } from '../../src/mcp/mcp-server.ts';
import { readSchemaFile } from '../../src/mcp/schema-source.ts';
import { fillProvenance, leadingComment, parseToolFile, ToolFileError, toolName } from '../../src/mcp/tool-file.ts';
import { formatTools, loadTools } from '../../src/mcp/tools.ts';

const SDL = /* GraphQL */ `
  "An instant."
  scalar DateTime
  "Any JSON value."
  scalar JSON
  "A web address."
  scalar Url

  "How bright."
  enum Level {
    "Barely."
    LOW
    HIGH
    OLD @deprecated(reason: "Use HIGH.")
  }

  "Where to look."
  input Filter {
    "Words that must occur."
    words: [String!]
    level: Level = HIGH
    "Nested the same way."
    and: Filter
    limits: Limits
    since: DateTime
    site: Url
    extra: JSON
    sessionId: String
    required: Int!
    requiredWithDefault: Int! = 3
  }

  input Limits {
    min: Float
    max: Float = 1.5
    exact: Boolean
    ids: [[ID!]]
  }

  input Pick @oneOf {
    id: ID
    name: String
  }

  input Note {
    text: String!
    mcpClientId: String
    sessionId: ID
    "A number that happens to be called sessionId is not filled."
    tags: [Tagged!]
  }

  input Tagged {
    mcpClientId: String
    sessionId: Int
  }

  type Query {
    "Finds things."
    find(
      "The text to find."
      text: String!
      filter: Filter
      first: Int = 10
      level: Level = LOW
    ): [String!]!
    pick(which: Pick!): String
    when(at: DateTime, data: JSON, n: Float, ok: Boolean, id: ID): String
  }

  type Mutation {
    note(input: Note!, sessionId: String, mcpClientId: String): String
    notes(inputs: [Note!]!): String
  }

  type Subscription {
    ticks: Int
  }
`;
const schema = buildSchema(SDL);

describe('input JSON Schema from variable definitions', () => {
  it('maps scalars, lists, non-null, enums and input objects, with descriptions and defaults', () => {
    const tool = parseToolFile(
      'find.graphql',
      `# Finds things by text.
# Second line of the same paragraph.
#
# $first: How many.
#   At most 100.
query Find($text: String!, $filter: Filter, $first: Int, $level: Level = HIGH) {
  find(text: $text, filter: $filter, first: $first, level: $level)
}`,
      schema,
    );
    expect(tool.name).toBe('find');
    expect(tool.kind).toBe('query');
    expect(tool.description).toBe('Finds things by text. Second line of the same paragraph.');
    const { properties, required } = tool.inputSchema;
    expect(required).toEqual(['text']);
    expect(tool.inputSchema.additionalProperties).toBe(false);
    // Argument description from the schema.
    expect(properties['text']).toEqual({ description: 'The text to find.', type: 'string' });
    // `$var:` comment lines, continued; the argument's schema default applies when omitted.
    expect(properties['first']).toEqual({ description: 'How many. At most 100.', type: 'integer', default: 10 });
    // The variable's own default wins over the argument's (LOW).
    expect(properties['level']).toEqual({
      description: 'How bright.\n\nLOW: Barely.\nOLD: (deprecated: Use HIGH.)',
      type: 'string',
      enum: ['LOW', 'HIGH', 'OLD'],
      default: 'HIGH',
    });
    const filter = properties['filter']!;
    expect(filter.type).toBe('object');
    expect(filter.description).toBe('Where to look.');
    expect(filter.additionalProperties).toBe(false);
    expect(filter.required).toEqual(['required']);
    const fields = filter.properties!;
    expect(fields['words']).toEqual({ description: 'Words that must occur.', type: 'array', items: { type: 'string' } });
    expect(fields['level']).toMatchObject({ type: 'string', enum: ['LOW', 'HIGH', 'OLD'], default: 'HIGH' });
    expect(fields['since']).toEqual({ description: 'An instant.', type: 'string', format: 'date-time' });
    expect(fields['site']).toEqual({ description: 'A web address.' });
    expect(fields['extra']).toEqual({ description: 'Any JSON value.' });
    expect(fields['sessionId']).toEqual({ description: 'Filled in from the MCP session when left out.', type: 'string' });
    expect(fields['required']).toEqual({ type: 'integer' });
    expect(fields['requiredWithDefault']).toEqual({ type: 'integer', default: 3 });
    // Recursive input objects are expanded once, then left open.
    expect(fields['and']).toEqual({ type: 'object', description: 'Nested the same way.\n\nWhere to look.\n\nA Filter (recursive: the same fields as above).' });
    expect(fields['limits']).toEqual({
      type: 'object',
      properties: {
        min: { type: 'number' },
        max: { type: 'number', default: 1.5 },
        exact: { type: 'boolean' },
        ids: { type: 'array', items: { type: 'array', items: { type: 'string' } } },
      },
      additionalProperties: false,
    });
  });

  it('maps every built-in and custom scalar of arguments', () => {
    const tool = parseToolFile('when.graphql', 'query When($at: DateTime, $data: JSON, $n: Float!, $ok: Boolean, $id: ID) { when(at: $at, data: $data, n: $n, ok: $ok, id: $id) }', schema);
    expect(tool.inputSchema.properties).toEqual({
      at: { description: 'An instant.', type: 'string', format: 'date-time' },
      data: { description: 'Any JSON value.' },
      n: { type: 'number' },
      ok: { type: 'boolean' },
      id: { type: 'string' },
    });
    expect(tool.inputSchema.required).toEqual(['n']);
    // No comment: the root field's schema description, else a generic one.
    expect(tool.description).toBe('The GraphQL query When.');
    expect(parseToolFile('f.graphql', 'query F($text: String!) { find(text: $text) }', schema).description).toBe('Finds things.');
  });

  it('maps @oneOf input objects to exactly one property', () => {
    const tool = parseToolFile('pick.graphql', 'query ($which: Pick!) { pick(which: $which) }', schema);
    expect(tool.name).toBe('pick');
    expect(tool.inputSchema.properties['which']).toEqual({
      type: 'object',
      description: 'Give exactly one of these fields.',
      properties: { id: { type: 'string' }, name: { type: 'string' } },
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
    });
  });

  it('takes descriptions and defaults from input fields a variable is passed to', () => {
    const tool = parseToolFile('f.graphql', 'query F($w: [String!], $l: Level) { find(text: "x", filter: { words: $w, level: $l, required: 1 }) }', schema);
    expect(tool.inputSchema.properties['w']).toEqual({ description: 'Words that must occur.', type: 'array', items: { type: 'string' } });
    expect(tool.inputSchema.properties['l']).toMatchObject({ default: 'HIGH' });
  });

  it('the shipped tools load against schema.graphql with the contract shapes', async () => {
    const tools = await loadTools([DEFAULT_TOOLS_DIR], await readSchemaFile());
    const names = tools.map((t) => t.name);
    for (const name of ['search', 'get_artifact', 'neighbors', 'shortest_path', 'contribute', 'list_contributions']) expect(names).toContain(name);
    const contribute = tools.find((t) => t.name === 'contribute')!;
    expect(contribute.kind).toBe('mutation');
    expect(contribute.provenance).toEqual({ fill: [], fields: { input: { fill: ['sessionId', 'mcpClientId'], fields: {} } } });
    const input = contribute.inputSchema.properties['input']!;
    expect(input.required).toEqual(['kind', 'content']);
    // No default: without a visibility the contributor's visibility chain decides (issue 15).
    expect(input.properties!['visibility']).toMatchObject({ enum: ['PRIVATE', 'GROUP', 'ORG', 'PUBLIC'] });
    expect(input.properties!['visibility']).not.toHaveProperty('default');
    const search = tools.find((t) => t.name === 'search')!;
    expect(search.inputSchema.required).toEqual(['query']);
    expect(search.inputSchema.properties['mode']).toMatchObject({ enum: ['HYBRID', 'VECTOR', 'TEXT'], default: 'HYBRID' });
    expect(search.inputSchema.properties['first']).toMatchObject({ type: 'integer', default: 5 });
    for (const tool of tools) {
      expect(tool.description.length, tool.name).toBeGreaterThan(40);
      for (const [name, property] of Object.entries(tool.inputSchema.properties)) expect(property.description, `${tool.name}.${name}`).toBeTruthy();
    }
  });
});

describe('provenance slots', () => {
  const tool = parseToolFile('note.graphql', 'mutation Note($input: Note!, $sessionId: String, $mcpClientId: String) { note(input: $input, sessionId: $sessionId, mcpClientId: $mcpClientId) }', schema);
  const values = { sessionId: 'session-1', mcpClientId: 'client/1.0' };

  it('finds sessionId / mcpClientId variables and String/ID input fields, and says so in their descriptions', () => {
    expect(tool.provenance).toEqual({
      fill: ['sessionId', 'mcpClientId'],
      fields: { input: { fill: ['mcpClientId', 'sessionId'], fields: { tags: { fill: ['mcpClientId'], fields: {} } } } },
    });
    expect(tool.inputSchema.properties['sessionId']!.description).toBe('Filled in from the MCP session when left out.');
  });

  it('fills what the caller left out, keeps what it set, creates nothing, and does not touch the input', () => {
    const args = { input: { text: 't', sessionId: 'mine', tags: [{}, { mcpClientId: 'theirs' }] } };
    const filled = fillProvenance(tool.provenance, args, values);
    expect(filled).toEqual({
      sessionId: 'session-1',
      mcpClientId: 'client/1.0',
      input: { text: 't', sessionId: 'mine', mcpClientId: 'client/1.0', tags: [{ mcpClientId: 'client/1.0' }, { mcpClientId: 'theirs' }] },
    });
    expect(args.input).not.toHaveProperty('mcpClientId');
    expect(fillProvenance(tool.provenance, {}, values)).toEqual({ sessionId: 'session-1', mcpClientId: 'client/1.0' });
    const lists = parseToolFile('notes.graphql', 'mutation ($inputs: [Note!]!) { notes(inputs: $inputs) }', schema);
    expect(fillProvenance(lists.provenance, { inputs: [{ text: 'a' }] }, values)).toEqual({ inputs: [{ text: 'a', mcpClientId: 'client/1.0', sessionId: 'session-1' }] });
    expect(fillProvenance(undefined, { a: 1 }, values)).toEqual({ a: 1 });
  });
});

describe('names, comments and formats', () => {
  it('derives snake_case names', () => {
    expect(toolName('GetArtifact')).toBe('get_artifact');
    expect(toolName('getArtifact')).toBe('get_artifact');
    expect(toolName('get-artifact')).toBe('get_artifact');
    expect(toolName('fetchURLInfo2')).toBe('fetch_url_info2');
    expect(parseToolFile('/x/My Tool.graphql', 'query { find(text: "a") }', schema).name).toBe('my_tool');
    expect(parseToolFile('/x/file.gql', 'query NamedOne { find(text: "a") }', schema).name).toBe('named_one');
  });

  it('reads the leading comment block only, keeping list items on their own lines', () => {
    const header = leadingComment('\n# First line\n# - item one\n# - item two\n#\n# $a: about a\n# Next paragraph\nquery { x }\n# not this\n');
    expect(header.text).toBe('First line\n- item one\n- item two\n\nNext paragraph');
    expect([...header.variables]).toEqual([['a', 'about a']]);
    expect(leadingComment('query { x }').text).toBeUndefined();
  });

  it('prints MCP, OpenAI and Anthropic shapes', () => {
    const tool = parseToolFile('f.graphql', 'query F($text: String!) { find(text: $text) }', schema);
    const [mcp] = formatTools([tool], 'mcp');
    const [openai] = formatTools([tool], 'openai');
    const [anthropic] = formatTools([tool], 'anthropic');
    expect(mcp).toEqual({ name: 'f', description: 'Finds things.', inputSchema: tool.inputSchema, annotations: { readOnlyHint: true, openWorldHint: false } });
    expect(openai).toEqual({ type: 'function', function: { name: 'f', description: 'Finds things.', parameters: tool.inputSchema } });
    expect(anthropic).toEqual({ name: 'f', description: 'Finds things.', input_schema: tool.inputSchema });
  });

  it('splits HIVEGRAPH_TOOLS_DIR on the path delimiter, defaulting to the shipped tools', () => {
    expect(parseToolsDirs(undefined)).toEqual([DEFAULT_TOOLS_DIR]);
    expect(parseToolsDirs(['/a', '/b'].join(path.delimiter))).toEqual([path.resolve('/a'), path.resolve('/b')]);
  });
});

describe('tool results', () => {
  it('data as JSON text and structured content; errors as a tool error with codes and extensions', () => {
    expect(toolResult({ data: { artifact: null } })).toEqual({ content: [{ type: 'text', text: '{"artifact":null}' }], structuredContent: { artifact: null } });
    const limited = toolResult({ errors: [{ message: 'Slow down.', extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 7 } }] });
    expect(limited.isError).toBe(true);
    expect(JSON.parse((limited.content[0] as { text: string }).text)).toEqual({ errors: [{ message: 'Slow down.', code: 'RATE_LIMITED', retryAfterSeconds: 7 }] });
    const partial = toolResult({ data: { a: 1, b: null }, errors: [{ message: 'Artifact not found.', path: ['b'], extensions: { code: 'NOT_FOUND' } }] });
    expect(JSON.parse((partial.content[0] as { text: string }).text)).toEqual({
      errors: [{ message: 'Artifact not found.', code: 'NOT_FOUND', path: ['b'] }],
      data: { a: 1, b: null },
    });
  });
});

describe('bad tool files', () => {
  const bad = (source: string) => () => parseToolFile('/tools/bad.graphql', source, schema);

  it('names the file and says what is wrong', () => {
    expect(bad('query {')).toThrow(/^\/tools\/bad\.graphql: Syntax Error: .* \(line 1, column 8\)$/);
    expect(bad('fragment F on Query { find(text: "a") }')).toThrow('/tools/bad.graphql: holds 0 operations; a tool file holds exactly one query or mutation');
    expect(bad('query A { find(text: "a") } query B { find(text: "b") }')).toThrow('holds 2 operations');
    expect(bad('subscription { ticks }')).toThrow('/tools/bad.graphql: is a subscription; only queries and mutations can be tools');
    expect(bad('query { nope }')).toThrow('/tools/bad.graphql: Cannot query field "nope" on type "Query". (line 1, column 9)');
    expect(bad('query ($t: String) { find(text: $t) }')).toThrow(/Variable "\$t" of type "String" used in position expecting type "String!"/);
    expect(bad('# $nope: described\nquery { find(text: "a") }')).toThrow('the comment describes $nope, which the operation does not declare');
    expect(bad('query ThisNameIsFarTooLongForAnyFunctionCallingApiToAcceptAsAToolNameReally { find(text: "a") }')).toThrow('is not a usable tool name');
    expect(bad('query {')).toThrow(ToolFileError);
  });

  it('fragments may accompany the operation', () => {
    const tool = parseToolFile('f.graphql', 'query F { ...Q }\nfragment Q on Query { find(text: "a") }', schema);
    expect(tool.document).toContain('fragment Q on Query');
  });

  describe('directories', () => {
    let dir = '';
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'hg-tools-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('loads *.graphql and *.gql files by name, refuses a name used twice and a missing directory', async () => {
      const a = path.join(dir, 'a');
      await mkdir(a);
      await writeFile(path.join(a, 'one.graphql'), 'query { find(text: "a") }');
      await writeFile(path.join(a, 'two.gql'), 'query Two { find(text: "a") }');
      await writeFile(path.join(a, 'notes.md'), 'not a tool');
      expect((await loadTools([a], schema)).map((t) => t.name)).toEqual(['one', 'two']);
      const b = path.join(dir, 'b');
      await mkdir(b);
      await writeFile(path.join(b, 'again.graphql'), 'query One { find(text: "a") }');
      await expect(loadTools([a, b], schema)).rejects.toThrow(`${path.join(b, 'again.graphql')}: tool name "one" is already used by ${path.join(a, 'one.graphql')}`);
      await expect(loadTools([path.join(dir, 'missing')], schema)).rejects.toThrow(`${path.join(dir, 'missing')}: no such tools directory`);
    });
  });
});
