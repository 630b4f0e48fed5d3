/**
 * Operator commands (keys, orgs) work on the database directly, not through a server: this
 * opens the configured SQL store, migrates it and hands the command the services.
 */
import { loadConfig } from '../config/config.ts';
import { createServices, type Services } from '../services/index.ts';
import { createLogger } from '../shared/logger.ts';
import { migrate, openSqlClient, openSqlGraphStore } from '../store/open.ts';

/** Runs `fn` with services over the configured database, then closes it. */
export async function withOperatorServices<T>(fn: (services: Services) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const sql = await openSqlClient(config.sql);
  try {
    await migrate(sql);
    // Identity work needs only SQL; the embedded graph view avoids connecting to FalkorDB.
    const services = createServices({
      sql,
      graph: openSqlGraphStore(sql),
      logger: createLogger(config.logLevel),
      maxContentBytes: config.limits.maxContentBytes,
    });
    return await fn(services);
  } finally {
    await sql.close();
  }
}
