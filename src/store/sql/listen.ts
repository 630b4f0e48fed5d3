/**
 * LISTEN on a dedicated Postgres connection that survives connection loss: it reconnects
 * with backoff (0.1 s doubling to 5 s) and calls `onReconnect` so the caller can catch up on
 * what it may have missed.
 */
import type pg from 'pg';

/** Channel names are identifiers: checked, then quoted. */
export function checkChannel(channel: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new RangeError(`invalid notification channel "${channel}"`);
}

/**
 * Listens on `channel` through clients made by `connect`.
 * @returns a function that stops listening and closes the connection
 */
export async function listenWithReconnect(
  connect: () => pg.Client,
  channel: string,
  onMessage: (payload: string) => void,
  onReconnect?: () => void,
): Promise<() => Promise<void>> {
  checkChannel(channel);
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let delay = 100;

  const open = async (): Promise<void> => {
    const next = connect();
    next.on('notification', (message) => {
      if (message.channel === channel) onMessage(message.payload ?? '');
    });
    next.on('error', () => undefined); // 'end' follows; reconnection happens there
    next.on('end', () => {
      // Only a connection that was listening reconnects; a failed attempt is retried by schedule().
      if (client !== next) return;
      client = undefined;
      if (!stopped) schedule();
    });
    try {
      await next.connect();
      await next.query(`LISTEN "${channel}"`);
    } catch (error) {
      await next.end().catch(() => undefined);
      throw error;
    }
    if (stopped) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
  };

  const schedule = () => {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      open().then(
        () => {
          delay = 100;
          onReconnect?.();
        },
        () => {
          delay = Math.min(delay * 2, 5000);
          schedule();
        },
      );
    }, delay);
    retry.unref();
  };

  await open();
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    await client?.end().catch(() => undefined);
  };
}
