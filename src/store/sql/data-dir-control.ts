/**
 * The control client: asks the process that holds an embedded data directory (see
 * data-dir-lock.ts) to do a job for us, instead of opening its files. The request carries the
 * directory's control token, which only a user who may read the directory can present; the
 * answer is the holder's socket, positioned after its `{"ok":true}` line.
 */
import { readFile, realpath } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CONTROL_TOKEN_FILE, controlSocketName, DataDirLockedError, parseHolderLine, type LockHolder } from './data-dir-lock.ts';

/** An accepted request: the holder, and the stream of its answer. */
export interface ControlAnswer {
  holder: LockHolder | undefined;
  /** The answer's bytes (the holder ends it when done; an error means it broke off). */
  body: Readable;
}

/**
 * Sends `op` to the holder of `dir`.
 * @throws DataDirLockedError (with the holder) when the holder does not offer `op` or refuses
 * @throws Error when no process holds `dir` or its control token cannot be read
 */
export async function requestFromHolder(dir: string, op: string): Promise<ControlAnswer> {
  const real = await realpath(dir);
  const token = (await readFile(path.join(real, CONTROL_TOKEN_FILE), 'utf8')).trim();
  const socket = net.connect(controlSocketName(real));
  const lines = readLines(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const holder = parseHolderLine(await lines.next());
  socket.write(`${JSON.stringify({ op, token })}\n`);
  const answer = JSON.parse(await lines.next()) as { ok?: boolean; error?: string };
  if (!answer.ok) {
    socket.destroy();
    const refused = new DataDirLockedError(real, holder);
    refused.message += ` (it answered: ${answer.error ?? 'no'})`;
    throw refused;
  }
  return { holder, body: lines.rest() };
}

/** Reads whole lines off a socket, then hands over the remaining bytes as a stream. */
function readLines(socket: net.Socket): { next(): Promise<string>; rest(): Readable } {
  let buffered = Buffer.alloc(0);
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    wake?.();
  };
  socket.on('data', onData);
  socket.on('end', () => {
    ended = true;
    wake?.();
  });
  socket.on('error', (error) => {
    failure = error;
    wake?.();
  });
  return {
    async next() {
      for (;;) {
        const newline = buffered.indexOf(0x0a);
        if (newline >= 0) {
          const line = buffered.subarray(0, newline).toString('utf8');
          buffered = buffered.subarray(newline + 1);
          return line;
        }
        if (failure) throw failure;
        if (ended) throw new Error('the data directory holder hung up');
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    },
    rest() {
      socket.off('data', onData);
      socket.pause();
      const head = buffered;
      return Readable.from(
        (async function* () {
          if (head.length > 0) yield head;
          if (ended) return;
          for await (const chunk of socket) yield chunk as Buffer;
        })(),
      );
    },
  };
}
