/**
 * One measured export or import, in a process of its own (so its peak RSS is its own):
 *
 *   node bench/lib/snapshot-child.ts export FILE METRICS.json
 *   node bench/lib/snapshot-child.ts import FILE METRICS.json
 *
 * It does what `hivegraph export --out FILE` / `hivegraph import FILE` do — the same
 * configuration from the environment, migrate, the same file writer/reader, exportSnapshot /
 * importSnapshot, FalkorDB resync after an import when FALKORDB_URL is set — and times the
 * phases: open (database, migrations), the snapshot itself, and (import) the resync after the
 * commit. RSS and V8 heap are sampled every 250 ms; `maxRssMiB` is the kernel's peak for the process.
 */
import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../../src/config/config.ts';
import { createGraphProjector } from '../../src/services/graph-projector.ts';
import { exportSnapshot, importSnapshot, openSnapshotLines, openSnapshotWriter } from '../../src/services/snapshot/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { migrate, openGraphStore, openSqlClient } from '../../src/store/open.ts';

const [mode, file, metricsFile] = process.argv.slice(2);
if ((mode !== 'export' && mode !== 'import') || !file || !metricsFile) {
  console.error('usage: node bench/lib/snapshot-child.ts export|import FILE METRICS.json');
  process.exit(64);
}

const t0 = performance.now();
const seconds = (since: number) => Math.round((performance.now() - since) / 10) / 100;
const samples: { s: number; rssMiB: number; heapMiB: number; records: number }[] = [];
let records = 0;
const sampler = setInterval(() => {
  const memory = process.memoryUsage();
  samples.push({ s: seconds(t0), rssMiB: Math.round(memory.rss / 2 ** 20), heapMiB: Math.round(memory.heapUsed / 2 ** 20), records });
}, 250);

const config = loadConfig();
const sql = await openSqlClient(config.sql);
await migrate(sql);
const openSeconds = seconds(t0);
const t1 = performance.now();
let result: Record<string, unknown>;
if (mode === 'export') {
  const writer = openSnapshotWriter(file);
  const outcome = await exportSnapshot(sql, writer, { onProgress: (p) => void (records = p.records) });
  const bytesOnDisk = await writer.commit();
  result = { records: outcome.records, counts: outcome.counts, bytes: writer.bytes, bytesOnDisk, snapshotSeconds: seconds(t1) };
} else {
  const graph = await openGraphStore(config.graph, sql);
  const lines = await openSnapshotLines(file);
  let resyncStarted = 0;
  const phases: Record<string, number> = {};
  const projector = createGraphProjector({ sql, graph, logger: createLogger('warn') });
  const outcome = await importSnapshot(sql, lines, {
    onProgress: (p) => {
      records = p.records;
      phases[p.phase] ??= seconds(t1);
    },
    projector: graph.projected
      ? {
          resync: (onProgress) => {
            resyncStarted = performance.now();
            return projector.resync(onProgress);
          },
        }
      : undefined,
  });
  const total = seconds(t1);
  lines.close();
  await graph.close();
  result = {
    records: outcome.records,
    written: outcome.written,
    vectors: outcome.vectors,
    vectorPlan: outcome.vectorPlan.action,
    bytes: lines.bytesRead(),
    snapshotSeconds: total,
    resyncSeconds: resyncStarted ? seconds(resyncStarted) : 0,
    transactionSeconds: resyncStarted ? Math.round((resyncStarted - t1) / 10) / 100 : total,
    /** When each phase began, in seconds from the start of the import. */
    phases,
    reprojected: outcome.reprojected ?? null,
  };
}
await sql.close();
clearInterval(sampler);
await writeFile(
  metricsFile,
  JSON.stringify({ mode, backend: config.sql.kind, graph: config.graph.kind, openSeconds, ...result, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), samples }),
);
