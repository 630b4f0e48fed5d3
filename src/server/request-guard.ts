/**
 * Checks every GraphQL request (HTTP and WebSocket) before it executes:
 *
 * - no string anywhere in the variables or the query text (JSON values and object keys
 *   included) may hold a NUL character or a lone UTF-16 surrogate, which no store can hold:
 *   BAD_USER_INPUT naming the variable and path, instead of a database error or a silent
 *   U+FFFD;
 * - a subscription sent over HTTP is refused with a message pointing to the WebSocket
 *   endpoint (HTTP has no way to stream its events);
 * - for a client that prefers `application/json` to `application/graphql-response+json`, a
 *   request error (parse, validation, variables, limits) is sent with status 200, as the
 *   GraphQL-over-HTTP spec asks of that media type; `application/graphql-response+json`
 *   clients keep the 4xx.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError, visit, type DocumentNode } from 'graphql';
import { ErrorCode } from '../shared/errors.ts';
import { badText, findBadText } from '../shared/json.ts';

/** The answer to a subscription over HTTP. */
export const SUBSCRIPTION_OVER_HTTP_MESSAGE =
  'Subscriptions are not served over HTTP: open a WebSocket to this same /graphql URL (ws:// or wss://) ' +
  'with the graphql-transport-ws protocol (e.g. the graphql-ws client) and subscribe there.';

/**
 * The first string of the request's variables or query text that cannot be stored (NUL, lone
 * surrogate), as a BAD_USER_INPUT error; undefined when there is none.
 */
export function badTextError(document: DocumentNode | undefined, variables: Readonly<Record<string, unknown>> | null | undefined): GraphQLError | undefined {
  for (const [name, value] of Object.entries(variables ?? {})) {
    const bad = findBadText(value);
    if (bad) {
      const where = bad.path ? ` at ${bad.path.slice(0, 120)}` : '';
      return new GraphQLError(`Variable "$${name.slice(0, 60)}" contains ${bad.reason}${where}; strings must be valid Unicode without NUL.`, {
        extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
      });
    }
  }
  let literal: string | undefined;
  if (document) {
    visit(document, {
      StringValue(node) {
        literal ??= badText(node.value);
      },
    });
  }
  if (literal) {
    return new GraphQLError(`A string in the query contains ${literal}; strings must be valid Unicode without NUL.`, {
      extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
    });
  }
  return undefined;
}

/** True when the client takes `application/json` over `application/graphql-response+json` (or sends no Accept). */
export function prefersLegacyJson(accept: string | undefined): boolean {
  if (!accept) return true;
  const q = (type: RegExp) => {
    let best = -1;
    let position = -1;
    accept.split(',').forEach((part, index) => {
      const [media, ...params] = part.trim().split(';');
      if (!type.test(media!.trim().toLowerCase())) return;
      const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const value = qParam ? Number(qParam.slice(2)) : 1;
      if (value > best) {
        best = value;
        position = index;
      }
    });
    return { q: best, position };
  };
  const modern = q(/^application\/graphql-response\+json$/);
  if (modern.q <= 0) return true;
  const legacy = q(/^(?:application\/json|application\/\*|\*\/\*)$/);
  return legacy.q > modern.q || (legacy.q === modern.q && legacy.position >= 0 && legacy.position < modern.position);
}

/** The Apollo plugin applying the checks in the file comment. */
export function requestGuardPlugin<TContext extends BaseContext = BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, operation }) {
          if (operation?.operation === 'subscription') {
            throw new GraphQLError(SUBSCRIPTION_OVER_HTTP_MESSAGE, { extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } });
          }
          const bad = badTextError(document, request.variables);
          if (bad) throw bad;
        },
        async willSendResponse({ request, response, errors }) {
          const http = response.http;
          if (http.status !== 400 || response.body.kind !== 'single' || !request.http) return;
          // A malformed request (no query, …) is no well-formed GraphQL request: it keeps its 400.
          if (errors?.some((error) => error.extensions['code'] === 'BAD_REQUEST')) return;
          if (!prefersLegacyJson(request.http.headers.get('accept'))) return;
          http.status = 200;
          http.headers.set('content-type', 'application/json; charset=utf-8');
        },
      };
    },
  };
}

