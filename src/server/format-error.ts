/**
 * The error boundary: typed Hivegraph errors keep their code and message; GraphQL's own
 * request errors (parse, validation, variable coercion) and Apollo's HTTP-level ones (a
 * malformed request, BAD_REQUEST, reported as BAD_USER_INPUT) keep theirs; anything else is
 * masked as INTERNAL_SERVER_ERROR and logged with the request id, which the masked error
 * carries too. Used by HTTP and WebSocket alike.
 */
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, isHivegraphError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { currentRequestId } from './request-scope.ts';

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
  const requestId = log.requestId ?? currentRequestId();
  const original = innermost(error);
  const base = { ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
  if (isHivegraphError(original)) {
    return { ...base, message: original.message, extensions: { ...original.extensions, code: original.code } };
  }
  const code = formatted.extensions?.['code'];
  if (typeof code === 'string' && SAFE_GRAPHQL_CODES.has(code) && isGraphQLError(original)) {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    // Apollo's malformed-request and unknown-operationName codes; the contract's word for
    // both is BAD_USER_INPUT (API.md lists no other).
    if (code === 'BAD_REQUEST' || code === 'OPERATION_RESOLUTION_FAILURE') extensions['code'] = ErrorCode.BAD_USER_INPUT;
    return { ...base, message: formatted.message, extensions };
  }
  log.logger?.error('unexpected error while executing a request', unexpectedErrorFields(original, requestId, formatted.path));
  return {
    ...base,
    message: MASKED_MESSAGE,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(requestId ? { requestId } : {}) },
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
 * Names of Apollo Server's own GraphQLError subclasses (internalErrorClasses): parse,
 * validation, malformed HTTP request, persisted-query and operation-resolution errors.
 */
const APOLLO_ERROR_NAMES = new Set([
  'SyntaxError',
  'ValidationError',
  'UserInputError',
  'BadRequestError',
  'OperationResolutionError',
  'PersistedQueryNotFoundError',
  'PersistedQueryNotSupportedError',
]);

/**
 * True for errors GraphQL itself raised (parse, validation, coercion, or a GraphQLError thrown
 * on purpose), Apollo's subclasses included. Checked by name, not instanceof, so it holds
 * across duplicate graphql copies; Apollo's names only count with GraphQL's `extensions`
 * object, which a native SyntaxError never has.
 */
function isGraphQLError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'GraphQLError') return true;
  const extensions = (error as { extensions?: unknown }).extensions;
  return APOLLO_ERROR_NAMES.has(error.name) && extensions !== null && typeof extensions === 'object';
}
