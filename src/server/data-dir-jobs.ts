/**
 * Jobs the server does for a CLI command that finds the embedded data directory locked by it
 * (src/store/sql/data-dir-control.ts): today `export`, which streams a snapshot over the lock's
 * socket instead of a second process opening the database files.
 */
import type net from 'node:net';
import { exportSnapshot, type SnapshotSink } from '../services/snapshot/index.ts';
import type { Logger } from '../shared/logger.ts';
import { dataDirLockOf } from '../store/open.ts';
import type { SqlClient } from '../store/types.ts';

/** Offers the data-directory jobs on `sql`'s lock; a no-op in server mode (no data directory). */
export function offerDataDirJobs(sql: SqlClient, logger: Logger): void {
  const lock = dataDirLockOf(sql);
  if (!lock) return;
  lock.handle('export', async (socket) => {
    const started = performance.now();
    logger.info('export requested by a local `hivegraph export`: streaming a snapshot (PGlite serves one transaction at a time, so requests wait meanwhile)');
    try {
      const outcome = await exportSnapshot(sql, socketSink(socket));
      await new Promise<void>((resolve) => socket.end(resolve));
      logger.info(`export done: ${outcome.records} records in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } catch (error) {
      logger.warn('export for a local `hivegraph export` broke off', { error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  });
}

/** A {@link SnapshotSink} over a socket, waiting for it to drain. */
function socketSink(socket: net.Socket): SnapshotSink {
  return {
    async write(text) {
      if (socket.destroyed) throw new Error('the requester hung up');
      if (socket.write(text)) return;
      await new Promise<void>((resolve, reject) => {
        const drained = () => {
          socket.off('close', closed);
          resolve();
        };
        const closed = () => {
          socket.off('drain', drained);
          reject(new Error('the requester hung up'));
        };
        socket.once('drain', drained);
        socket.once('close', closed);
      });
    },
  };
}
