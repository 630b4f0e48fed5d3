/**
 * The request being handled, for code called without the request at hand (Apollo's
 * `formatError` and plugins, services that log): entered by the express app around each
 * HTTP request and by the WebSocket endpoint around each operation. Every log line written
 * in the scope carries its `requestId` (the logger reads the same context,
 * src/shared/log-context.ts); metrics read what the scope gathered (operation name, error codes).
 */
import { currentLogContext, runWithLogContext, type LogContext } from '../shared/log-context.ts';

/** What is known about the request being handled. */
export interface RequestScope extends LogContext {
  requestId: string;
  /** The operation's name once Apollo has resolved it. */
  operation?: string | undefined;
  /** `extensions.code` of every GraphQL error sent in the answer. */
  errorCodes: string[];
  /** Cut field suggestions from error messages (the caller may not introspect). */
  maskSuggestions?: boolean;
}

/** A fresh scope for request `requestId`. */
export function newRequestScope(requestId: string): RequestScope {
  return { requestId, errorCodes: [] };
}

/** Runs `fn` (and everything it awaits) in `scope` (a bare request id starts a fresh one). */
export function runInRequestScope<T>(scope: RequestScope | string, fn: () => T): T {
  return runWithLogContext(typeof scope === 'string' ? newRequestScope(scope) : scope, fn);
}

/** The request being handled, if any. */
export function currentRequestScope(): RequestScope | undefined {
  const context = currentLogContext();
  return context && 'errorCodes' in context ? (context as RequestScope) : undefined;
}

/** The request id of the request being handled, if any. */
export function currentRequestId(): string | undefined {
  return currentLogContext()?.requestId;
}
