/**
 * Where the GraphQL schema that types the tools comes from: the SDL file shipped beside
 * package.json (the source of truth of this version), or a running server's introspection
 * (the schema of the version actually answering).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildClientSchema, buildSchema, getIntrospectionQuery, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import type { GraphQLExecutor, GraphQLResponseError } from './graphql-client.ts';

/** `schema.graphql` beside package.json. */
export const DEFAULT_SCHEMA_FILE = fileURLToPath(new URL('../../schema.graphql', import.meta.url));

/** Reads and builds an SDL file. */
export async function readSchemaFile(file: string = DEFAULT_SCHEMA_FILE): Promise<GraphQLSchema> {
  return buildSchema(await readFile(file, 'utf8'));
}

/** The server refused an operation; `code` is the first error's `extensions.code`. */
export class GraphQLOperationError extends Error {
  readonly code: string | undefined;
  readonly errors: readonly GraphQLResponseError[];
  constructor(what: string, errors: readonly GraphQLResponseError[]) {
    const first = errors[0];
    const code = first?.extensions?.['code'];
    super(`${what}: ${typeof code === 'string' ? `${code}: ` : ''}${first?.message ?? 'no data'}`);
    this.name = 'GraphQLOperationError';
    this.code = typeof code === 'string' ? code : undefined;
    this.errors = errors;
  }
}

/**
 * Fetches a server's schema by introspection, as `key`.
 * @throws GraphQLTransportError when the server cannot be reached; GraphQLOperationError when it refuses
 */
export async function introspectSchema(execute: GraphQLExecutor, key: string): Promise<GraphQLSchema> {
  const response = await execute({ query: getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }) }, { key });
  if (response.errors?.length || !response.data) throw new GraphQLOperationError('introspection failed', response.errors ?? []);
  return buildClientSchema(response.data as unknown as IntrospectionQuery);
}
