/**
 * The embedded data directory's exclusive lock. PGlite has no lock of its own: two processes
 * opening one directory each run a PostgreSQL over the same files and destroy them. Every
 * process that opens `HIVEGRAPH_DATA_DIR` (the server and each CLI command) takes this lock
 * first and holds it until it closes the database.
 *
 * Two parts:
 * - **The mutex** (Linux): a listening Unix socket in the abstract namespace, named after the
 *   directory's real path. Binding is atomic and the kernel frees the name when the process
 *   ends in any way (exit, crash, SIGKILL), so a lock is never stale. The holder answers a
 *   connection with a line describing itself, which is how a second opener names it.
 * - **The lock file** `hivegraph.lock` in the directory: the holder's PID, process start time,
 *   host and command, its mtime refreshed every {@link HEARTBEAT_MS}. It is what a person
 *   reads, and it is the lock itself where there is no abstract namespace (other platforms)
 *   or where the socket cannot see the holder (a process on another host or in another
 *   network namespace sharing the directory). A file is stale when its process is gone
 *   (same host: no such PID, or a PID with another start time) or, from another host, when
 *   its heartbeat is older than {@link STALE_AFTER_MS}.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, realpath, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { StartupError } from '../../shared/errors.ts';

/** The lock file's name inside the data directory. */
export const LOCK_FILE = 'hivegraph.lock';
/** How often the holder refreshes the lock file's mtime. */
export const HEARTBEAT_MS = 10_000;
/** A lock file from another host whose heartbeat is older than this is stale. */
export const STALE_AFTER_MS = 60_000;

/** Who holds (or held) a data directory. */
export interface LockHolder {
  pid: number;
  host: string;
  /** What the holder runs, e.g. `serve` or `reembed`. */
  command: string;
  /** When the holder took the lock (ISO 8601). */
  since: string;
  /** The process's start time as the kernel counts it (Linux), to tell a reused PID apart. */
  processStart?: string;
}

/** A held lock; {@link DataDirLock.release} gives it up (idempotent). */
export interface DataDirLock {
  readonly dir: string;
  /**
   * Offers a job to other local processes that find the directory locked (see
   * data-dir-control.ts): `fn` gets the requester's socket to answer on and must end it.
   * Only requesters that can read the directory's control token are served.
   */
  handle(op: string, fn: ControlHandler): void;
  release(): Promise<void>;
}

/** Serves one control request: writes the answer to `socket`, then ends it. */
export type ControlHandler = (socket: net.Socket) => Promise<void>;

/** The control token's file name: mode 0600, so only who may read the directory may ask. */
export const CONTROL_TOKEN_FILE = 'hivegraph.control';

/** The data directory is in use by another live process. The CLI exits 75 (EX_TEMPFAIL). */
export class DataDirLockedError extends StartupError {
  readonly holder: LockHolder | undefined;
  readonly dir: string;
  constructor(dir: string, holder: LockHolder | undefined) {
    const who = holder
      ? `process ${holder.pid}${holder.host !== os.hostname() ? ` on host ${holder.host}` : ''} (hivegraph ${holder.command}, since ${holder.since})`
      : 'another process';
    super(
      `The data directory ${dir} is in use by ${who}. Only one process may open an embedded ` +
        'data directory at a time: stop that process first (Ctrl-C in its terminal' +
        (holder ? `, or kill ${holder.pid}` : '') +
        '), or work through the running server\'s API instead of opening the files ' +
        '(`hivegraph export` may run beside a running server: the server makes the snapshot).',
    );
    this.name = 'DataDirLockedError';
    this.dir = dir;
    this.holder = holder;
  }
}

/** Options of {@link acquireDataDirLock}. */
export interface AcquireOptions {
  /** What this process runs, recorded for whoever finds the directory locked. Default: the CLI command. */
  command?: string;
  /** Use the abstract-socket mutex (default: on Linux). Off, the lock file alone decides. */
  useSocket?: boolean;
}

/**
 * Takes the exclusive lock on `dir` (created if missing), or throws {@link DataDirLockedError}
 * naming the live holder. Touches nothing in the directory when it throws.
 */
export async function acquireDataDirLock(dir: string, options: AcquireOptions = {}): Promise<DataDirLock> {
  await mkdir(dir, { recursive: true });
  const real = await realpath(dir);
  const me: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    command: options.command ?? (process.argv[2] && !process.argv[2].startsWith('-') ? process.argv[2] : path.basename(process.argv[1] ?? 'node')),
    since: new Date().toISOString(),
    ...optionalStart(processStartTime(process.pid)),
  };
  const useSocket = options.useSocket ?? process.platform === 'linux';
  const handlers = new Map<string, ControlHandler>();
  const token = randomBytes(32).toString('hex');
  const server = useSocket ? await bindMutex(real, me, (request, socket) => serveRequest(request, socket, token, handlers)) : undefined;
  const file = path.join(real, LOCK_FILE);
  const tokenFile = path.join(real, CONTROL_TOKEN_FILE);
  try {
    await writeLockFile(file, me, real);
    if (server) {
      await unlink(tokenFile).catch(() => undefined);
      await writeFile(tokenFile, `${token}\n`, { mode: 0o600, flag: 'wx' });
    }
  } catch (error) {
    server?.close();
    throw error;
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(file, now, now).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let released = false;
  return {
    dir: real,
    handle(op, fn) {
      handlers.set(op, fn);
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      handlers.clear();
      if (server) await unlink(tokenFile).catch(() => undefined);
      // Remove the file only while it is still ours, then free the mutex.
      const holder = await readHolder(file);
      if (holder && holder.pid === me.pid && holder.host === me.host && holder.since === me.since) {
        await unlink(file).catch(() => undefined);
      }
      if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Reads the lock file of `dir`, if any (for status output and tests). */
export async function readDataDirLock(dir: string): Promise<LockHolder | undefined> {
  return readHolder(path.join(dir, LOCK_FILE));
}

/** The abstract socket name for a directory: a hash of its real path, so any spelling of it maps to one name. */
function mutexName(real: string): string {
  return `\0hivegraph-data-dir-${createHash('sha256').update(real).digest('hex').slice(0, 40)}`;
}

/** What a requester sends after reading the holder's line. */
interface ControlRequest {
  op: string;
  token: string;
}

async function bindMutex(real: string, me: LockHolder, onRequest: (request: ControlRequest, socket: net.Socket) => void): Promise<net.Server> {
  const name = mutexName(real);
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.write(`${JSON.stringify(me)}\n`);
    // A lock check reads the line and hangs up; a control request follows with one line.
    let text = '';
    const idle = setTimeout(() => socket.end(), 5000);
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const newline = text.indexOf('\n');
      if (newline < 0) {
        if (text.length > 4096) socket.destroy();
        return;
      }
      clearTimeout(idle);
      socket.off('data', onData);
      const request = parseRequest(text.slice(0, newline));
      if (request) onRequest(request, socket);
      else socket.end(`${JSON.stringify({ error: 'malformed request' })}\n`);
    };
    socket.on('data', onData);
    socket.on('close', () => clearTimeout(idle));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(name, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new DataDirLockedError(real, (await askHolder(name)) ?? (await readHolder(path.join(real, LOCK_FILE))));
  }
  server.unref();
  return server;
}

function parseRequest(line: string): ControlRequest | undefined {
  try {
    const value = JSON.parse(line) as Partial<ControlRequest>;
    return typeof value.op === 'string' && typeof value.token === 'string' ? { op: value.op, token: value.token } : undefined;
  } catch {
    return undefined;
  }
}

function serveRequest(request: ControlRequest, socket: net.Socket, token: string, handlers: Map<string, ControlHandler>): void {
  const expected = Buffer.from(token);
  const given = Buffer.from(request.token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    socket.end(`${JSON.stringify({ error: 'wrong control token' })}\n`);
    return;
  }
  const handler = handlers.get(request.op);
  if (!handler) {
    socket.end(`${JSON.stringify({ error: `this process does not offer "${request.op}"` })}\n`);
    return;
  }
  socket.write(`${JSON.stringify({ ok: true })}\n`);
  handler(socket).catch((error: unknown) => {
    socket.destroy(error instanceof Error ? error : new Error(String(error)));
  });
}

/** The abstract socket name for a directory (see {@link mutexName}), for the control client. */
export function controlSocketName(real: string): string {
  return mutexName(real);
}

/** Parses the holder's line (for the control client). */
export function parseHolderLine(line: string): LockHolder | undefined {
  return parseHolder(line);
}

/** Connects to the holder's socket and reads the line it answers with (undefined on any failure). */
function askHolder(name: string): Promise<LockHolder | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const socket = net.connect(name);
    const done = (holder: LockHolder | undefined) => {
      socket.destroy();
      resolve(holder);
    };
    socket.setTimeout(2000, () => done(undefined));
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
      const newline = text.indexOf('\n');
      if (newline >= 0) done(parseHolder(text.slice(0, newline)));
    });
    socket.on('end', () => done(parseHolder(text)));
    socket.on('error', () => done(undefined));
  });
}

/**
 * Writes our lock file: exclusively when there is none; over a stale one (moved aside first,
 * so of two processes taking over the same stale file only one succeeds in creating the new).
 */
async function writeLockFile(file: string, me: LockHolder, real: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(file, 'wx', 0o644);
      try {
        await handle.writeFile(`${JSON.stringify(me, null, 2)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readHolder(file);
    if (holder && (await holderIsAlive(holder, file))) throw new DataDirLockedError(real, holder);
    const aside = `${file}.stale-${process.pid}`;
    try {
      await rename(file, aside);
      await unlink(aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new DataDirLockedError(real, await readHolder(file));
}

/** True while the process a lock file names may still be running. */
async function holderIsAlive(holder: LockHolder, file: string): Promise<boolean> {
  if (holder.host !== os.hostname()) {
    const { mtimeMs } = await stat(file);
    return Date.now() - mtimeMs < STALE_AFTER_MS;
  }
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // The PID exists: it is the holder only if it started when the holder did.
  const start = processStartTime(holder.pid);
  return holder.processStart === undefined || start === undefined || start === holder.processStart;
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    return parseHolder(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return undefined;
    return {
      pid: value.pid,
      host: value.host,
      command: typeof value.command === 'string' ? value.command : 'unknown',
      since: typeof value.since === 'string' ? value.since : 'unknown',
      ...optionalStart(typeof value.processStart === 'string' ? value.processStart : undefined),
    };
  } catch {
    return undefined;
  }
}

function optionalStart(start: string | undefined): { processStart?: string } {
  return start === undefined ? {} : { processStart: start };
}

/** Field 22 of /proc/PID/stat (start time in clock ticks since boot), or undefined off Linux. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: count after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}
