/**
 * The embedding model registry on the run's SQL backend: an interrupted re-embed resumes and
 * keeps servers from starting until it is finished; artifacts without a vector are embedded
 * in the background at start-up; the dimension and HNSW index follow the model.
 * (The CLI side — exit codes, messages, progress — is in test/cli/cli.test.ts.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.ts';
import { openEmbedder } from '../../src/embed/index.ts';
import { startServer } from '../../src/server/server.ts';
import { reembedAll } from '../../src/services/index.ts';
import { StartupError } from '../../src/shared/errors.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { openSqlClient } from '../../src/store/open.ts';
import { ok } from '../support/actors.ts';
import { ADMIN_KEY, startTestServer, type TestServer } from '../support/server.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

const SEARCH = 'query ($q: String!) { search(query: $q, mode: VECTOR, first: 3) { artifact { title } } }';

/** Starts a test server with `n` artifacts titled "Doc i", then closes it (its data stays until stop()). */
async function seeded(n: number): Promise<TestServer> {
  const server = await startTestServer();
  servers.push(server);
  for (let i = 0; i < n; i++) {
    await ok(server, ADMIN_KEY, 'mutation ($t: String!, $c: String!) { createArtifact(input: { kind: "note", title: $t, content: $c, visibility: ORG }) { id } }', {
      t: `Doc ${i}`,
      c: `distinct words number ${i} ${'abcdefghijklmnopqrstuvwxyz'[i % 26]!.repeat(4)}`,
    });
  }
  await server.close();
  return server;
}

/** The test server's configuration with a hashing embedder of `dimension`. */
const withDimension = (config: Config, dimension: number): Config => ({ ...config, embedding: { ...config.embedding, backend: 'hashing', dimension } });

async function start(config: Config) {
  return startServer({ config: { ...config, server: { ...config.server, port: 0 } }, logger: createLogger('silent') });
}

describe('hivegraph reembed (services)', () => {
  it('an interrupted re-embed blocks every start until a second run resumes and finishes it', { timeout: 120_000 }, async () => {
    const server = await seeded(12);
    const config256 = withDimension(server.config, 256);
    const sql = await openSqlClient(server.config.sql);
    const embedder = await openEmbedder({ backend: 'hashing', dimension: 256 });
    try {
      const interrupted = new AbortController();
      const first = await reembedAll(sql, embedder, {
        batchSize: 4,
        signal: interrupted.signal,
        onProgress: ({ done }) => {
          if (done >= 4) interrupted.abort();
        },
      });
      expect(first.embedded).toBe(4);
      const { rows: states } = await sql.query<{ state: string; dimension: number }>('SELECT state, dimension FROM embedding_models ORDER BY id');
      expect(states).toEqual([
        { state: 'RETIRED', dimension: 384 },
        { state: 'REEMBEDDING', dimension: 256 },
      ]);
      const { rows: index } = await sql.query<{ present: boolean }>(`SELECT to_regclass('artifacts_embedding_hnsw_idx') IS NOT NULL AS present`);
      expect(index[0]!.present, 'the index is dropped while re-embedding').toBe(false);
      await sql.close();

      await expect(start(config256)).rejects.toThrow(/re-embed .* was interrupted\. Run `hivegraph reembed` to finish it/);
      await expect(start(server.config)).rejects.toThrow(StartupError);

      const sqlAgain = await openSqlClient(server.config.sql);
      try {
        const second = await reembedAll(sqlAgain, embedder, { batchSize: 4 });
        expect(second).toMatchObject({ resumed: true, embedded: 8, artifacts: 12 });
        expect(second.model).toMatchObject({ state: 'ACTIVE', dimension: 256 });
        const { rows } = await sqlAgain.query<{ n: number }>(`SELECT count(*) AS n FROM artifacts WHERE embedding_model_id = $1 AND vector_dims(embedding) = 256`, [second.model.id]);
        expect(rows[0]!.n).toBe(12);
      } finally {
        await sqlAgain.close();
      }

      const running = await start(config256);
      try {
        const hits = await ok<{ search: { artifact: { title: string } }[] }>(running, ADMIN_KEY, SEARCH, { q: 'distinct words number 7 hhhh' });
        expect(hits.search[0]?.artifact.title).toBe('Doc 7');
      } finally {
        await running.close();
      }
    } finally {
      await embedder.close();
      await sql.close().catch(() => undefined);
    }
  });

  it('artifacts without a vector (a database from before search) are embedded in the background at start', { timeout: 120_000 }, async () => {
    const server = await seeded(6);
    const sql = await openSqlClient(server.config.sql);
    await sql.query('UPDATE artifacts SET embedding = NULL, embedding_model_id = NULL');
    await sql.close();

    const running = await start(server.config);
    try {
      const deadline = Date.now() + 30_000;
      let missing = -1;
      while (Date.now() < deadline) {
        const { rows } = await running.sql.query<{ n: number }>('SELECT count(*) AS n FROM artifacts WHERE embedding IS NULL');
        missing = rows[0]!.n;
        if (missing === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(missing).toBe(0);
      const hits = await ok<{ search: { artifact: { title: string } }[] }>(running, ADMIN_KEY, SEARCH, { q: 'distinct words number 4 eeee' });
      expect(hits.search[0]?.artifact.title).toBe('Doc 4');
    } finally {
      await running.close();
    }
  });
});
