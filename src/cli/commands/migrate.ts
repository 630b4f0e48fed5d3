/** `hivegraph migrate`: applies pending SQL migrations and exits. */
import { loadConfig } from '../../config/config.ts';
import { migrate as runMigrations, openSqlClient } from '../../store/open.ts';
import { parseCommandArgs } from '../io.ts';

export const MIGRATE_USAGE = `Usage: hivegraph migrate

Applies every pending migration in migrations/ to the configured database (DATABASE_URL, or
the embedded database in HIVEGRAPH_DATA_DIR), in order, in one transaction. The server also
does this at start-up; run it on its own to migrate before rolling out new instances.`;

/** Migrates and reports what was applied. */
export async function migrateCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {});
  if (values.help) {
    process.stdout.write(`${MIGRATE_USAGE}\n`);
    return 0;
  }
  const config = loadConfig();
  const sql = await openSqlClient(config.sql);
  try {
    const outcome = await runMigrations(sql, {
      onApply: (m) => process.stderr.write(`applied ${m.version}_${m.name}\n`),
    });
    process.stdout.write(
      outcome.applied.length === 0
        ? `Database is up to date (migration ${outcome.current ?? 'none'}).\n`
        : `Applied ${outcome.applied.length} migration(s); now at ${outcome.current}.\n`,
    );
    return 0;
  } finally {
    await sql.close();
  }
}
