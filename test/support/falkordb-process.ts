/**
 * A FalkorDB (redis-server + the falkordb module) of a test's own, as a child process on a
 * free loopback port with persistence in a temp directory, for tests that must stop and start
 * the graph server without touching the run's shared instance. Binaries come from
 * `scripts/services.sh falkordb-paths` (HIVEGRAPH_FALKORDB_SERVER, HIVEGRAPH_FALKORDB_MODULE).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Options of {@link startFalkorProcess}. */
export interface FalkorProcessOptions {
  /** Path of `redis-server`. */
  serverPath: string;
  /** Path of `falkordb.so`. */
  modulePath: string;
  /** How long to wait for the server to answer PING with PONG (default 15 s). */
  readyTimeoutMs?: number;
}

/** A running (or stopped) FalkorDB child process. */
export interface FalkorProcess {
  readonly port: number;
  /** `falkor://127.0.0.1:<port>`. */
  readonly url: string;
  /** Data directory (the append-only file lives here). */
  readonly dir: string;
  /** Pid of the current process, undefined while stopped. */
  readonly pid: number | undefined;
  /** Sends `signal` and resolves once the process has exited. No-op when not running. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port and data directory; resolves once it answers PONG. */
  start(): Promise<void>;
  /** The last lines of the server's log file (for failure messages). */
  logTail(lines?: number): Promise<string>;
  /** Kills the process (SIGKILL) if it runs and removes the data directory. Idempotent. */
  dispose(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Never leave a redis-server behind, even when the worker exits without running afterAll. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Sends one RESP command and returns the first reply line (`+PONG`, `-LOADING …`), or throws on connection errors. */
export function respLine(port: number, args: readonly string[], timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buffer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('connect', () => {
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    });
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      const end = buffer.indexOf('\r\n');
      if (end < 0) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(buffer.slice(0, end));
    });
  });
}

/**
 * Starts redis-server with the falkordb module on a free port, persisting every write
 * (`appendonly yes`, `appendfsync always`, no RDB snapshots), and waits until it answers.
 */
export async function startFalkorProcess(options: FalkorProcessOptions): Promise<FalkorProcess> {
  installExitHook();
  const dir = await mkdtemp(path.join(tmpdir(), 'hg-falkordb-'));
  const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;
  const logFile = path.join(dir, 'redis.log');
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let port = 0;

  const logTail = async (lines = 20) => {
    try {
      return (await readFile(logFile, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log file)';
    }
  };

  async function launch(): Promise<void> {
    const proc = spawn(
      options.serverPath,
      [
        '--port', String(port),
        '--bind', '127.0.0.1',
        '--protected-mode', 'yes',
        '--loadmodule', options.modulePath,
        '--dir', dir,
        '--appendonly', 'yes',
        '--appendfsync', 'always',
        '--save', '',
        '--logfile', logFile,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    let exitCode: string | undefined;
    exited = new Promise<void>((resolve) => {
      proc.once('exit', (code, signal) => {
        exitCode = signal ?? String(code);
        live.delete(proc);
        resolve();
      });
      proc.once('error', (error) => {
        exitCode = error.message;
        live.delete(proc);
        resolve();
      });
    });
    live.add(proc);
    child = proc;
    const deadline = Date.now() + readyTimeoutMs;
    let last = '';
    for (;;) {
      if (exitCode !== undefined) {
        child = undefined;
        throw new Error(`redis-server exited (${exitCode}) before answering on port ${port}: ${stderr.trim()}\n${await logTail()}`);
      }
      try {
        last = await respLine(port, ['PING']);
        if (last === '+PONG') return;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        await exited;
        child = undefined;
        throw new Error(`redis-server on port ${port} did not answer PONG within ${readyTimeoutMs} ms (last: ${last})\n${await logTail()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function kill(signal: NodeJS.Signals): Promise<void> {
    const proc = child;
    if (!proc) return;
    proc.kill(signal);
    await exited;
    child = undefined;
  }

  // The port was free a moment ago; if another process grabbed it meanwhile, try another.
  for (let attempt = 1; ; attempt += 1) {
    port = await freePort();
    try {
      await launch();
      break;
    } catch (error) {
      if (attempt >= 3) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }

  let disposed = false;
  return {
    get port() {
      return port;
    },
    get url() {
      return `falkor://127.0.0.1:${port}`;
    },
    dir,
    get pid() {
      return child?.pid;
    },
    kill,
    async start() {
      if (child) throw new Error('FalkorDB process is already running');
      await launch();
    },
    logTail,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
