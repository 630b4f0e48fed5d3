/** `hivegraph export`: writes a snapshot of the installation to a file (or stdout). */
import { access } from 'node:fs/promises';
import { loadConfig } from '../../config/config.ts';
import { exportSnapshot, openSnapshotWriter } from '../../services/snapshot/index.ts';
import { migrate, openSqlClient } from '../../store/open.ts';
import { parseCommandArgs, UsageError } from '../io.ts';
import { formatBytes, formatCounts, rate, throttle } from '../../services/snapshot/report.ts';

export const EXPORT_USAGE = `Usage: hivegraph export --out FILE [--force] [--quiet]

Writes a snapshot of this installation (DATABASE_URL, or the embedded database in
HIVEGRAPH_DATA_DIR) to FILE: orgs, users, groups and memberships, collections, artifacts with
every revision, visibility and shares, relationships, contributions and auto-approve rules,
runs with their inputs, outputs and steps, context packages, and the vectors of the
registered embedding model. Never API keys, never the events log.

The snapshot is one consistent view (a single read-only transaction), streamed as JSON Lines
(format "hivegraph-snapshot", version 1) with progress on stderr. It is written to
FILE.partial and renamed to FILE when complete. With the embedded database, stop the server
first: its data directory is used by one process at a time. Read it back with
\`hivegraph import FILE\`.

Options:
  --out FILE   where to write; \`-\` writes to stdout; a name ending in .gz is gzip-compressed
  --force      replace FILE if it exists
  --quiet      no progress lines`;

/** Runs `export`. */
export async function exportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    out: { type: 'string', short: 'o' },
    force: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
  });
  if (values.help) {
    process.stdout.write(`${EXPORT_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`export takes no arguments (got "${positionals.join(' ')}"); use --out FILE`);
  const out = values.out;
  if (!out) throw new UsageError('export needs --out FILE (or --out - for stdout)');
  if (out !== '-' && !values.force && (await exists(out))) throw new UsageError(`${out} exists; use --force to replace it`);
  const config = loadConfig();
  const sql = await openSqlClient(config.sql);
  // The summary goes to stdout, unless the snapshot itself does.
  const report = (line: string) => (out === '-' ? process.stderr : process.stdout).write(`${line}\n`);
  try {
    await migrate(sql);
    const writer = openSnapshotWriter(out);
    const started = performance.now();
    const progress = throttle(1000);
    try {
      const outcome = await exportSnapshot(sql, writer, {
        onProgress: ({ records, counts }) => {
          if (values.quiet || !progress()) return;
          const seconds = (performance.now() - started) / 1000;
          process.stderr.write(
            `export: ${records.toLocaleString('en-US')} records (${(counts['artifact'] ?? 0).toLocaleString('en-US')} artifacts), ` +
              `${formatBytes(writer.bytes)}, ${rate(records, seconds)} records/s\n`,
          );
        },
      });
      const size = await writer.commit();
      const seconds = (performance.now() - started) / 1000;
      report(
        `Exported ${outcome.records.toLocaleString('en-US')} records (${formatCounts(outcome.counts)}) ` +
          `to ${out === '-' ? 'stdout' : out}: ${formatBytes(size)} in ${seconds.toFixed(1)} s ` +
          `(${rate(outcome.records, seconds)} records/s).`,
      );
      report(
        outcome.embeddingModel
          ? `Vectors of the ${outcome.embeddingModel.backend} model "${outcome.embeddingModel.model}" are included. API keys are not.`
          : 'No embedding model is registered: no vectors are included. API keys are not.',
      );
      return 0;
    } catch (error) {
      await writer.abort();
      throw error;
    }
  } finally {
    await sql.close();
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
