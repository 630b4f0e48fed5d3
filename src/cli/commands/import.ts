/** `hivegraph import`: reads a snapshot into this installation, in one transaction. */
import { loadConfig } from '../../config/config.ts';
import { createGraphProjector } from '../../services/graph-projector.ts';
import { formatBytes, formatCounts, rate, throttle } from '../../services/snapshot/report.ts';
import { importSnapshot, openSnapshotLines, SnapshotFormatError, type ImportOutcome, type OnConflict } from '../../services/snapshot/index.ts';
import { createLogger } from '../../shared/logger.ts';
import { migrate, openGraphStore, openSqlClient } from '../../store/open.ts';
import { ExitCode, parseCommandArgs, UsageError } from '../io.ts';

export const IMPORT_USAGE = `Usage: hivegraph import FILE [--on-conflict fail|skip] [--quiet]

Reads a snapshot written by \`hivegraph export\` (FILE, gzip-compressed or not; \`-\` reads
stdin) into this installation (DATABASE_URL, or the embedded database in HIVEGRAPH_DATA_DIR),
migrated first. Ids, digests, metadata, revisions, relationships and run links are kept as
they were. Every record is checked; everything is written in ONE transaction, so a malformed
or truncated file is rejected with its line number (exit 65) and changes nothing.

With FALKORDB_URL set, the FalkorDB graph is rebuilt from SQL afterwards. Vectors are restored
when this installation's embedding model is the snapshot's (or none is registered yet);
otherwise servers embed the artifacts in the background at start-up. API keys are never part
of a snapshot: set HIVEGRAPH_BOOTSTRAP_ADMIN_KEY, or run \`hivegraph keys create\`, afterwards.
With the embedded database, stop the server first.

Options:
  --on-conflict fail   (default) an id or unique name the installation already has stops the
                       import, naming the line; nothing is imported
  --on-conflict skip   keep what the installation has, add the rest (what depends on a
                       skipped record is skipped too); counts are reported
  --quiet              no progress lines`;

/** Runs `import`. */
export async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    'on-conflict': { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
  });
  if (values.help) {
    process.stdout.write(`${IMPORT_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('import needs exactly one FILE (or - for stdin)');
  const file = positionals[0]!;
  const onConflict = values['on-conflict'] ?? 'fail';
  if (onConflict !== 'fail' && onConflict !== 'skip') throw new UsageError(`--on-conflict must be fail or skip (got "${onConflict}")`);
  const lines = await openSnapshotLines(file).catch((error: unknown) => {
    throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  });
  try {
    const config = loadConfig();
    const logger = createLogger(config.logLevel);
    const sql = await openSqlClient(config.sql);
    try {
      await migrate(sql);
      // Connect to FalkorDB before writing anything: if it is down, nothing is imported.
      const graph = await openGraphStore(config.graph, sql);
      try {
        const started = performance.now();
        const progress = throttle(1000);
        const say = (line: string) => {
          if (!values.quiet) process.stderr.write(`${line}\n`);
        };
        let outcome: ImportOutcome;
        try {
          outcome = await importSnapshot(sql, lines, {
            onConflict: onConflict as OnConflict,
            projector: graph.projected ? createGraphProjector({ sql, graph, logger }) : undefined,
            onProgress: ({ phase, line, records, artifacts }) => {
              if (phase === 'index') say(`import: ${records.toLocaleString('en-US')} records written; building the vector index (HNSW)…`);
              if (phase === 'commit') say('import: committing…');
              if (phase !== 'records' || !progress()) return;
              const read = lines.bytesRead();
              const share = lines.totalBytes ? ` (${Math.floor((100 * read) / Math.max(lines.totalBytes, 1))}% of the file)` : '';
              const seconds = (performance.now() - started) / 1000;
              say(`import: line ${line.toLocaleString('en-US')}${share}, ${artifacts.toLocaleString('en-US')} artifacts, ${rate(records, seconds)} records/s`);
            },
            onResyncProgress: (p) => {
              if (progress()) say(`import: rebuilding the FalkorDB graph of ${p.org}: ${p.nodes}/${p.totalNodes} nodes, ${p.edges}/${p.totalEdges} edges`);
            },
          });
        } catch (error) {
          if (!(error instanceof SnapshotFormatError)) throw error;
          process.stderr.write(`hivegraph: ${file}: ${error.message}\nhivegraph: nothing was imported.\n`);
          return ExitCode.DATA;
        }
        report(outcome, file, (performance.now() - started) / 1000, formatBytes(lines.bytesRead()));
        if (outcome.reprojectionError === undefined) return 0;
        process.stderr.write(
          `hivegraph: the snapshot was imported (committed), but rebuilding the FalkorDB graph failed: ${outcome.reprojectionError}\n` +
            'hivegraph: servers rebuild the imported orgs\' graphs when they start, or run `hivegraph graph resync`.\n',
        );
        return ExitCode.UNAVAILABLE;
      } finally {
        await graph.close();
      }
    } finally {
      await sql.close();
    }
  } finally {
    lines.close();
  }
}

/** Prints what was imported, what was not, and what to do next. */
function report(outcome: ImportOutcome, file: string, seconds: number, size: string): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const written = Object.values(outcome.written).reduce((a, b) => a + b, 0);
  const skipped = Object.values(outcome.skipped).reduce((a, b) => a + b, 0);
  out(
    `Imported ${written.toLocaleString('en-US')} records (${formatCounts(outcome.written)}) from ${file === '-' ? 'stdin' : file} ` +
      `(${size}) in ${seconds.toFixed(1)} s (${rate(outcome.records, seconds)} records/s).`,
  );
  if (skipped > 0) out(`Skipped ${skipped.toLocaleString('en-US')} records the installation already had, or that depend on them: ${formatCounts(outcome.skipped)}.`);
  const plan = outcome.vectorPlan;
  if (outcome.vectors > 0 && plan.modelId !== null) {
    out(`Restored ${outcome.vectors.toLocaleString('en-US')} vectors of the ${plan.model}${plan.action === 'adopted' ? ', now the registered model' : ''}.`);
  } else if (outcome.vectors > 0) {
    out(`Vectors not restored (the snapshot's are from the ${plan.model}; ${plan.reason}): servers embed these artifacts in the background at start-up.`);
  }
  if (outcome.reprojected) {
    out(`Rebuilt the FalkorDB graph: ${outcome.reprojected.nodes.toLocaleString('en-US')} nodes, ${outcome.reprojected.edges.toLocaleString('en-US')} edges.`);
  }
  out('API keys are not part of snapshots: set HIVEGRAPH_BOOTSTRAP_ADMIN_KEY, or run `hivegraph keys create --name NAME [--org ORG] [--user HANDLE]`.');
}
