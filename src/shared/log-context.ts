/**
 * Fields every log line written while handling one request carries (its `requestId`), kept in
 * an AsyncLocalStorage so code deep below the server — services, the graph projector's callers,
 * Apollo's error formatting — logs them without passing them along.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** What the current request adds to each log line. */
export interface LogContext {
  requestId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` (and everything it awaits) with `context` added to every log line. */
export function runWithLogContext<T>(context: LogContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The log context of the code running now, if any. */
export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}
