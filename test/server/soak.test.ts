/**
 * The soak's short form for CI (issue 16): bench/lib/soak-load.ts for HIVEGRAPH_SOAK_SECONDS
 * (default 30) on the run's backends — one server in its own process, 4 HTTP clients of mixed
 * reads, writes, searches and similar, 5 event subscriptions — and then the bounds that are not
 * about time: no error but CONFLICT (a duplicate relate), no network failure, no subscription
 * ended, every subscriber got every event written while it was open, RSS and V8 heap growth
 * troughs after warm-up within bounds (128 / 64 MiB, see SoakBounds). Latencies and event-loop delay are printed, not
 * asserted (timing belongs to `npm run bench -- --only soak`, the 10-minute run).
 * Runtime: HIVEGRAPH_SOAK_SECONDS + ~15 s (server start, seeding, drain).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { runSoak, soakViolations } from '../../bench/lib/soak-load.ts';
import { backends, createTestDatabase, uniqueSuffix } from '../support/backends.ts';

const SECONDS = Number(process.env['HIVEGRAPH_SOAK_SECONDS'] ?? 30);
const ADMIN_KEY = 'soak-test-admin-key-0123456789abcdef';

it(`a ${SECONDS} s soak of mixed reads, writes, searches and subscriptions loses nothing and stays within its memory bounds`, { timeout: (SECONDS + 180) * 1000 }, async () => {
  const selection = backends();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hg-soak-test-'));
  const db = selection.databaseUrl ? await createTestDatabase(selection.databaseUrl) : undefined;
  try {
    const report = await runSoak({
      vars: {
        HIVEGRAPH_DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        PORT: '0',
        HIVEGRAPH_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
        HIVEGRAPH_EMBEDDER: 'hashing',
        HIVEGRAPH_RATE_LIMITS: 'standard=unlimited',
        ...(db ? { DATABASE_URL: db.url } : {}),
        ...(selection.falkordbUrl ? { FALKORDB_URL: selection.falkordbUrl, HIVEGRAPH_GRAPH_PREFIX: `hgsoak_${uniqueSuffix()}` } : {}),
      },
      adminKey: ADMIN_KEY,
      seconds: SECONDS,
      clients: 4,
      subscribers: 5,
      sampleSeconds: Math.max(3, Math.round(SECONDS / 10)),
      seedArtifacts: 50,
      seed: 16,
    });
    const [start, end] = [report.samples[0]!, report.samples.at(-1)!];
    process.stdout.write(
      `[soak] ${report.backend}: ${report.requests} requests in ${report.seconds} s, errors ${JSON.stringify(report.errors)}, ` +
        `events ${report.eventsWritten} written / ${report.eventsReceived.min}–${report.eventsReceived.max} received; RSS ${start.rssMiB} → ${end.rssMiB} MiB, ` +
        `heap ${start.heapUsedMiB} → ${end.heapUsedMiB} MiB; p99 ms ${JSON.stringify(Object.fromEntries(Object.entries(report.operations).map(([op, s]) => [op, Math.round(s.p99)])))}\n`,
    );
    expect(report.requests, 'the load ran').toBeGreaterThan(0);
    expect(report.eventsWritten, 'writes were acknowledged').toBeGreaterThan(0);
    expect(soakViolations(report, { rssGrowthMiB: 128, heapGrowthMiB: 64 })).toEqual([]);
  } finally {
    await db?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
