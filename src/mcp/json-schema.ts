/**
 * GraphQL input types → JSON Schema, for the input schemas of agent tools. Pure functions of
 * the GraphQL type objects: scalars, enums (with value descriptions), lists, input objects
 * (recursively, with field descriptions and defaults), non-null → `required`.
 */
import {
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  isSpecifiedScalarType,
  type GraphQLInputType,
  type GraphQLNamedInputType,
} from 'graphql';

/** The subset of JSON Schema (2020-12) that tool input schemas use. */
export interface JsonSchema {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  description?: string;
  format?: string;
  enum?: string[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  minProperties?: number;
  maxProperties?: number;
  default?: unknown;
}

/**
 * JSON Schemas of scalars by name. Built-in scalars map to their JSON types; `DateTime` is an
 * ISO-8601 string; `JSON` (and any scalar not listed) accepts any JSON value.
 */
export const SCALAR_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  String: { type: 'string' },
  ID: { type: 'string' },
  Int: { type: 'integer' },
  Float: { type: 'number' },
  Boolean: { type: 'boolean' },
  DateTime: { type: 'string', format: 'date-time' },
  JSON: {},
};

/** Field names the MCP layer fills from the session when a caller leaves them out. */
export const PROVENANCE_FIELDS = ['sessionId', 'mcpClientId'] as const;

/** One of {@link PROVENANCE_FIELDS}. */
export type ProvenanceField = (typeof PROVENANCE_FIELDS)[number];

/** Appended to the description of a provenance field. */
export const PROVENANCE_HINT = 'Filled in from the MCP session when left out.';

/** True for a String/ID field or variable named like a provenance field. */
export function isProvenanceSlot(name: string, type: GraphQLInputType): name is ProvenanceField {
  const named = getNullableType(type);
  return (PROVENANCE_FIELDS as readonly string[]).includes(name) && isScalarType(named) && (named.name === 'String' || named.name === 'ID');
}

/**
 * The JSON Schema of a GraphQL input type. Non-null wrappers are dropped here (the parent
 * lists required properties); a recursive input object is expanded once per path and then
 * given as an open object with its description.
 */
export function inputTypeSchema(type: GraphQLInputType, expanding: ReadonlySet<string> = new Set()): JsonSchema {
  if (isNonNullType(type)) return inputTypeSchema(type.ofType, expanding);
  if (isListType(type)) return { type: 'array', items: inputTypeSchema(type.ofType as GraphQLInputType, expanding) };
  return namedTypeSchema(type as GraphQLNamedInputType, expanding);
}

function namedTypeSchema(type: GraphQLNamedInputType, expanding: ReadonlySet<string>): JsonSchema {
  if (isScalarType(type)) {
    const known = SCALAR_SCHEMAS[type.name];
    const description = isSpecifiedScalarType(type) ? undefined : type.description ?? undefined;
    return { ...(known ?? {}), ...(description ? { description } : {}) };
  }
  if (isEnumType(type)) {
    const values = type.getValues();
    const explained = values.filter((v) => v.description || v.deprecationReason);
    const lines = explained.map((v) => {
      const deprecated = v.deprecationReason ? `(deprecated: ${v.deprecationReason})` : undefined;
      return `${v.name}: ${[v.description, deprecated].filter(Boolean).join(' ')}`;
    });
    const description = joinText(type.description, lines.length > 0 ? lines.join('\n') : undefined);
    return { type: 'string', enum: values.map((v) => v.name), ...(description ? { description } : {}) };
  }
  if (!isInputObjectType(type)) throw new TypeError(`not an input type: ${String(type)}`);
  if (expanding.has(type.name)) {
    return { type: 'object', description: joinText(type.description, `A ${type.name} (recursive: the same fields as above).`)! };
  }
  const inner = new Set(expanding).add(type.name);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const field of Object.values(type.getFields())) {
    const hint = isProvenanceSlot(field.name, field.type) ? PROVENANCE_HINT : undefined;
    properties[field.name] = describe(inputTypeSchema(field.type, inner), joinText(field.description, hint), jsonDefault(field.defaultValue, field.type));
    if (isNonNullType(field.type) && field.defaultValue === undefined) required.push(field.name);
  }
  const oneOf = type.isOneOf ? 'Give exactly one of these fields.' : undefined;
  return {
    type: 'object',
    ...(joinText(type.description, oneOf) ? { description: joinText(type.description, oneOf)! } : {}),
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
    ...(type.isOneOf ? { minProperties: 1, maxProperties: 1 } : {}),
  };
}

/**
 * Puts a usage description (an argument's or field's) in front of the type's own and adds a
 * default; returns a new schema.
 */
export function describe(schema: JsonSchema, description: string | undefined, defaultValue: unknown): JsonSchema {
  const text = joinText(description, schema.description);
  const { description: _dropped, ...rest } = schema;
  return { ...(text ? { description: text } : {}), ...rest, ...(defaultValue !== undefined ? { default: defaultValue } : {}) };
}

/**
 * A GraphQL default value (an internal value, as graphql-js keeps them) in its JSON form:
 * enums by name, input objects field by field; undefined when there is none.
 */
export function jsonDefault(value: unknown, type: GraphQLInputType): unknown {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (isNonNullType(type)) return jsonDefault(value, type.ofType);
  if (isListType(type)) {
    const item = type.ofType as GraphQLInputType;
    return Array.isArray(value) ? value.map((v: unknown) => jsonDefault(v, item)) : [jsonDefault(value, item)];
  }
  if (isInputObjectType(type)) {
    if (typeof value !== 'object') return value;
    const fields = type.getFields();
    const out: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
      const field = fields[name];
      out[name] = field ? jsonDefault(v, field.type) : v;
    }
    return out;
  }
  if (!isScalarType(type) && !isEnumType(type)) return value;
  try {
    return type.serialize(value);
  } catch {
    return value;
  }
}

/** Joins the non-empty texts with a blank line; undefined when none is left. */
export function joinText(...texts: (string | null | undefined)[]): string | undefined {
  const kept = texts.map((t) => t?.trim()).filter((t): t is string => !!t);
  return kept.length > 0 ? kept.join('\n\n') : undefined;
}
