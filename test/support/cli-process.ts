/**
 * Running the `hivegraph` command as a user does, for the CLI suites: spawns
 * `node bin/hivegraph.js …` as real child processes (no mocks), in a scratch working
 * directory, and cleans up after each test (every child SIGKILLed, temp dirs removed).
 * Call {@link useCliProcesses} once at the top of a test file to register the hooks.
 *
 * Children inherit process.env minus every Hivegraph configuration variable (the suite may
 * run with DATABASE_URL / FALKORDB_URL set for server mode) and minus NODE_ENV (vitest sets
 * it to `test`, which changes library behaviour, e.g. Apollo's signal handling, so the child
 * would not behave like a real `hivegraph serve`). Each case sets only what it needs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { CONFIG_VARIABLES } from '../../src/config/config.ts';

export const BIN = fileURLToPath(new URL('../../bin/hivegraph.js', import.meta.url));
/** A generated API key: `hg_` + 32 random bytes in base64url. */
export const KEY_PATTERN = /hg_[A-Za-z0-9_-]{43}/g;
/** A stack-trace frame (`    at fn (file:line:col)`). */
export const STACK_FRAME = /^\s+at /m;
export const SERVING = /Hivegraph is serving GraphQL at (\S+)/;
/** How long a start (PGlite + migrations + bootstrap) may take before the test gives up. */
export const START_TIMEOUT_MS = 90_000;
/** How long a run that must fail (or a short command) may take. */
export const RUN_TIMEOUT_MS = 90_000;
export const STOP_TIMEOUT_MS = 15_000;

// ---------------------------------------------------------------------------- process plumbing

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A spawned `hivegraph` process with its output so far. */
export interface Cli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited and its output streams have closed. */
  exited: Promise<Exit>;
}

export interface CliResult extends Exit {
  stdout: string;
  stderr: string;
}

/** Every child spawned by the current test; killed in afterEach whatever happened. */
const children = new Set<Cli>();
/** Temp dirs made by the current test; removed in afterEach. */
const tempDirs: string[] = [];
/** Port holders opened by the current test; closed in afterEach. */
const portHolders: Server[] = [];
/** Working directory of the children, so nothing is ever written into the checkout. */
let scratch = '';

/** SIGKILLs every child still running and waits for it to be gone. */
export async function killAll(): Promise<void> {
  const running = [...children];
  children.clear();
  await Promise.all(
    running.map(async (cli) => {
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
      await withTimeout(cli.exited, 10_000, 'a child to die after SIGKILL').catch(() => undefined);
    }),
  );
}

/** The environment of a child: process.env without Hivegraph configuration, plus `vars`. */
export function childEnv(vars: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CONFIG_VARIABLES) delete env[name];
  delete env['NODE_ENV'];
  // The hashing embedder starts instantly; tests that need the default (auto) say so.
  return { ...env, HIVEGRAPH_EMBEDDER: 'hashing', ...vars };
}

/** Spawns `node bin/hivegraph.js ...args` with {@link childEnv}(`vars`). */
export function spawnCli(args: string[], vars: Record<string, string> = {}): Cli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: scratch,
    env: childEnv(vars),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  exited.catch(() => undefined); // observed through `exited` by whoever needs it
  const cli: Cli = { child, stdout: () => stdout, stderr: () => stderr, exited };
  children.add(cli);
  return cli;
}

/** Runs a command to completion. */
export async function runCli(args: string[], vars: Record<string, string> = {}, timeoutMs = RUN_TIMEOUT_MS): Promise<CliResult> {
  const cli = spawnCli(args, vars);
  const exit = await withTimeout(cli.exited, timeoutMs, () => `hivegraph ${args.join(' ')} to exit\n${output(cli)}`);
  return { ...exit, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** A started `hivegraph serve`. */
export interface Served {
  cli: Cli;
  graphqlUrl: string;
  baseUrl: string;
}

/** Starts `hivegraph serve` and waits for the "serving" line; fails with its output if it exits first. */
export async function startServe(vars: Record<string, string>): Promise<Served> {
  const cli = spawnCli(['serve'], vars);
  const serving = new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = SERVING.exec(cli.stdout());
      if (match?.[1]) {
        cli.child.stdout?.off('data', check);
        resolve(match[1]);
      }
    };
    cli.child.stdout?.on('data', check);
    check();
    cli.exited.then(
      (exit) => reject(new Error(`serve exited (${describeExit(exit)}) before serving\n${output(cli)}`)),
      reject,
    );
  });
  const graphqlUrl = await withTimeout(serving, START_TIMEOUT_MS, () => `serve to start\n${output(cli)}`);
  return { cli, graphqlUrl, baseUrl: graphqlUrl.replace(/\/graphql$/, '') };
}

/** Sends SIGTERM and waits (at most 15 s) for the process to exit. */
export async function stopServe(served: Served): Promise<Exit> {
  served.cli.child.kill('SIGTERM');
  return withTimeout(served.cli.exited, STOP_TIMEOUT_MS, () => `serve to exit after SIGTERM\n${output(served.cli)}`);
}

/** `what` may be a function, to describe the state at the moment of the timeout. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string | (() => string)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    const describe = () => (typeof what === 'string' ? what : what());
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${describe()}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function describeExit(exit: Exit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}

export function output(cli: Cli): string {
  return `--- stdout ---\n${cli.stdout()}--- stderr ---\n${cli.stderr()}`;
}

// ---------------------------------------------------------------------------- environment helpers

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hivegraph-cli-'));
  tempDirs.push(dir);
  return dir;
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Listens on a free port of 127.0.0.1 and keeps it until the test ends. */
export async function occupiedPort(): Promise<number> {
  const server = createServer();
  portHolders.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return (server.address() as AddressInfo).port;
}

/** The embedded default in `dataDir` on a free port. */
export async function embedded(dataDir: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return { HIVEGRAPH_DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: String(await freePort()), ...extra };
}

export function keysIn(text: string): string[] {
  return text.match(KEY_PATTERN) ?? [];
}

// ---------------------------------------------------------------------------- HTTP helpers

export interface GraphQLResponse {
  status: number;
  body: {
    data?: { me?: { handle: string } | null } | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

export async function postGraphQL(graphqlUrl: string, query: string, key?: string): Promise<GraphQLResponse> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse['body'] };
}

/** Asserts `key` authenticates as `admin`. */
export async function expectAdmin(graphqlUrl: string, key: string): Promise<void> {
  const { status, body } = await postGraphQL(graphqlUrl, '{ me { handle } }', key);
  expect(body.errors).toBeUndefined();
  expect(status).toBe(200);
  expect(body.data?.me?.handle).toBe('admin');
}

/** Asserts a run failed with `code`, one clear message naming `mentions`, and no stack trace. */
export function expectCleanFailure(result: CliResult, code: number, mentions: string[]): void {
  const context = `\n--- stderr ---\n${result.stderr}`;
  expect.soft(result.signal, `killed by a signal${context}`).toBeNull();
  expect.soft(result.code, `exit code${context}`).toBe(code);
  for (const text of mentions) expect.soft(result.stderr, `stderr mentions ${text}`).toContain(text);
  expect.soft(result.stderr, 'stderr has no stack-trace lines').not.toMatch(STACK_FRAME);
}


/** Registers the hooks that give each test a scratch directory and clean up its processes. */
export function useCliProcesses(): void {
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'hivegraph-cli-cwd-'));
  });

  afterEach(async () => {
    await killAll();
    await Promise.all(portHolders.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  afterAll(async () => {
    await killAll();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });
}
