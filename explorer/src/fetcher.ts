/**
 * How the explorer talks to the server: queries and mutations as `POST /graphql`
 * (`Authorization: Bearer <key>`), subscriptions over WebSocket with the graphql-ws client
 * (`connectionParams.authorization`). The key travels only in those two places — never in a
 * URL.
 */
import type { ComponentProps } from 'react';
import type { GraphiQL } from 'graphiql';
import { getOperationAST, parse } from 'graphql';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';

/** GraphiQL's fetcher type. */
export type Fetcher = ComponentProps<typeof GraphiQL>['fetcher'];
type FetcherResult = Awaited<ReturnType<Fetcher>>;

/** A GraphQL response as the explorer sees it. */
export interface GraphQLResponse<D = unknown> {
  data?: D | null;
  errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
}

/** The transport for one API key; make a new one when the key changes. */
export interface Transport {
  fetcher: Fetcher;
  /** Runs one query over HTTP (the neighbourhood view). */
  request<D>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<D>>;
  /** Closes the WebSocket, ending its subscriptions. */
  dispose(): void;
}

/** The endpoints of the server that served the page. */
export function endpointsFor(location: { href: string }): { httpUrl: string; wsUrl: string } {
  const httpUrl = new URL('/graphql', location.href);
  const wsUrl = new URL(httpUrl);
  wsUrl.protocol = httpUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  return { httpUrl: httpUrl.toString(), wsUrl: wsUrl.toString() };
}

/** Builds the transport; `authorization` is `Bearer <key>` or undefined for none. */
export function createTransport(endpoints: { httpUrl: string; wsUrl: string }, authorization: string | undefined): Transport {
  let ws: Client | undefined;
  const wsClient = () =>
    (ws ??= createClient({
      url: endpoints.wsUrl,
      connectionParams: authorization ? { authorization } : {},
      retryAttempts: 2,
    }));

  const post = async (body: unknown, extraHeaders: Record<string, unknown> = {}): Promise<GraphQLResponse<never>> => {
    const headers = new Headers({ 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' });
    if (authorization) headers.set('authorization', authorization);
    // Headers typed into GraphiQL's header editor win (e.g. another Authorization).
    for (const [name, value] of Object.entries(extraHeaders)) headers.set(name, String(value));
    let response: Response;
    try {
      response = await fetch(endpoints.httpUrl, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
    } catch (error) {
      return { errors: [{ message: `The server could not be reached: ${error instanceof Error ? error.message : String(error)}` }] };
    }
    const text = await response.text();
    try {
      return JSON.parse(text) as GraphQLResponse<never>;
    } catch {
      return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 300)}` }] };
    }
  };

  const fetcher: Fetcher = (params, opts) => {
    if (isSubscription(params.query, params.operationName)) {
      return subscription(wsClient(), { query: params.query, operationName: params.operationName ?? null, variables: params.variables ?? null });
    }
    return post(params, opts?.headers ?? {}) as Promise<FetcherResult>;
  };

  return {
    fetcher,
    request: (query, variables) => post({ query, variables }) as Promise<GraphQLResponse<never>>,
    dispose() {
      void ws?.dispose();
      ws = undefined;
    },
  };
}

/**
 * Parses the text actually sent: GraphiQL's `documentAST` lags the editor by its 100 ms
 * debounce, so right after an edit it can still describe the previous operation.
 */
function isSubscription(query: string, operationName: string | null | undefined): boolean {
  try {
    return getOperationAST(parse(query), operationName ?? undefined)?.operation === 'subscription';
  } catch {
    return false; // a syntax error: let the server answer it over HTTP
  }
}

/** An Observable (what GraphiQL consumes) over one graphql-ws subscription. */
function subscription(client: Client, payload: { query: string; operationName: string | null; variables: Record<string, unknown> | null }): FetcherResult {
  const observable = {
    subscribe(sink: { next(value: FormattedExecutionResult): void; error(error: unknown): void; complete(): void }) {
      const unsubscribe = client.subscribe(payload, {
        next: (value) => sink.next(value as FormattedExecutionResult),
        error: (error) => sink.error(describeSocketError(error)),
        complete: () => sink.complete(),
      });
      return { unsubscribe };
    },
  };
  return observable as unknown as FetcherResult;
}

/** graphql-ws reports a closed socket as a CloseEvent; GraphiQL shows Errors and error arrays best. */
function describeSocketError(error: unknown): unknown {
  if (Array.isArray(error) || error instanceof Error) return error;
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code, reason } = error as { code: number; reason?: string };
    return new Error(`The WebSocket closed (${code}${reason ? `: ${reason}` : ''})`);
  }
  return new Error('The WebSocket failed (is the server running?)');
}
