/**
 * A minimal GraphQL-over-HTTP client: one POST per operation with the caller's API key. Every
 * tool call goes through it, so the server applies authentication, roles, visibility, query
 * limits and rate limits exactly as for any other client.
 */

/** One operation to run. */
export interface GraphQLRequest {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string | undefined;
}

/** An entry of a response's `errors`. */
export interface GraphQLResponseError {
  message: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

/** A GraphQL response body. */
export interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: GraphQLResponseError[];
}

/** How one call is made: with whose key, cancellable, tagged with a request id. */
export interface GraphQLCallOptions {
  /** The API key sent as `Authorization: Bearer <key>`. */
  key: string;
  signal?: AbortSignal | undefined;
  /** Sent as `x-request-id`, so the server's log lines match the caller's. */
  requestId?: string | undefined;
}

/** Runs operations against one endpoint. */
export type GraphQLExecutor = (request: GraphQLRequest, options: GraphQLCallOptions) => Promise<GraphQLResponse>;

/** The endpoint could not be reached, timed out, or answered with something that is not a GraphQL response. */
export class GraphQLTransportError extends Error {
  /** `unreachable` (connection failed), `timeout`, or `bad-response` (HTTP status without a GraphQL body). */
  readonly reason: 'unreachable' | 'timeout' | 'bad-response';
  /** The HTTP status, when there was a response. */
  readonly status: number | undefined;
  constructor(reason: GraphQLTransportError['reason'], message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GraphQLTransportError';
    this.reason = reason;
    this.status = options.status;
  }
}

/** Options of {@link createGraphQLClient}. */
export interface GraphQLClientOptions {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`; a function is asked on every call. */
  url: string | (() => string);
  /** Longest wait for one response, in ms. Default 60 000. */
  timeoutMs?: number;
  /** Sent as `user-agent`. Default `hivegraph-mcp`. */
  userAgent?: string;
}

/** Creates an executor that POSTs operations to `options.url`. */
export function createGraphQLClient(options: GraphQLClientOptions): GraphQLExecutor {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const endpoint = typeof options.url === 'function' ? options.url : () => options.url as string;
  return async (request, call) => {
    const url = endpoint();
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          authorization: `Bearer ${call.key}`,
          'user-agent': options.userAgent ?? 'hivegraph-mcp',
          ...(call.requestId ? { 'x-request-id': call.requestId } : {}),
        },
        body: JSON.stringify({
          query: request.query,
          ...(request.variables ? { variables: request.variables } : {}),
          ...(request.operationName ? { operationName: request.operationName } : {}),
        }),
        signal,
      });
    } catch (error) {
      if (timeout.aborted) throw new GraphQLTransportError('timeout', `${url} did not answer within ${timeoutMs} ms`, { cause: error });
      if (call.signal?.aborted) throw error;
      throw new GraphQLTransportError('unreachable', `cannot reach ${url}: ${networkCause(error)}`, { cause: error });
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!isGraphQLResponse(body)) {
      throw new GraphQLTransportError('bad-response', `${url} answered HTTP ${response.status} without a GraphQL response${text ? `: ${text.slice(0, 200)}` : ''}`, {
        status: response.status,
      });
    }
    return body;
  };
}

function isGraphQLResponse(body: unknown): body is GraphQLResponse {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  const candidate = body as Record<string, unknown>;
  return 'data' in candidate || Array.isArray(candidate['errors']);
}

/** `ECONNREFUSED`, `ENOTFOUND`, … from a fetch failure, else its message. */
function networkCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
