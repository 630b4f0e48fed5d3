/**
 * The error boundary: typed Hivegraph errors keep their code and message; GraphQL's own
 * request errors (parse, validation, variable coercion) keep theirs; anything else is masked
 * as INTERNAL_SERVER_ERROR and logged with the request id. Used by HTTP and WebSocket alike.
 */
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, isHivegraphError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';

/** Codes produced by GraphQL execution itself whose messages are safe to show. */
const SAFE_GRAPHQL_CODES = new Set<string>([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.QUERY_TOO_COMPLEX,
  ErrorCode.RATE_LIMITED,
]);

/** The message clients see for masked errors. */
export const MASKED_MESSAGE = 'Internal server error. Quote the requestId when reporting it.';

/**
 * Formats one error for a client.
 * @param formatted the default formatting (message, locations, path, extensions)
 * @param error the raw error (may wrap the resolver's thrown error)
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  log: { logger?: Logger | undefined; requestId?: string | undefined },
): GraphQLFormattedError {
  const original = innermost(error);
  const base = { ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
  if (isHivegraphError(original)) {
    return { ...base, message: original.message, extensions: { ...original.extensions, code: original.code } };
  }
  const code = formatted.extensions?.['code'];
  if (typeof code === 'string' && SAFE_GRAPHQL_CODES.has(code) && isGraphQLError(original)) {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...base, message: formatted.message, extensions };
  }
  log.logger?.error('unexpected error while executing a request', unexpectedErrorFields(original, log.requestId, formatted.path));
  return {
    ...base,
    message: MASKED_MESSAGE,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(log.requestId ? { requestId: log.requestId } : {}) },
  };
}

/**
 * True when {@link formatError} would mask `error`: neither a typed Hivegraph error nor an
 * error GraphQL itself raised with a safe code.
 */
export function isUnexpectedError(error: unknown): boolean {
  const original = innermost(error);
  if (isHivegraphError(original)) return false;
  const code = (error as { extensions?: Record<string, unknown> } | null)?.extensions?.['code'];
  return !(typeof code === 'string' && SAFE_GRAPHQL_CODES.has(code) && isGraphQLError(original));
}

/** Log fields for an unexpected error (the full message and stack stay in the server log). */
export function unexpectedErrorFields(error: unknown, requestId: string | undefined, path?: readonly (string | number)[]) {
  const original = innermost(error);
  return {
    requestId,
    error: original instanceof Error ? { name: original.name, message: original.message, stack: original.stack } : String(original),
    ...(path ? { path } : {}),
  };
}

/** Follows `originalError` links to the error that was really thrown. */
function innermost(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 10; depth += 1) {
    const next = (current as { originalError?: unknown } | null | undefined)?.originalError;
    if (next === undefined || next === null) return current;
    current = next;
  }
  return current;
}

/**
 * True for errors GraphQL itself raised (parse, validation, coercion, or a GraphQLError thrown
 * on purpose). Checked by name, not instanceof, so it holds across duplicate graphql copies.
 */
function isGraphQLError(error: unknown): boolean {
  return error instanceof Error && error.name === 'GraphQLError';
}
