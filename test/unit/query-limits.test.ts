import { ApolloServer, HeaderMap } from '@apollo/server';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createRequire } from 'node:module';
import { buildSchema, getIntrospectionQuery, GraphQLError, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { formatError } from '../../src/server/format-error.ts';
import {
  checkQueryLimits,
  DEFAULT_QUERY_LIMITS,
  measureOperation,
  queryLimitsError,
  queryLimitsPlugin,
  QueryTooComplexError,
  type QueryLimits,
} from '../../src/server/query-limits.ts';
import { HivegraphError } from '../../src/shared/errors.ts';
import { createLogger } from '../../src/shared/logger.ts';

const SDL = `
  interface Node { id: ID! }
  type Query {
    me: User!
    node(id: ID!): Node
    artifacts(first: Int = 20, after: String): ArtifactConnection!
    users(first: Int): [User!]!
    matrix: [[Int!]!]!
  }
  type User implements Node { id: ID! handle: String! friends(first: Int): [User!]! }
  type Artifact implements Node {
    id: ID!
    title: String
    neighbors(first: Int = 50): [Artifact!]!
    relationships(first: Int, after: String): RelationshipConnection!
  }
  type ArtifactConnection { edges: [ArtifactEdge!]! nodes: [Artifact!]! pageInfo: PageInfo! }
  type ArtifactEdge { cursor: String! node: Artifact! }
  type RelationshipConnection { edges: [RelationshipEdge!]! pageInfo: PageInfo! }
  type RelationshipEdge { cursor: String! node: Relationship! }
  type Relationship { id: ID! type: String! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
`;
const schema = buildSchema(SDL);

const measure = (query: string, variables?: Record<string, unknown>, operationName?: string, defaultListSize = 20) =>
  measureOperation(schema, parse(query), operationName, variables, { defaultListSize });

const check = (query: string, limits: Partial<QueryLimits> = {}, variables?: Record<string, unknown>) =>
  checkQueryLimits(schema, parse(query), undefined, variables, { ...DEFAULT_QUERY_LIMITS, ...limits });

const thrown = (fn: () => void): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

/** `{ me { friends { friends … { id } } } }` with `levels` nested `friends`. */
const friendsChain = (levels: number) => `{ me { ${'friends(first: 1) { '.repeat(levels)}id${' }'.repeat(levels)} } }`;

describe('depth', () => {
  it('counts nested field selections', () => {
    expect(measure('{ me { handle } }')?.depth).toBe(2);
    expect(measure(friendsChain(3))?.depth).toBe(5);
  });

  it('expands fragments and inline fragments', () => {
    const query = `
      { node(id: "1") { ... on User { ...Deep } } }
      fragment Deep on User { friends { friends { id } } }`;
    expect(measure(query)?.depth).toBe(4);
  });

  it('passes at the limit and throws QUERY_TOO_COMPLEX one beyond it', () => {
    expect(() => check(friendsChain(10))).not.toThrow(); // depth 12
    const error = thrown(() => check(friendsChain(11)));
    expect(error).toBeInstanceOf(QueryTooComplexError);
    expect(error).toBeInstanceOf(HivegraphError);
    expect(error).toMatchObject({ code: 'QUERY_TOO_COMPLEX', extensions: { limit: 'depth', max: 12, actual: 13 } });
  });

  it('does not count __typename', () => {
    expect(measure('{ me { __typename } }')).toEqual({ depth: 1, cost: 1, aliases: 0 });
  });
});

describe('cost', () => {
  it('counts 1 per field', () => {
    expect(measure('{ me { id handle } }')?.cost).toBe(3);
  });

  it('multiplies a connection by `first` and does not count its edges again', () => {
    // artifacts 1 + 10 × (edges 1 + node 1 + id 1 + title 1) + pageInfo 1 + hasNextPage 1
    expect(measure('{ artifacts(first: 10) { edges { node { id title } } pageInfo { hasNextPage } } }')?.cost).toBe(1 + 10 * 6);
    expect(measure('{ artifacts(first: 10) { nodes { id } } }')?.cost).toBe(1 + 10 * 2);
  });

  it("uses the argument's schema default, else defaultListSize", () => {
    expect(measure('{ artifacts { edges { node { id } } } }')?.cost).toBe(1 + 20 * 3);
    expect(measure('{ users { id } }')?.cost).toBe(1 + 20);
    expect(measure('{ users { id } }', undefined, undefined, 5)?.cost).toBe(1 + 5);
    expect(measure('{ matrix }')?.cost).toBe(1); // a leaf list has no sub-selection to multiply
  });

  it('multiplies nested lists', () => {
    // artifacts 1 + 10 × (edges 1 + node 1 + neighbors 1 + 5 × (id 1 + relationships 1 + 3 × (edges 1 + node 1 + id 1)))
    const query = '{ artifacts(first: 10) { edges { node { neighbors(first: 5) { id relationships(first: 3) { edges { node { id } } } } } } } }';
    expect(measure(query)?.cost).toBe(1 + 10 * (3 + 5 * (2 + 3 * 3)));
  });

  it('reads `first` from variables, and from the variable default', () => {
    const query = 'query Q($n: Int) { artifacts(first: $n) { edges { node { id } } } }';
    expect(measure(query, { n: 2 })?.cost).toBe(1 + 2 * 3);
    expect(measure(query, {})?.cost).toBe(1 + 20 * 3); // variable absent: schema default
    expect(measure('query Q($n: Int = 4) { users(first: $n) { id } }', {})?.cost).toBe(1 + 4);
  });

  it('throws with the cost in extensions', () => {
    const query = 'query Q($n: Int) { artifacts(first: $n) { edges { node { neighbors(first: 50) { id } } } } }';
    expect(() => check(query, {}, { n: 100 })).not.toThrow(); // 1 + 100 × (2 + 1 + 50) = 5301
    const error = thrown(() => check(query, { maxCost: 5000 }, { n: 100 }));
    expect(error).toMatchObject({ code: 'QUERY_TOO_COMPLEX', extensions: { limit: 'cost', max: 5000, actual: 5301 } });
  });

  it('honours @skip and @include', () => {
    const query = 'query Q($more: Boolean!) { me { id friends @include(if: $more) { id } handle @skip(if: $more) } }';
    expect(measure(query, { more: false })?.cost).toBe(3);
    expect(measure(query, { more: true })?.cost).toBe(2 + 1 + 20);
  });

  it('leaves bad variables to execution, counting conservatively meanwhile', () => {
    const query = 'query Q($more: Boolean!, $n: Int) { me { friends(first: $n) @include(if: $more) { id } } }';
    expect(measure(query, {})?.cost).toBe(2 + 20);
    expect(measure(query, { more: true, n: 'many' })?.cost).toBe(2 + 20);
  });
});

describe('aliases', () => {
  const aliased = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: me { id }`).join(' ')} }`;

  it('counts aliased fields and throws beyond the limit', () => {
    expect(measure(aliased(30))?.aliases).toBe(30);
    expect(() => check(aliased(30))).not.toThrow();
    expect(thrown(() => check(aliased(31)))).toMatchObject({ extensions: { limit: 'aliases', max: 30, actual: 31 } });
  });

  it('counts a fragment once per spread, but not per list item', () => {
    const query = `{ me { ...F } node(id: "1") { ...F } users(first: 50) { x: id } }
      fragment F on User { a: id b: handle }`;
    expect(measure(query)?.aliases).toBe(5);
  });
});

describe('operation selection and hostile documents', () => {
  it('measures the named operation, and nothing when none can be selected', () => {
    const document = 'query Small { me { id } } query Big { users { id } }';
    expect(measure(document, undefined, 'Big')?.cost).toBe(21);
    expect(measure(document, undefined, 'Small')?.cost).toBe(2);
    expect(measure(document)).toBeUndefined(); // ambiguous: Apollo reports it
    expect(() => checkQueryLimits(schema, parse(document), 'Nope', undefined, DEFAULT_QUERY_LIMITS)).not.toThrow();
  });

  it('terminates on fragment cycles', () => {
    const query = `{ me { ...A } }
      fragment A on User { friends { ...B } }
      fragment B on User { friends { ...A } }`;
    expect(measure(query)?.depth).toBeGreaterThan(0);
  });

  it('measures a fragment bomb in linear time and reports a JSON-safe actual cost', () => {
    const levels = 60;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === 0 ? 'fragment F0 on User { id }' : `fragment F${i} on User { friends(first: 2) { ...F${i - 1} ...F${i - 1} } }`,
    ).join('\n');
    const query = `{ me { ...F${levels - 1} } }\n${fragments}`;
    const started = performance.now();
    const error = thrown(() => check(query, { maxDepth: 1000 }));
    expect(performance.now() - started).toBeLessThan(500);
    expect(error).toMatchObject({ extensions: { limit: 'cost', actual: Number.MAX_SAFE_INTEGER } });
  });
});

describe('introspection', () => {
  it('lets the standard introspection query through under the defaults', () => {
    const query = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true });
    expect(validate(schema, parse(query))).toEqual([]);
    expect(measure(query)).toEqual({ depth: 0, cost: 0, aliases: 0 });
    expect(() => check(query)).not.toThrow();
  });

  it('still counts the rest of an operation that also introspects', () => {
    expect(measure('{ __type(name: "User") { name } me { id } }')).toEqual({ depth: 2, cost: 2, aliases: 0 });
  });
});

/**
 * Under vitest, `import 'graphql'` in src/test may load graphql's ESM build while Apollo and
 * graphql-tools (loaded by Node) get the CommonJS one; graphql then refuses objects from the
 * other copy. Production has one copy. The vitest `resolve.alias` for graphql makes it one copy.
 */
const oneGraphqlCopy = GraphQLError === (createRequire(import.meta.url)('graphql') as { GraphQLError: unknown }).GraphQLError;

describe('transports', () => {
  const lines: string[] = [];
  const logger = createLogger('debug', (line) => lines.push(line));

  it('queryLimitsError wraps the typed error with HTTP 400, and the error boundary keeps code and extensions', () => {
    const error = queryLimitsError(schema, parse(friendsChain(11)), undefined, undefined, DEFAULT_QUERY_LIMITS);
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error?.originalError).toBeInstanceOf(QueryTooComplexError);
    expect(error?.extensions['http']).toEqual({ status: 400 });
    expect(formatError(error!.toJSON(), error, { logger })).toEqual({
      message: 'Query is too complex: its depth is 13, the maximum is 12.',
      extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'depth', max: 12, actual: 13 },
    });
    expect(queryLimitsError(schema, parse('{ me { id } }'), undefined, undefined, DEFAULT_QUERY_LIMITS)).toBeUndefined();
  });

  it('the Apollo plugin answers HTTP 400 with QUERY_TOO_COMPLEX (in memory, no network)', async () => {
    // vitest.config.ts aliases graphql to one copy; without it Apollo would reject the schema.
    expect(oneGraphqlCopy, 'src/ and Apollo must load the same graphql module').toBe(true);
    // Built like production (src/resolvers/index.ts), so Apollo and the plugin see one graphql copy.
    const apollo = new ApolloServer({
      schema: makeExecutableSchema({ typeDefs: SDL }),
      formatError: (formatted, error) => formatError(formatted, error, { logger }),
      plugins: [queryLimitsPlugin({ ...DEFAULT_QUERY_LIMITS, maxCost: 50 })],
    });
    await apollo.start();
    try {
      const post = (body: unknown) =>
        apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: 'POST', headers: new HeaderMap([['content-type', 'application/json']]), search: '', body },
          context: async () => ({}),
        });
      const tooCostly = await post({ query: 'query Q($n: Int) { users(first: $n) { id handle } }', variables: { n: 40 } });
      expect(tooCostly.status).toBe(400);
      expect(tooCostly.body.kind === 'complete' && JSON.parse(tooCostly.body.string)).toEqual({
        errors: [{ message: 'Query is too complex: its cost is 81, the maximum is 50.', extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'cost', max: 50, actual: 81 } }],
      });
      const fine = await post({ query: 'query Q($n: Int) { users(first: $n) { __typename } }', variables: { n: 40 } });
      expect(fine.status ?? 200).toBe(200);
      const introspection = await post({ query: getIntrospectionQuery() });
      expect(introspection.status ?? 200).toBe(200);
    } finally {
      await apollo.stop();
    }
  });
});
