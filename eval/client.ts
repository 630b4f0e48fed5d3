/**
 * A small GraphQL-over-HTTP client for the harness: POSTs operations with an API key, waits
 * and retries when the server answers RATE_LIMITED (honouring `retryAfterSeconds`), retries
 * a few times on network failures, and turns "cannot reach the server" and "key rejected"
 * into typed errors the CLI maps to exit codes.
 */

/** One GraphQL error as the server sends it. */
export interface GraphQLErrorBody {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; retryAfterSeconds?: number; [key: string]: unknown };
}

/** A GraphQL response body. */
export interface GraphQLResponse<D> {
  data?: D | null;
  errors?: GraphQLErrorBody[];
}

/** The server did not answer (connection refused, DNS, timeout) after the retries. */
export class ServerUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    super(`cannot reach ${url}: ${describe(cause)}`, { cause });
    this.name = 'ServerUnreachableError';
  }
}

/** The server rejected the API key (HTTP 401 / UNAUTHENTICATED). */
export class KeyRejectedError extends Error {
  constructor(url: string) {
    super(`${url} rejected the API key (UNAUTHENTICATED): check --key`);
    this.name = 'KeyRejectedError';
  }
}

/** Options of {@link createGraphQLClient}. */
export interface GraphQLClientOptions {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  graphqlUrl: string;
  /** Sent as `Authorization: Bearer <key>`. */
  key: string;
  /** Network failures retried before giving up (default 3, with 0.5 s, 1 s, 2 s pauses). */
  networkRetries?: number;
  /** Longest total wait for rate limits on one request (default 600 s). */
  maxRateLimitWaitSeconds?: number;
  /** Called each time a rate limit makes the client wait. */
  onRateLimited?: (waitSeconds: number) => void;
}

/** A GraphQL client bound to one endpoint and key. */
export interface GraphQLClient {
  /** Sends one operation; resolves with the body (GraphQL errors included, not thrown). */
  request<D>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<D>>;
  /** Counts of what has been sent so far. */
  stats(): { requests: number; rateLimitedWaits: number; rateLimitedSeconds: number };
  /** Milliseconds the last answered attempt of the last request took (rate-limit waits and retried attempts excluded). */
  lastAttemptMs(): number;
}

/** Creates a {@link GraphQLClient}. */
export function createGraphQLClient(options: GraphQLClientOptions): GraphQLClient {
  const networkRetries = options.networkRetries ?? 3;
  const maxWait = options.maxRateLimitWaitSeconds ?? 600;
  const counters = { requests: 0, rateLimitedWaits: 0, rateLimitedSeconds: 0 };
  let lastAttemptMs = 0;

  const post = async (body: string): Promise<Response> => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        counters.requests += 1;
        return await fetch(options.graphqlUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            authorization: `Bearer ${options.key}`,
          },
          body,
        });
      } catch (error) {
        if (attempt >= networkRetries) throw new ServerUnreachableError(options.graphqlUrl, error);
        await sleep(500 * 2 ** attempt);
      }
    }
  };

  return {
    async request<D>(query: string, variables?: Record<string, unknown>) {
      const body = JSON.stringify({ query, variables });
      let waited = 0;
      for (;;) {
        const started = performance.now();
        const response = await post(body);
        const text = await response.text();
        lastAttemptMs = performance.now() - started;
        let parsed: GraphQLResponse<D>;
        try {
          parsed = JSON.parse(text) as GraphQLResponse<D>;
        } catch {
          throw new Error(`${options.graphqlUrl} answered HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
        }
        const codes = (parsed.errors ?? []).map((e) => e.extensions?.code);
        if (response.status === 401 || codes.includes('UNAUTHENTICATED')) throw new KeyRejectedError(options.graphqlUrl);
        if (response.status === 429 || codes.includes('RATE_LIMITED')) {
          const limited = parsed.errors?.find((e) => e.extensions?.code === 'RATE_LIMITED');
          const header = Number(response.headers.get('retry-after'));
          const seconds = Math.max(1, limited?.extensions?.retryAfterSeconds ?? (Number.isFinite(header) && header > 0 ? header : 1));
          if (waited + seconds > maxWait) {
            throw new Error(`still rate limited after waiting ${waited} s in total (limit ${maxWait} s)`);
          }
          counters.rateLimitedWaits += 1;
          counters.rateLimitedSeconds += seconds;
          options.onRateLimited?.(seconds);
          waited += seconds;
          await sleep(seconds * 1000);
          continue;
        }
        return parsed;
      }
    },
    stats: () => ({ ...counters }),
    lastAttemptMs: () => lastAttemptMs,
  };
}

/**
 * GETs `<baseUrl>/readyz` (no key needed) and returns its JSON body, whatever the status.
 * @throws ServerUnreachableError when nothing answers
 */
export async function fetchReadiness(baseUrl: string): Promise<Record<string, unknown>> {
  const url = new URL('/readyz', baseUrl).toString();
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new ServerUnreachableError(url, error);
  }
  try {
    return (await response.json()) as Record<string, unknown>;
  } catch {
    return { status: `HTTP ${response.status}` };
  }
}

/** Throws an Error summarising `errors` (at most three) when there are any. */
export function throwIfErrors(errors: readonly GraphQLErrorBody[] | undefined, what: string): void {
  if (!errors || errors.length === 0) return;
  const shown = errors.slice(0, 3).map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`);
  throw new Error(`${what} failed: ${shown.join('; ')}${errors.length > 3 ? ` (+${errors.length - 3} more)` : ''}`);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
