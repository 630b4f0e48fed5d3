/**
 * Executes subscription deliveries once per equivalence class and sends the same frame to each
 * subscriber of the class (the `subscribe` of graphql-ws, src/server/websocket.ts).
 *
 * Two subscribers are in one class for a delivery when they run the same document with the
 * same operation name and variables, got the delivery from the same read of the feed (same
 * event, same records) with the same `readable` string (the same visibility decisions on those
 * records), and — unless the document reads nothing per viewer (`sharedAcrossViewers`) — use
 * the same API key. The class executes once with fresh, primed loaders; its result is
 * serialised once, and each subscriber's `next` frame is that JSON with its own id around it.
 *
 * The graphql-ws loop still owns the protocol (subscribe, complete, errors, close): the
 * iterator returned here sends its `next` frames itself, one at a time after the previous one
 * was written to the socket (as graphql-ws did), and yields nothing until the source ends.
 */
import { createSourceEventStream, execute, print, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { createLoaders, type GraphQLContext } from '../resolvers/index.ts';
import { sharedAcrossViewers } from '../resolvers/subscription-sharing.ts';
import type { EventDelivery } from '../services/index.ts';
import type { Logger } from '../shared/logger.ts';
import { formatError } from './format-error.ts';

/** Executed payloads kept for the other members of a class (first in, first out). */
const SHARED_RESULTS = 4096;

/** The context of a WebSocket subscription: sends its `next` frames. */
export interface SubscriptionContext extends GraphQLContext {
  /** Sends `{"id":…,"type":"next","payload":<payloadJson>}`; resolves once written to the socket. */
  sendNext(payloadJson: string): Promise<void>;
}

/** The `subscribe` function for graphql-ws. */
export type SubscribeFn = (args: ExecutionArgs) => Promise<AsyncGenerator<ExecutionResult> | ExecutionResult>;

/** Counters of the executor (for tests and the benchmark). */
export interface ExecutorStats {
  /** Deliveries sent. */
  deliveries: number;
  /** Executions run (one per equivalence class and delivery). */
  executions: number;
}

/** Creates the shared executor. */
export function createSubscriptionExecutor(deps: { logger: Logger }): { subscribe: SubscribeFn; stats: ExecutorStats } {
  const results = new Map<string, Promise<string>>();
  /** Small numbers for the (long) class descriptions, so per-delivery keys stay short. */
  const classIds = new Map<string, number>();
  const stats: ExecutorStats = { deliveries: 0, executions: 0 };
  let nextClassId = 1;

  function serialise(result: ExecutionResult, requestId: string): string {
    if (!result.errors?.length) return JSON.stringify(result);
    return JSON.stringify({ ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error, { logger: deps.logger, requestId })) });
  }

  /** The payload JSON of `delivery` for this class, executing it when it is the first member. */
  function payloadOf(key: string, args: ExecutionArgs, context: SubscriptionContext, delivery: EventDelivery): Promise<string> {
    let payload = results.get(key);
    if (payload) return payload;
    stats.executions++;
    const contextValue: GraphQLContext = {
      viewer: context.viewer,
      services: context.services,
      requestId: context.requestId,
      loaders: createLoaders(context.services, context.viewer),
    };
    payload = Promise.resolve(execute({ ...args, rootValue: delivery, contextValue })).then((result) => serialise(result, context.requestId));
    results.set(key, payload);
    if (results.size > SHARED_RESULTS) results.delete(results.keys().next().value!);
    payload.catch(() => results.delete(key));
    return payload;
  }

  async function subscribe(args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream;
    const source = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    const context = args.contextValue as SubscriptionContext;
    const shared = sharedAcrossViewers(args.schema, args.document, args.operationName);
    const description = [print(args.document), args.operationName ?? '', JSON.stringify(args.variableValues ?? {}), shared ? '*' : context.viewer.keyId].join('\u0000');
    let classOf = classIds.get(description);
    if (classOf === undefined) {
      if (classIds.size >= SHARED_RESULTS) classIds.clear(); // ids already handed out stay unique
      classOf = nextClassId++;
      classIds.set(description, classOf);
    }
    let stopped = false;

    const iterator: AsyncGenerator<ExecutionResult> = {
      async next() {
        for (;;) {
          const item = await source.next();
          if (item.done || stopped) return { value: undefined, done: true };
          const delivery = item.value as EventDelivery;
          const key = `${classOf}:${delivery.records.readId}:${delivery.event.cursor}:${delivery.readable}`;
          const payload = await payloadOf(key, args, context, delivery);
          if (stopped) return { value: undefined, done: true };
          stats.deliveries++;
          try {
            await context.sendNext(payload);
          } catch {
            // The socket is gone (graphql-ws ends the operation on close): stop quietly.
            stopped = true;
            await source.return?.();
            return { value: undefined, done: true };
          }
        }
      },
      async return() {
        stopped = true;
        await source.return?.();
        return { value: undefined, done: true };
      },
      async throw(error: unknown) {
        stopped = true;
        await source.return?.();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
      async [Symbol.asyncDispose]() {
        await iterator.return(undefined);
      },
    };
    return iterator;
  }

  return { subscribe, stats };
}
