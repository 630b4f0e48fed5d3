/** `hivegraph export`: writes a snapshot of the installation to a file (or stdout). */
import { access } from 'node:fs/promises';
import { loadConfig } from '../../config/config.ts';
import { exportSnapshot, openSnapshotWriter } from '../../services/snapshot/index.ts';
import { createInterface } from 'node:readline';
import { ServiceUnavailableError } from '../../shared/errors.ts';
import { DataDirLockedError, migrate, openSqlClient, requestFromHolder } from '../../store/open.ts';
import type { SqlClient } from '../../store/types.ts';
import { parseCommandArgs, UsageError } from '../io.ts';
import { formatBytes, formatCounts, rate, throttle } from '../../services/snapshot/report.ts';

export const EXPORT_USAGE = `Usage: hivegraph export --out FILE [--force] [--quiet]

Writes a snapshot of this installation (DATABASE_URL, or the embedded database in
HIVEGRAPH_DATA_DIR) to FILE: orgs, users, groups and memberships, collections, artifacts with
every revision, visibility and shares, relationships, contributions, auto-approve and sharing rules,
runs with their inputs, outputs and steps, context packages, and the vectors of the
registered embedding model. Never API keys, never the events log.

The snapshot is one consistent view (a single read-only transaction), streamed as JSON Lines
(format "hivegraph-snapshot", version 2) with progress on stderr. It is written to
FILE.partial and renamed to FILE when complete. With the embedded database, a data directory
is used by one process at a time: when a running \`hivegraph serve\` holds it, the export is
made by that server and streamed to FILE (the server keeps running; PGlite serves one
transaction at a time, so its requests wait while the snapshot is read). Read it back with
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
  // The summary goes to stdout, unless the snapshot itself does.
  const report = (line: string) => (out === '-' ? process.stderr : process.stdout).write(`${line}\n`);
  let sql: SqlClient;
  try {
    sql = await openSqlClient(config.sql);
  } catch (error) {
    if (!(error instanceof DataDirLockedError) || error.holder?.command !== 'serve') throw error;
    return exportThroughHolder(error.dir, out, Boolean(values.quiet), report);
  }
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

/** Asks the server holding the data directory for the snapshot and writes it to `out`. */
async function exportThroughHolder(dataDir: string, out: string, quiet: boolean, report: (line: string) => void): Promise<number> {
  const { holder, body } = await requestFromHolder(dataDir, 'export');
  process.stderr.write(`export: ${dataDir} is held by the running server (process ${holder?.pid ?? '?'}): it makes the snapshot\n`);
  const writer = openSnapshotWriter(out);
  const started = performance.now();
  const progress = throttle(1000);
  let lines = 0;
  let last = '';
  try {
    for await (const line of createInterface({ input: body, crlfDelay: Infinity })) {
      await writer.write(`${line}\n`);
      lines += 1;
      last = line;
      if (!quiet && progress()) {
        const seconds = (performance.now() - started) / 1000;
        process.stderr.write(`export: ${lines.toLocaleString('en-US')} lines, ${formatBytes(writer.bytes)}, ${rate(lines, seconds)} lines/s\n`);
      }
    }
    const trailer = parseTrailer(last);
    if (!trailer) throw new ServiceUnavailableError('the server broke off the export before its end (see its log); nothing was written');
    const size = await writer.commit();
    const seconds = (performance.now() - started) / 1000;
    const records = Object.values(trailer).reduce((sum, n) => sum + n, 0);
    report(
      `Exported ${records.toLocaleString('en-US')} records (${formatCounts(trailer)}) through the running server ` +
        `to ${out === '-' ? 'stdout' : out}: ${formatBytes(size)} in ${seconds.toFixed(1)} s (${rate(records, seconds)} records/s). API keys are not included.`,
    );
    return 0;
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** The counts of a snapshot's trailer line, or undefined when `line` is not one. */
function parseTrailer(line: string): Record<string, number> | undefined {
  try {
    const value = JSON.parse(line) as { type?: string; counts?: Record<string, number> };
    return value.type === 'end' && value.counts ? value.counts : undefined;
  } catch {
    return undefined;
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
