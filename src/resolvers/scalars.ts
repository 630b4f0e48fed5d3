/** Custom scalars. */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { DEFAULT_MAX_JSON_DEPTH, jsonDepth } from '../shared/json.ts';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError('DateTime must be an ISO-8601 string with a time zone, e.g. 2026-11-22T10:00:00Z.', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return new Date(value);
}

/** ISO-8601 date-times; serialised in UTC with milliseconds. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  // The SDL's description, repeated: graphql-tools replaces the SDL scalar with this object.
  description: 'An ISO-8601 date-time with time zone, e.g. `2026-11-22T10:00:00.000Z`.',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date.');
    return date.toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string.', { extensions: { code: 'BAD_USER_INPUT' } });
    return parseDateTime(ast.value);
  },
});

/** How deeply a JSON literal of the query text nests, counted like {@link jsonDepth}. */
function literalDepth(ast: ValueNode, limit: number): number {
  let deepest = 0;
  const stack: [ValueNode, number][] = [[ast, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node.kind !== Kind.LIST && node.kind !== Kind.OBJECT) continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    for (const child of node.kind === Kind.LIST ? node.values : node.fields.map((f) => f.value)) stack.push([child, level]);
  }
  return deepest;
}

function tooDeep(maxDepth: number): GraphQLError {
  return new GraphQLError(`JSON values may nest at most ${maxDepth} levels deep (HIVEGRAPH_MAX_JSON_DEPTH).`, {
    extensions: { code: 'BAD_USER_INPUT' },
  });
}

/**
 * The JSON scalar: any JSON value, passed through as parsed JSON, nesting at most `maxDepth`
 * levels (deeper is BAD_USER_INPUT before any resolver or walker sees it).
 */
export function jsonScalar(maxDepth = DEFAULT_MAX_JSON_DEPTH): GraphQLScalarType<unknown, unknown> {
  return new GraphQLScalarType<unknown, unknown>({
    name: 'JSON',
    description: 'Any JSON value. Artifact metadata must be a JSON object.',
    serialize: (value) => value,
    parseValue(value) {
      if (jsonDepth(value, maxDepth) > maxDepth) throw tooDeep(maxDepth);
      return value;
    },
    parseLiteral(ast, variables) {
      if (literalDepth(ast, maxDepth) > maxDepth) throw tooDeep(maxDepth);
      const value = literalToJson(ast, variables ?? undefined);
      // A variable inside the literal may bring depth of its own.
      if (jsonDepth(value, maxDepth) > maxDepth) throw tooDeep(maxDepth);
      return value;
    },
  });
}

/** The JSON scalar with the default depth limit. */
export const JSONScalar = jsonScalar();

function literalToJson(ast: ValueNode, variables: Record<string, unknown> | undefined): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literalToJson(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalToJson(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    default:
      throw new GraphQLError('JSON cannot represent this literal.', { extensions: { code: 'BAD_USER_INPUT' } });
  }
}
