/**
 * The request id of the HTTP request being handled, for code Apollo calls without the
 * request at hand (its `formatError` option): set by the express app around /graphql.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const scope = new AsyncLocalStorage<string>();

/** Runs `fn` (and everything it awaits) with `requestId` as the current request id. */
export function runInRequestScope<T>(requestId: string, fn: () => T): T {
  return scope.run(requestId, fn);
}

/** The request id of the HTTP request being handled, if any. */
export function currentRequestId(): string | undefined {
  return scope.getStore();
}
