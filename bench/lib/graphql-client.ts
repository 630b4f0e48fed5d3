/**
 * A minimal GraphQL-over-HTTP client for benchmarks: POSTs an operation with a bearer key and
 * returns `data`, throwing on transport errors and GraphQL errors alike.
 */

/** Sends GraphQL operations to one endpoint. */
export interface GraphQLClient {
  /**
   * Runs `query` with `variables` as the holder of `key`.
   * @throws Error with the status and the first error message when the response has errors
   */
  request<D>(key: string, query: string, variables?: Record<string, unknown>): Promise<D>;
}

/** Creates a client for `url` (the `/graphql` endpoint). Connections are kept alive by fetch. */
export function createGraphQLClient(url: string): GraphQLClient {
  return {
    async request<D>(key: string, query: string, variables?: Record<string, unknown>): Promise<D> {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          authorization: `Bearer ${key}`,
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: D | null; errors?: { message: string; extensions?: { code?: string } }[] };
      if (body.errors?.length || !body.data) {
        const first = body.errors?.[0];
        throw new Error(`GraphQL ${response.status}: ${first ? `${first.extensions?.code ?? ''} ${first.message}` : 'no data'}`);
      }
      return body.data;
    },
  };
}
