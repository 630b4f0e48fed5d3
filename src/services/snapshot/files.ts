/**
 * Snapshot files: a writer that streams to `FILE.partial` (gzip-compressed when the name ends
 * in `.gz`) and renames it to FILE only once the export is complete, or to stdout for `-`; and
 * a line reader for a file (gzip detected by its first bytes) or stdin, counting bytes read.
 * Both respect backpressure, so memory stays flat whatever the size.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';

/** Where an export writes its lines. */
export interface SnapshotSink {
  /** Writes text, waiting while the destination is full. */
  write(text: string): Promise<void>;
}

/** A snapshot being written to a file or stdout. */
export interface SnapshotWriter extends SnapshotSink {
  /** Uncompressed bytes written so far. */
  readonly bytes: number;
  /** Finishes the file (renames `FILE.partial` to FILE); resolves with the bytes on disk. */
  commit(): Promise<number>;
  /** Stops writing and removes the partial file. */
  abort(): Promise<void>;
}

/** Opens `target` (`-`: stdout) for writing a snapshot. */
export function openSnapshotWriter(target: string): SnapshotWriter {
  const toStdout = target === '-';
  const partial = `${target}.partial`;
  const file: Writable = toStdout ? process.stdout : createWriteStream(partial);
  // Level 1: ~4× faster than the default 6 on snapshot text for a file ~10 % larger (3.8× vs 4.2× smaller).
  const gzip = !toStdout && target.endsWith('.gz') ? createGzip({ level: 1 }) : undefined;
  if (gzip) gzip.pipe(file);
  const head: Writable = gzip ?? file;
  let failure: unknown;
  const fail = (error: unknown) => {
    failure ??= error;
  };
  file.on('error', fail);
  gzip?.on('error', fail);
  let bytes = 0;
  return {
    get bytes() {
      return bytes;
    },
    async write(text) {
      if (failure) throw failure;
      bytes += Buffer.byteLength(text);
      if (!head.write(text)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            for (const [stream, event] of waits) stream.off(event, done);
            resolve();
          };
          // Drained, or closed by an error (recorded in `failure`).
          const waits = [[head, 'drain'], [head, 'close'], [file, 'close']] as const;
          for (const [stream, event] of waits) stream.on(event, done);
        });
        if (failure) throw failure;
      }
    },
    async commit() {
      if (failure) throw failure;
      if (toStdout) return bytes;
      const closed = once(file, 'close');
      head.end();
      await closed;
      if (failure) throw failure;
      await rename(partial, target);
      return (await stat(target)).size;
    },
    async abort() {
      if (toStdout) return;
      head.destroy();
      if (gzip) file.destroy();
      await rm(partial, { force: true });
    },
  };
}

/** The lines of a snapshot being read. */
export interface SnapshotLines extends AsyncIterable<string> {
  /** Bytes read from the source so far (compressed bytes for a gzip file). */
  bytesRead(): number;
  /** The file's size (undefined for stdin). */
  readonly totalBytes: number | undefined;
  /** Stops reading. */
  close(): void;
}

/** Opens `source` (`-`: stdin) for reading a snapshot line by line. */
export async function openSnapshotLines(source: string): Promise<SnapshotLines> {
  let raw: Readable;
  let totalBytes: number | undefined;
  let gzipped = false;
  if (source === '-') {
    raw = process.stdin;
  } else {
    const handle = await open(source, 'r');
    try {
      const magic = Buffer.alloc(2);
      const { bytesRead } = await handle.read(magic, 0, 2, 0);
      gzipped = bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
      totalBytes = (await handle.stat()).size;
    } finally {
      await handle.close();
    }
    raw = createReadStream(source, { highWaterMark: 1024 * 1024 });
  }
  let read = 0;
  raw.on('data', (chunk: Buffer | string) => {
    read += chunk.length;
  });
  const input = gzipped ? raw.pipe(createGunzip()) : raw;
  if (gzipped) raw.on('error', (error) => input.destroy(error));
  const lines = createInterface({ input, crlfDelay: Infinity });
  // Iterate from now on: readline emits lines as soon as data flows, and the iterator is what
  // buffers them (pausing the input when it holds enough) until the import reads them.
  const iterator = lines[Symbol.asyncIterator]();
  return {
    [Symbol.asyncIterator]: () => iterator,
    bytesRead: () => read,
    totalBytes,
    close() {
      lines.close();
      if (raw !== process.stdin) raw.destroy();
    },
  };
}
