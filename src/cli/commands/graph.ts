/** `hivegraph graph resync`: rebuilds the graph store (FalkorDB) from Postgres. */
import { loadConfig } from '../../config/config.ts';
import { createServices } from '../../services/index.ts';
import { createLogger } from '../../shared/logger.ts';
import { migrate, openGraphStore, openSqlClient } from '../../store/open.ts';
import { parseCommandArgs, UsageError } from '../io.ts';

export const GRAPH_USAGE = `Usage: hivegraph graph resync

Rebuilds the graph store from the SQL system of record: every org's FalkorDB graph is dropped
and filled again with its artifacts (nodes) and relationships (edges), in batches, with
progress on stderr. Safe while servers run: changes made meanwhile are re-applied from the
outbox. With the embedded graph store (no FALKORDB_URL) there is nothing to rebuild.`;

/** Dispatches `graph <subcommand>`. */
export async function graphCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {});
  if (values.help || positionals.length === 0) {
    process.stdout.write(`${GRAPH_USAGE}\n`);
    return values.help ? 0 : 64;
  }
  if (positionals[0] !== 'resync' || positionals.length > 1) {
    throw new UsageError(`expected: graph resync (got "graph ${positionals.join(' ')}")`);
  }
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const sql = await openSqlClient(config.sql);
  try {
    await migrate(sql);
    const graph = await openGraphStore(config.graph, sql);
    try {
      if (!graph.projected) {
        process.stdout.write('The embedded graph store reads the SQL rows directly: nothing to resync (set FALKORDB_URL for FalkorDB).\n');
        return 0;
      }
      const services = createServices({ sql, graph, logger, maxContentBytes: config.limits.maxContentBytes });
      const started = Date.now();
      let lastPrint = 0;
      const totals = await services.projector.resync((p) => {
        if (Date.now() - lastPrint < 1000) return;
        lastPrint = Date.now();
        process.stderr.write(`resync ${p.org}: ${p.nodes}/${p.totalNodes} nodes, ${p.edges}/${p.totalEdges} edges\n`);
      });
      const applied = await services.projector.drain();
      const seconds = (Date.now() - started) / 1000;
      process.stdout.write(
        `Resynced ${totals.nodes} nodes and ${totals.edges} edges in ${seconds.toFixed(1)} s` +
          `${applied ? `; then applied ${applied} pending change(s)` : ''}.\n`,
      );
      return 0;
    } finally {
      await graph.close();
    }
  } finally {
    await sql.close();
  }
}
