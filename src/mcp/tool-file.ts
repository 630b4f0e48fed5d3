/**
 * One GraphQL operation file → one agent tool: its name, description, input JSON Schema
 * (from the variable definitions, typed and described by the schema) and the document each
 * call sends.
 *
 * A tool file holds exactly one query or mutation (fragments may accompany it). A leading
 * block of `#` comments is the tool's description; a comment line `$name: text` describes
 * variable `$name` instead.
 */
import {
  getNamedType,
  GraphQLError,
  isInputObjectType,
  isInputType,
  isNonNullType,
  Kind,
  parse,
  print,
  typeFromAST,
  TypeInfo,
  validate,
  valueFromASTUntyped,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import {
  describe,
  inputTypeSchema,
  isProvenanceSlot,
  joinText,
  jsonDefault,
  PROVENANCE_HINT,
  type JsonSchema,
  type ProvenanceField,
} from './json-schema.ts';

/** The input schema of a tool: always an object of the operation's variables. */
export interface ToolInputSchema extends JsonSchema {
  type: 'object';
  properties: Record<string, JsonSchema>;
}

/** Where provenance fields sit in a tool's variables: fields to fill here, and nested objects. */
export interface ProvenancePlan {
  fill: ProvenanceField[];
  fields: Record<string, ProvenancePlan>;
}

/** An agent tool made from one operation file. */
export interface ToolDefinition {
  /** snake_case, from the operation name or else the file name. */
  name: string;
  description: string;
  /** Queries are read-only; mutations change something. */
  kind: 'query' | 'mutation';
  inputSchema: ToolInputSchema;
  /** The operation (and its fragments) as sent with every call. */
  document: string;
  operationName: string | undefined;
  /** Where `sessionId` / `mcpClientId` may be filled in; undefined when nowhere. */
  provenance: ProvenancePlan | undefined;
  /** The file it came from. */
  file: string;
}

/** A tool file that cannot become a tool; the message names the file. */
export class ToolFileError extends Error {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'ToolFileError';
    this.file = file;
  }
}

/** Tool names clients accept (OpenAI, Anthropic and MCP agree on this). */
const TOOL_NAME = /^[a-z0-9_-]{1,64}$/;

/**
 * Turns the text of an operation file into a tool, checked against `schema`.
 * @throws ToolFileError naming the file: syntax, validation, not exactly one query/mutation, bad name
 */
export function parseToolFile(file: string, source: string, schema: GraphQLSchema): ToolDefinition {
  let document: DocumentNode;
  try {
    document = parse(source);
  } catch (error) {
    throw new ToolFileError(file, describeGraphQLError(error));
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) {
    throw new ToolFileError(file, `holds ${operations.length} operations; a tool file holds exactly one query or mutation (fragments may accompany it)`);
  }
  const operation = operations[0]!;
  if (operation.operation === 'subscription') {
    throw new ToolFileError(file, 'is a subscription; only queries and mutations can be tools');
  }
  const errors = validate(schema, document);
  if (errors.length > 0) throw new ToolFileError(file, errors.map(describeGraphQLError).join('; '));

  const header = leadingComment(source);
  const name = toolName(operation.name?.value ?? baseName(file));
  if (!TOOL_NAME.test(name)) {
    throw new ToolFileError(file, `"${name}" is not a usable tool name (letters, digits, _ and -, at most 64 characters)`);
  }
  const rootType = operation.operation === 'query' ? schema.getQueryType() : schema.getMutationType();
  const rootDescriptions = operation.selectionSet.selections.map((s) =>
    s.kind === Kind.FIELD ? rootType?.getFields()[s.name.value]?.description : undefined,
  );
  const description =
    header.text ?? joinText(...rootDescriptions) ?? `The GraphQL ${operation.operation} ${operation.name?.value ?? name}.`;

  const usages = variableUsages(schema, document, operation);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const plan: ProvenancePlan = { fill: [], fields: {} };
  for (const definition of operation.variableDefinitions ?? []) {
    const variable = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type) as GraphQLInputType; // validate() checked it is an input type
    const usage = usages.get(variable);
    const own = definition.defaultValue ? valueFromASTUntyped(definition.defaultValue) : undefined;
    // An omitted nullable variable leaves its argument or field out, so the schema's default applies.
    const fallback = isNonNullType(type) ? undefined : usage?.defaultValue;
    const provenance = isProvenanceSlot(variable, type);
    properties[variable] = describe(
      inputTypeSchema(type),
      joinText(header.variables.get(variable) ?? usage?.description, provenance ? PROVENANCE_HINT : undefined),
      own ?? fallback,
    );
    if (isNonNullType(type) && definition.defaultValue === undefined) required.push(variable);
    if (provenance) plan.fill.push(variable);
    else {
      const nested = provenancePlan(type);
      if (nested) plan.fields[variable] = nested;
    }
  }
  for (const variable of header.variables.keys()) {
    if (!(variable in properties)) throw new ToolFileError(file, `the comment describes $${variable}, which the operation does not declare`);
  }
  return {
    name,
    description,
    kind: operation.operation,
    inputSchema: { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false },
    document: print(document),
    operationName: operation.name?.value,
    provenance: plan.fill.length > 0 || Object.keys(plan.fields).length > 0 ? plan : undefined,
    file,
  };
}

/** `GetArtifact`, `getArtifact`, `get-artifact` → `get_artifact`. */
export function toolName(raw: string): string {
  return raw
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
}

/** The description and `$variable:` lines of the `#` comments at the top of a file. */
export function leadingComment(source: string): { text: string | undefined; variables: Map<string, string> } {
  const lines: string[] = [];
  for (const line of source.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) lines.push(trimmed.slice(1).replace(/^ /, '').trimEnd());
    else if (trimmed !== '') break;
  }
  const text: string[] = [];
  const variables = new Map<string, string>();
  let current: string | undefined;
  for (const line of lines) {
    const match = /^\$([_A-Za-z][_0-9A-Za-z]*)\s*:\s*(.*)$/.exec(line);
    if (match) {
      current = match[1]!;
      variables.set(current, match[2]!.trim());
    } else if (current !== undefined && /^\s+\S/.test(line)) {
      variables.set(current, `${variables.get(current)} ${line.trim()}`.trim());
    } else {
      current = undefined;
      text.push(line);
    }
  }
  return { text: unwrap(text), variables };
}

/** Re-flows hard-wrapped comment lines: paragraphs split at blank lines, list items (`-`, `*`, `1.`) kept on their own lines. */
function unwrap(lines: readonly string[]): string | undefined {
  const paragraphs: string[] = [];
  let current = '';
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed === '') {
      if (current) paragraphs.push(current);
      current = '';
    } else if (current === '') current = trimmed;
    else current += /^([-*]|\d+\.)\s/.test(trimmed) ? `\n${trimmed}` : ` ${trimmed}`;
  }
  if (current) paragraphs.push(current);
  return paragraphs.length > 0 ? paragraphs.join('\n\n') : undefined;
}

/** What the schema says about the place a variable is first used: an argument or an input field. */
interface VariableUsage {
  description: string | undefined;
  defaultValue: unknown;
}

function variableUsages(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): Map<string, VariableUsage> {
  const usages = new Map<string, VariableUsage>();
  const typeInfo = new TypeInfo(schema);
  const note = (node: ASTNode, parent: unknown) => {
    if (node.kind !== Kind.VARIABLE || usages.has(node.name.value)) return;
    const container = parent as ASTNode | undefined;
    if (container?.kind === Kind.ARGUMENT) {
      const argument = typeInfo.getArgument();
      if (argument) usages.set(node.name.value, { description: argument.description ?? undefined, defaultValue: jsonDefault(argument.defaultValue, argument.type) });
    } else if (container?.kind === Kind.OBJECT_FIELD) {
      const objectType = getNamedType(typeInfo.getParentInputType());
      const field = isInputObjectType(objectType) ? objectType.getFields()[container.name.value] : undefined;
      if (field) usages.set(node.name.value, { description: field.description ?? undefined, defaultValue: jsonDefault(field.defaultValue, field.type) });
    }
  };
  // The operation first, then fragments: a variable's first use in the operation wins.
  const fragments = document.definitions.filter((d) => d !== operation);
  for (const node of [operation, ...fragments]) {
    visit(node, visitWithTypeInfo(typeInfo, { Variable: (n, _key, parent) => note(n, parent) }));
  }
  return usages;
}

/** Where provenance fields sit inside an input type; undefined when nowhere. Recursion stops at a type already on the path. */
function provenancePlan(type: GraphQLInputType, path: ReadonlySet<string> = new Set()): ProvenancePlan | undefined {
  const named = getNamedType(type);
  if (!isInputObjectType(named) || path.has(named.name)) return undefined;
  const inner = new Set(path).add(named.name);
  const plan: ProvenancePlan = { fill: [], fields: {} };
  for (const field of Object.values(named.getFields())) {
    if (isProvenanceSlot(field.name, field.type)) plan.fill.push(field.name);
    else if (isInputType(field.type)) {
      const nested = provenancePlan(field.type, inner);
      if (nested) plan.fields[field.name] = nested;
    }
  }
  return plan.fill.length > 0 || Object.keys(plan.fields).length > 0 ? plan : undefined;
}

/**
 * A copy of `variables` with each provenance field the caller left out set from `values`;
 * only objects the caller gave are filled (none is created), lists are filled item by item.
 */
export function fillProvenance(
  plan: ProvenancePlan | undefined,
  variables: Record<string, unknown>,
  values: Partial<Record<ProvenanceField, string>>,
): Record<string, unknown> {
  const copy = structuredClone(variables);
  if (plan) fillInto(plan, copy, values);
  return copy;
}

function fillInto(plan: ProvenancePlan, value: unknown, values: Partial<Record<ProvenanceField, string>>): void {
  if (Array.isArray(value)) {
    for (const item of value) fillInto(plan, item, values);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const target = value as Record<string, unknown>;
  for (const field of plan.fill) {
    const filled = values[field];
    if (target[field] === undefined && filled !== undefined) target[field] = filled;
  }
  for (const [name, nested] of Object.entries(plan.fields)) fillInto(nested, target[name], values);
}

function baseName(file: string): string {
  const last = file.split(/[\\/]/).pop() ?? file;
  return last.replace(/\.(graphql|gql)$/i, '');
}

function describeGraphQLError(error: unknown): string {
  if (error instanceof GraphQLError) {
    const at = error.locations?.[0];
    return at ? `${error.message} (line ${at.line}, column ${at.column})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
