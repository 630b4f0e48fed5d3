/**
 * The data-directory lock's rules, in one process (the child-process proofs are in
 * test/cli/data-dir-lock.test.ts): one holder at a time, stale lock files taken over, a lock
 * file from another host respected while its heartbeat is fresh, and the control channel
 * serving only a requester that presents the directory's token.
 */
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { requestFromHolder } from '../../src/store/sql/data-dir-control.ts';
import {
  acquireDataDirLock,
  CONTROL_TOKEN_FILE,
  controlSocketName,
  DataDirLockedError,
  LOCK_FILE,
  readDataDirLock,
  STALE_AFTER_MS,
  type DataDirLock,
} from '../../src/store/sql/data-dir-lock.ts';

const dirs: string[] = [];
const held: DataDirLock[] = [];

afterEach(async () => {
  await Promise.all(held.splice(0).map((lock) => lock.release()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hivegraph-lock-'));
  dirs.push(dir);
  return dir;
}

async function acquire(dir: string, options: Parameters<typeof acquireDataDirLock>[1] = {}): Promise<DataDirLock> {
  const lock = await acquireDataDirLock(dir, { command: 'test', ...options });
  held.push(lock);
  return lock;
}

/** A lock file naming `holder`, as a crashed or foreign process would have left it. */
async function leaveLockFile(dir: string, holder: Record<string, unknown>): Promise<void> {
  await writeFile(path.join(dir, LOCK_FILE), JSON.stringify({ command: 'serve', since: '2026-01-01T00:00:00.000Z', ...holder }));
}

describe.runIf(process.platform === 'linux')('the abstract-socket mutex', () => {
  it('admits one holder; a second acquire throws naming it; after release it is free again', async () => {
    const dir = await tempDir();
    const first = await acquire(dir, { command: 'serve' });
    const error = await acquireDataDirLock(dir, { command: 'reembed' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect((error as DataDirLockedError).holder).toMatchObject({ pid: process.pid, command: 'serve' });
    expect((error as Error).message).toContain(`process ${process.pid}`);
    await first.release();
    await acquire(dir);
  });

  it('any spelling of the directory is the same lock (real path)', async () => {
    const dir = await tempDir();
    await acquire(dir);
    await expect(acquireDataDirLock(`${dir}/./`)).rejects.toBeInstanceOf(DataDirLockedError);
  });

  it('a lock file left by a dead process does not block', async () => {
    const dir = await tempDir();
    await leaveLockFile(dir, { pid: 2 ** 22 + 7, host: os.hostname() });
    const lock = await acquire(dir);
    expect(await readDataDirLock(dir)).toMatchObject({ pid: process.pid, command: 'test' });
    await lock.release();
    expect(await readDataDirLock(dir)).toBeUndefined();
  });
});

describe('the lock file alone (platforms without the abstract namespace)', () => {
  it('a live holder on this host blocks, by PID and process start time', async () => {
    const dir = await tempDir();
    await acquire(dir, { useSocket: false, command: 'serve' });
    // Another process reading the same file: simulate by checking a different PID's file.
    const file = JSON.parse(await readFile(path.join(dir, LOCK_FILE), 'utf8')) as { pid: number; processStart?: string };
    expect(file.pid).toBe(process.pid);
    if (process.platform === 'linux') expect(file.processStart).toMatch(/^\d+$/);
    // The parent of this process is alive: a file naming it (with its real start time unknown) blocks.
    const other = await tempDir();
    await leaveLockFile(other, { pid: process.ppid, host: os.hostname() });
    await expect(acquireDataDirLock(other, { useSocket: false })).rejects.toBeInstanceOf(DataDirLockedError);
  });

  it('a reused PID (same PID, other start time) is stale', async () => {
    const dir = await tempDir();
    await leaveLockFile(dir, { pid: process.ppid, host: os.hostname(), processStart: '1' });
    await acquire(dir, { useSocket: false });
  });

  it('a dead PID is stale: the file is taken over', async () => {
    const dir = await tempDir();
    await leaveLockFile(dir, { pid: 2 ** 22 + 7, host: os.hostname() });
    await acquire(dir, { useSocket: false });
    expect(await readDataDirLock(dir)).toMatchObject({ pid: process.pid });
  });

  it('another host: respected while its heartbeat is fresh, stale after STALE_AFTER_MS', async () => {
    const dir = await tempDir();
    await leaveLockFile(dir, { pid: 1234, host: 'elsewhere.example' });
    const error = await acquireDataDirLock(dir, { useSocket: false }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect((error as Error).message).toContain('on host elsewhere.example');
    const old = new Date(Date.now() - STALE_AFTER_MS - 5000);
    await utimes(path.join(dir, LOCK_FILE), old, old);
    await acquire(dir, { useSocket: false });
  });
});

describe.runIf(process.platform === 'linux')('the control channel', () => {
  it('serves an offered job to a requester with the token, and nothing else', async () => {
    const dir = await tempDir();
    const lock = await acquire(dir, { command: 'serve' });
    lock.handle('echo', async (socket) => {
      socket.end('hello\nworld\n');
    });
    const answer = await requestFromHolder(dir, 'echo');
    expect(answer.holder).toMatchObject({ pid: process.pid, command: 'serve' });
    let text = '';
    for await (const chunk of answer.body) text += String(chunk);
    expect(text).toBe('hello\nworld\n');

    await expect(requestFromHolder(dir, 'format-disk')).rejects.toThrow(/does not offer "format-disk"/);
    // The token file is private to the directory's owner.
    const { mode } = await stat(path.join(dir, CONTROL_TOKEN_FILE));
    expect(mode & 0o077).toBe(0);
  });

  it('a wrong token is refused', async () => {
    const dir = await tempDir();
    const lock = await acquire(dir);
    let ran = false;
    lock.handle('echo', async (socket) => {
      ran = true;
      socket.end();
    });
    const real = lock.dir;
    const reply = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = net.connect(controlSocketName(real));
      socket.on('data', (chunk) => {
        text += String(chunk);
        if (text.split('\n').length === 2) socket.write(`${JSON.stringify({ op: 'echo', token: 'f'.repeat(64) })}\n`);
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(reply).toContain('wrong control token');
    expect(ran).toBe(false);
  });
});
