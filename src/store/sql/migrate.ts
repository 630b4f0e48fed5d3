/**
 * The migration runner: plain SQL files in `migrations/` (`NNNN_name.sql`), applied in order,
 * once, in one transaction, recorded with a checksum in `hivegraph_migrations`, on both SQL
 * adaptors. An advisory lock makes concurrent start-ups of several instances safe.
 *
 * Why not a library: node-pg-migrate and Flyway-style tools drive `pg` only; postgrator can
 * take a custom executor but neither wraps migrations in a transaction nor takes the lock on
 * PGlite. The runner below is ~100 lines and covers exactly what both adaptors need.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { StartupError } from '../../shared/errors.ts';
import type { SqlClient } from '../types.ts';

/** One migration file. */
export interface Migration {
  /** The 4-digit order number, e.g. `0002`. */
  version: string;
  /** The rest of the file name, e.g. `identity`. */
  name: string;
  sql: string;
  /** sha256 hex of the file's text; a changed applied file is refused. */
  checksum: string;
}

/** What {@link migrate} did. */
export interface MigrationOutcome {
  applied: Migration[];
  /** The newest version now in the database. */
  current: string | undefined;
}

/** The migrations shipped with this version of Hivegraph. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url));

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;
/** Arbitrary constant naming the advisory lock held while migrating. */
const MIGRATION_LOCK_ID = 727_384_152;

/** Reads and orders the migration files of `dir`. */
export async function readMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_PATTERN.exec(file);
    if (!match) throw new StartupError(`Migration file name "${file}" does not match NNNN_name.sql`);
    const sql = await readFile(`${dir}/${file}`, 'utf8');
    migrations.push({
      version: match[1]!,
      name: match[2]!,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  const versions = migrations.map((m) => m.version);
  const duplicate = versions.find((v, i) => versions.indexOf(v) !== i);
  if (duplicate) throw new StartupError(`Two migration files share version ${duplicate}`);
  return migrations;
}

/**
 * Applies every pending migration, in order, in one transaction.
 * @throws StartupError when an applied file was changed or the database is newer than the code
 */
export async function migrate(
  sql: SqlClient,
  options: { dir?: string; onApply?: (m: Migration) => void } = {},
): Promise<MigrationOutcome> {
  const migrations = await readMigrations(options.dir);
  return sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
    await tx.query(`CREATE TABLE IF NOT EXISTS hivegraph_migrations (
      version text PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<{ version: string; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM hivegraph_migrations ORDER BY version',
    );
    const known = new Map(migrations.map((m) => [m.version, m]));
    for (const row of rows) {
      const file = known.get(row.version);
      if (!file) {
        throw new StartupError(
          `The database has migration ${row.version}_${row.name}, which this version of Hivegraph does not know: run a newer Hivegraph.`,
        );
      }
      if (file.checksum !== row.checksum) {
        throw new StartupError(
          `Migration ${row.version}_${row.name} was changed after it was applied (checksum differs): add a new migration instead.`,
        );
      }
    }
    const done = new Set(rows.map((r) => r.version));
    const applied: Migration[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await sql.execScript(migration.sql, tx);
      await tx.query('INSERT INTO hivegraph_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      options.onApply?.(migration);
      applied.push(migration);
    }
    return { applied, current: migrations.at(-1)?.version };
  });
}
