/**
 * Snapshot benchmark: export and import throughput and peak memory of a 100k-artifact
 * installation (bench/lib/snapshot-seed.ts: ~100k artifacts, ~300k revisions, ~300k
 * relationships, 384-dimension vectors, runs, contributions, context packages), per backend:
 *
 *   1. seed the source (set-based SQL through the real migrations);
 *   2. export it (a child process: bench/lib/snapshot-child.ts, the code path of `hivegraph export`);
 *   3. import the file into a fresh installation (a child process; on Postgres with FalkorDB,
 *      the resync after the commit is timed apart);
 *   4. export the imported installation again and check that both files hold the same records.
 *
 *   node bench/snapshot.bench.ts [--scale 1] [--artifacts N] [--backends postgres,pglite]
 *                                [--database-url URL] [--falkordb-url URL] [--keep-files] [--quiet]
 *
 * Postgres: databases `bench_snapshot_<time>_{source,target}` on the server of --database-url
 * (default $DATABASE_URL), dropped at the end; FalkorDB graphs under the prefix
 * `bench_snapshot_<time>`, deleted at the end. PGlite: temporary data directories.
 * Results: bench/results/snapshot-<ISO time>.json; summary in docs/benchmarks.md ("Snapshots").
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { FalkorDB } from 'falkordb';
import { migrate, openGraphStore, openSqlClient } from '../src/store/open.ts';
import type { SqlClient } from '../src/store/types.ts';
import { createProgress, gitInfo, machineInfo, peakRssMiB, round, writeResult } from './lib/harness.ts';
import { createBenchDatabase, seedSnapshotDataset } from './lib/snapshot-seed.ts';

const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    artifacts: { type: 'string' },
    backends: { type: 'string' },
    'database-url': { type: 'string' },
    'falkordb-url': { type: 'string' },
    gzip: { type: 'boolean', default: false },
    'keep-files': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  },
  strict: true,
});
const scale = Number(args.scale);
if (!(scale > 0)) throw new Error(`--scale must be positive, got ${args.scale}`);
const ARTIFACTS = args.artifacts ? Number(args.artifacts) : Math.round(100_000 * scale);
const DATABASE_URL = args['database-url'] ?? process.env['DATABASE_URL'];
const FALKORDB_URL = args['falkordb-url'] ?? process.env['FALKORDB_URL'];
const BACKENDS = (args.backends ?? (DATABASE_URL ? 'postgres,pglite' : 'pglite')).split(',').filter(Boolean);
for (const b of BACKENDS) if (b !== 'postgres' && b !== 'pglite') throw new Error(`unknown backend ${b} (postgres, pglite)`);
if (BACKENDS.includes('postgres') && !DATABASE_URL) throw new Error('postgres needs --database-url or DATABASE_URL');

const startedAt = new Date();
const runStart = performance.now();
const progress = createProgress(runStart);
const log = (line: string) => {
  if (!args.quiet) progress(line);
};
const stamp = startedAt.toISOString().replace(/\D/g, '').slice(0, 14);
const workDir = await mkdtemp(path.join(os.tmpdir(), 'hg-bench-snapshot-'));
const cleanups: (() => Promise<void>)[] = [];

/** Where an installation lives, as environment for the child and a way to open it here. */
interface Place {
  env: Record<string, string>;
  open(): Promise<SqlClient>;
}

async function place(backend: string, role: 'source' | 'target'): Promise<Place> {
  if (backend === 'postgres') {
    const db = await createBenchDatabase(DATABASE_URL!, `bench_snapshot_${stamp}_${role}`);
    cleanups.push(db.drop);
    const graphEnv: Record<string, string> = role === 'target' && FALKORDB_URL ? { FALKORDB_URL, HIVEGRAPH_GRAPH_PREFIX: `bench_snapshot_${stamp}` } : {};
    return {
      env: { DATABASE_URL: db.url, ...graphEnv },
      open: () => openSqlClient({ kind: 'postgres', url: db.url, poolMax: 2, connectTimeoutMs: 5000 }),
    };
  }
  const dir = await mkdtemp(path.join(workDir, `pglite-${role}-`));
  return { env: { HIVEGRAPH_DATA_DIR: dir }, open: () => openSqlClient({ kind: 'pglite', dataDir: dir }) };
}

/** Runs bench/lib/snapshot-child.ts with only `env` of Hivegraph's configuration; returns its metrics. */
async function child(mode: 'export' | 'import', file: string, env: Record<string, string>): Promise<Record<string, any>> {
  const metrics = path.join(workDir, `metrics-${mode}-${Date.now()}.json`);
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HIVEGRAPH_') && k !== 'DATABASE_URL' && k !== 'FALKORDB_URL') clean[k] = v;
  const code = await new Promise<number>((resolve) => {
    const proc = spawn(process.execPath, [path.join(import.meta.dirname, 'lib', 'snapshot-child.ts'), mode, file, metrics], {
      env: { ...clean, HIVEGRAPH_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    proc.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`snapshot-child ${mode} exited with ${code}`);
  return JSON.parse(await readFile(metrics, 'utf8')) as Record<string, any>;
}

/** sha256 over a snapshot's lines after the header (the records and the end record). */
async function recordsDigest(file: string): Promise<{ digest: string; lines: number }> {
  const raw = createReadStream(file);
  const input = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const hash = createHash('sha256');
  let lines = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (lines++ > 0) hash.update(`${line}\n`);
  }
  return { digest: hash.digest('hex'), lines };
}

/** Throughput figures of one measured child. */
function rates(m: Record<string, any>, artifacts: number) {
  const s = m['snapshotSeconds'] as number;
  const transaction = (m['transactionSeconds'] as number | undefined) ?? s;
  return {
    seconds: s,
    recordsPerSecond: Math.round(m['records'] / transaction),
    artifactsPerSecond: Math.round(artifacts / transaction),
    megabytesPerSecond: round(m['bytes'] / 1e6 / transaction, 1),
    peakRssMiB: m['maxRssMiB'],
  };
}

const results: Record<string, unknown> = {};
try {
  for (const backend of BACKENDS) {
    log(`${backend}: seeding ${ARTIFACTS.toLocaleString('en-US')} artifacts`);
    const source = await place(backend, 'source');
    const seedStart = performance.now();
    const sql = await source.open();
    await migrate(sql);
    await seedSnapshotDataset(sql, ARTIFACTS, log);
    await sql.close();
    const seedSeconds = round((performance.now() - seedStart) / 1000);

    const ext = args.gzip ? '.jsonl.gz' : '.jsonl';
    const first = path.join(workDir, `${backend}-first${ext}`);
    log(`${backend}: export`);
    const exported = await child('export', first, source.env);
    log(`${backend}: exported ${exported['records']} records, ${round(exported['bytes'] / 1e6, 1)} MB in ${exported['snapshotSeconds']} s, peak RSS ${exported['maxRssMiB']} MiB`);

    const target = await place(backend, 'target');
    const tsql = await target.open();
    await migrate(tsql);
    await tsql.close();
    log(`${backend}: import${target.env['FALKORDB_URL'] ? ' (+ FalkorDB resync)' : ''}`);
    const imported = await child('import', first, target.env);
    log(`${backend}: imported in ${imported['snapshotSeconds']} s (resync ${imported['resyncSeconds']} s), peak RSS ${imported['maxRssMiB']} MiB`);

    const second = path.join(workDir, `${backend}-second${ext}`);
    const reexported = await child('export', second, target.env);
    const [a, b] = await Promise.all([recordsDigest(first), recordsDigest(second)]);
    const identical = a.digest === b.digest && a.lines === b.lines;
    log(`${backend}: re-exported in ${reexported['snapshotSeconds']} s; records identical: ${identical}`);
    if (target.env['FALKORDB_URL']) {
      const tsql2 = await target.open();
      const graph = await openGraphStore({ kind: 'falkordb', url: FALKORDB_URL!, graphPrefix: target.env['HIVEGRAPH_GRAPH_PREFIX']!, connectTimeoutMs: 5000 }, tsql2);
      for (const { id } of (await tsql2.query<{ id: string }>('SELECT id FROM orgs')).rows) await graph.resetOrg(id);
      await graph.close();
      await tsql2.close();
      // The store's health probe graph.
      const db = await FalkorDB.connect({ url: FALKORDB_URL!.replace(/^falkor(s?):/, 'redis$1:') });
      await db.selectGraph(`${target.env['HIVEGRAPH_GRAPH_PREFIX']}_health`).delete().catch(() => undefined);
      await db.close();
    }
    if (!args['keep-files']) await Promise.all([rm(first), rm(second)]);
    const counts = exported['counts'] as Record<string, number>;
    results[backend] = {
      seedSeconds,
      counts,
      records: exported['records'],
      fileBytes: exported['bytesOnDisk'],
      export: { ...rates(exported, counts['artifact']!), openSeconds: exported['openSeconds'], samples: exported['samples'] },
      import: {
        ...rates(imported, counts['artifact']!),
        transactionSeconds: imported['transactionSeconds'],
        phases: imported['phases'],
        resyncSeconds: imported['resyncSeconds'],
        reprojected: imported['reprojected'],
        vectors: imported['vectors'],
        vectorPlan: imported['vectorPlan'],
        openSeconds: imported['openSeconds'],
        samples: imported['samples'],
      },
      reexport: rates(reexported, counts['artifact']!),
      roundTripIdentical: identical,
    };
  }
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error(`cleanup failed: ${String(error)}`));
  if (!args['keep-files']) await rm(workDir, { recursive: true, force: true });
}

const file = await writeResult('snapshot', startedAt, {
  benchmark: 'snapshot',
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  totalSeconds: round((performance.now() - runStart) / 1000),
  git: gitInfo(),
  machine: machineInfo(),
  options: { scale, artifacts: ARTIFACTS, backends: BACKENDS, gzip: args.gzip, falkordb: Boolean(FALKORDB_URL) },
  process: { peakRssMiB: peakRssMiB() },
  backends: results,
});
console.log(`\nresults: ${path.relative(process.cwd(), file)}`);
for (const [backend, r] of Object.entries(results) as [string, any][]) {
  console.log(
    `${backend}: ${r.records} records (${r.counts.artifact} artifacts), ${round(r.fileBytes / 1e6, 1)} MB | ` +
      `export ${r.export.seconds} s, ${r.export.recordsPerSecond} rec/s, ${r.export.megabytesPerSecond} MB/s, peak ${r.export.peakRssMiB} MiB | ` +
      `import ${r.import.seconds} s (resync ${r.import.resyncSeconds} s), ${r.import.recordsPerSecond} rec/s, peak ${r.import.peakRssMiB} MiB | identical ${r.roundTripIdentical}`,
  );
}
