/**
 * The events benchmark's subscribers: real graphql-ws clients (protocol graphql-transport-ws,
 * the `ws` package), `connections` WebSockets each carrying `perConnection` subscriptions to
 * `Subscription.events`, every receipt timestamped the moment the client library hands it
 * over and recorded in a {@link DeliveryLog}.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { DeliveryLog } from './events-deliveries.ts';

/** What each subscription selects. */
export type Selection = 'artifact' | 'artifactTitle' | 'artifactId';

/**
 * `artifact { id }` and `artifact { id title }` resolve the artifact through the subscriber's
 * DataLoader (a visibility-checked read per subscriber per event until the feed read records
 * once and primed the loaders, commit cef0e2b); `artifactId` is the global id carried by the event.
 */
export const SUBSCRIPTIONS: Record<Selection, string> = {
  artifact: 'subscription { events { cursor type occurredAt artifact { id } } }',
  artifactTitle: 'subscription { events { cursor type occurredAt artifact { id title } } }',
  artifactId: 'subscription { events { cursor type occurredAt artifactId } }',
};

interface EventPayload {
  events: { cursor: string; occurredAt: string; artifact?: { id: string } | null; artifactId?: string | null };
}

/** Open subscriptions and what happened to them. */
export interface SubscriberPool {
  connections: number;
  subscriptions: number;
  /** Subscriptions ended with SERVICE_UNAVAILABLE + resumeAfter (SubscriberLaggingError). */
  lagging: number;
  /** Subscriptions ended with any other error, or completed by the server. */
  otherEnded: number;
  errorExamples: string[];
  /** Seconds to open every connection and send every subscribe (the server may still be joining them). */
  openSeconds: number;
  /** Where receipts are recorded; may be swapped between measurements. */
  log: DeliveryLog;
  /** Unsubscribes and closes every connection. */
  close(): Promise<void>;
}

/**
 * Opens `keys.length` connections (connection i authenticates with `keys[i]`) carrying
 * `perConnection` subscriptions each, `concurrency` connections at a time, recording into `log`.
 */
export async function openSubscribers(options: {
  wsUrl: string;
  keys: readonly string[];
  perConnection: number;
  selection: Selection;
  log: DeliveryLog;
  concurrency?: number;
}): Promise<SubscriberPool> {
  const query = SUBSCRIPTIONS[options.selection];
  const clients: Client[] = [];
  const disposers: (() => void)[] = [];
  const started = performance.now();
  const pool: SubscriberPool = {
    connections: options.keys.length,
    subscriptions: options.keys.length * options.perConnection,
    lagging: 0,
    otherEnded: 0,
    errorExamples: [],
    openSeconds: 0,
    log: options.log,
    async close() {
      for (const dispose of disposers) dispose();
      await Promise.all(clients.map((c) => c.dispose()));
    },
  };
  let closing = false;
  const ended = (reason: string, lagging: boolean) => {
    if (closing) return;
    if (lagging) pool.lagging += 1;
    else pool.otherEnded += 1;
    if (pool.errorExamples.length < 5) pool.errorExamples.push(reason.slice(0, 300));
  };
  const close = pool.close;
  pool.close = async () => {
    closing = true;
    await close();
  };

  const open = async (key: string) => {
    const client = createClient({
      url: options.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${key}` },
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: (error) => ended(`connection: ${describe(error)}`, false),
    });
    clients.push(client);
    await new Promise<void>((resolve, reject) => {
      const off = client.on('connected', () => {
        off();
        offClosed();
        resolve();
      });
      const offClosed = client.on('closed', (event) => {
        off();
        offClosed();
        reject(new Error(`connection closed before it was acknowledged: ${describe(event)}`));
      });
    });
    for (let s = 0; s < options.perConnection; s += 1) {
      disposers.push(
        client.subscribe<EventPayload>(
          { query },
          {
            next: (result) => {
              const at = performance.now();
              const e = result.data?.events;
              if (!e) {
                const reason = JSON.stringify(result.errors ?? result);
                ended(reason, isLagging(reason));
                return;
              }
              const id = e.artifact?.id ?? e.artifactId;
              if (id) pool.log.received(id, Number(e.cursor), e.occurredAt, at);
            },
            error: (error) => {
              const reason = describe(error);
              ended(reason, isLagging(reason));
            },
            complete: () => ended('completed by the server', false),
          },
        ),
      );
    }
  };

  const queue = [...options.keys];
  const workers = Array.from({ length: Math.min(options.concurrency ?? 50, queue.length) }, async () => {
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) await open(key);
  });
  await Promise.all(workers);
  pool.openSeconds = Math.round((performance.now() - started) / 10) / 100;
  return pool;
}

/** SubscriberLaggingError, however it reaches the client (its message, or its resumeAfter extension). */
function isLagging(reason: string): boolean {
  return reason.includes('resumeAfter') || reason.includes('fell too far behind');
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'code' in error && 'reason' in error) return `close ${String(error.code)} ${String(error.reason)}`;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
