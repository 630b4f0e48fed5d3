/** `hivegraph serve`: runs the API server until SIGINT / SIGTERM. */
import { loadConfig } from '../../config/config.ts';
import { startServer } from '../../server/server.ts';
import { stopTracing } from '../../server/tracing.ts';
import { createLogger } from '../../shared/logger.ts';
import { parseCommandArgs } from '../io.ts';

export const SERVE_USAGE = `Usage: hivegraph serve [--host HOST] [--port PORT] [--data-dir DIR]

Runs the GraphQL API (HTTP and WebSocket at /graphql, plus /healthz and /readyz).
With nothing configured it uses the embedded default (PGlite + embedded graph store) in
HIVEGRAPH_DATA_DIR (./.hivegraph); set DATABASE_URL and FALKORDB_URL for server mode.
Flags override the environment. On first start the admin API key is printed once.`;

/** Runs the server; resolves when it has shut down after a signal. */
export async function serve(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    host: { type: 'string' },
    port: { type: 'string' },
    'data-dir': { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(`${SERVE_USAGE}\n`);
    return 0;
  }
  const config = loadConfig(process.env, {
    ...(values.host ? { HOST: values.host } : {}),
    ...(values.port ? { PORT: values.port } : {}),
    ...(values['data-dir'] ? { HIVEGRAPH_DATA_DIR: values['data-dir'] } : {}),
  });
  const logger = createLogger(config.logLevel);
  const server = await startServer({ config, logger });
  const [sqlHealth, graphHealth] = await Promise.all([server.sql.health(), server.graph.health()]);
  logger.info(`Hivegraph listening on ${server.graphqlUrl}`, {
    sql: sqlHealth.detail,
    graph: graphHealth.detail,
  });
  if (server.bootstrap.generatedAdminKey) {
    process.stdout.write(
      [
        '',
        'First start: created org "default" and ADMIN user "admin".',
        'Admin API key (shown once, store it now):',
        '',
        `  ${server.bootstrap.generatedAdminKey}`,
        '',
        `Try: curl -s ${server.graphqlUrl} -H 'content-type: application/json' \\`,
        `       -H 'authorization: Bearer <key>' -d '{"query":"{ me { handle } }"}'`,
        '',
      ].join('\n') + '\n',
    );
  }
  process.stdout.write(`Hivegraph is serving GraphQL at ${server.graphqlUrl}\n`);
  process.stdout.write(`Web explorer (GraphiQL, in a browser): ${server.url}/explorer/\n`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        logger.warn(`second ${signal}: exiting without waiting`);
        process.exit(130);
      }
      stopping = true;
      logger.info(`${signal} received: draining connections`);
      server.close().then(
        async () => {
          await stopTracing(); // exports the spans still queued
          logger.info('stopped');
          resolve(0);
        },
        (error: unknown) => {
          logger.error('error while stopping', { error });
          resolve(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}
