/** `hivegraph reembed`: re-encodes every artifact with the configured embedder. */
import { loadConfig } from '../../config/config.ts';
import { openConfiguredEmbedder } from '../../embed/index.ts';
import { describeModel, reembedAll } from '../../services/index.ts';
import type { Embedder } from '../../embed/index.ts';
import { DataDirLockedError, migrate, openSqlClient } from '../../store/open.ts';
import { parseCommandArgs, UsageError } from '../io.ts';

export const REEMBED_USAGE = `Usage: hivegraph reembed [--batch-size N]

Moves every artifact's embedding to the embedder configured now (HIVEGRAPH_EMBEDDER and
HIVEGRAPH_EMBEDDING_*, see README.md): records the new model, re-encodes all artifacts in
batches with progress on stderr, then rebuilds the HNSW index. Stop the servers first; they
refuse to start until the re-embed has finished. Interrupted (Ctrl-C, crash), it keeps what
is done: run it again to resume. With the recorded model unchanged it only embeds artifacts
that have no vector yet.

Options:
  --batch-size N   artifacts per batch (default 64)`;

/** Runs `reembed`. */
export async function reembedCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { 'batch-size': { type: 'string' } });
  if (values.help) {
    process.stdout.write(`${REEMBED_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`reembed takes no arguments (got "${positionals.join(' ')}")`);
  const rawBatch = values['batch-size'];
  const batchSize = rawBatch === undefined ? 64 : Number(rawBatch);
  if (!/^\d+$/.test(rawBatch ?? '64') || batchSize < 1 || batchSize > 4096) {
    throw new UsageError(`--batch-size must be a whole number from 1 to 4096 (got "${rawBatch}")`);
  }
  const config = loadConfig();
  // The data directory first: a refusal (server running) comes before loading any model.
  const sql = await openSqlClient(config.sql).catch((error: unknown) => {
    if (error instanceof DataDirLockedError) {
      error.message +=
        ' reembed changes the model the server runs with, so it needs the server stopped; a running server already embeds artifacts that have no vector.';
    }
    throw error;
  });
  let embedder: Embedder;
  try {
    const opened = await openConfiguredEmbedder(config.embedding);
    embedder = opened.embedder;
    if (opened.warning) process.stderr.write(`hivegraph: warning: ${opened.warning}\n`);
  } catch (error) {
    await sql.close();
    throw error;
  }
  const interrupted = new AbortController();
  const onSignal = () => {
    process.stderr.write('reembed: stopping after the current batch (run it again to resume)…\n');
    interrupted.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await migrate(sql);
    const started = Date.now();
    let lastPrint = 0;
    process.stderr.write(`reembed: encoding with the ${describeModel(embedder)}\n`);
    const outcome = await reembedAll(sql, embedder, {
      batchSize,
      signal: interrupted.signal,
      onProgress: ({ done, total }) => {
        if (Date.now() - lastPrint < 1000 && done < total) return;
        lastPrint = Date.now();
        const seconds = (Date.now() - started) / 1000;
        const rate = seconds > 0 ? done / seconds : 0;
        const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0;
        process.stderr.write(
          `reembed: ${done}/${total} artifacts (${((100 * done) / Math.max(total, 1)).toFixed(0)}%), ${rate.toFixed(0)}/s, ~${eta} s left\n`,
        );
      },
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (interrupted.signal.aborted) {
      process.stdout.write(`Interrupted after ${outcome.embedded} artifacts in ${seconds} s; run \`hivegraph reembed\` again to finish.\n`);
      return 130;
    }
    const from = outcome.previous ? ` (was the ${describeModel(outcome.previous)})` : '';
    process.stdout.write(
      `Re-embedded ${outcome.embedded} of ${outcome.artifacts} artifacts in ${seconds} s${outcome.resumed ? ', resuming an interrupted run' : ''}; ` +
        `the HNSW index is built. Active model: ${describeModel(outcome.model)}${from}.\n`,
    );
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await embedder.close();
    await sql.close();
  }
}
