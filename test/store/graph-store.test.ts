import { describe, expect, it } from 'vitest';
import { openFalkorGraphStore } from '../../src/store/graph/falkordb.store.ts';
import { migrate, openMemorySqlClient, openSqlGraphStore } from '../../src/store/open.ts';
import { StartupError } from '../../src/shared/errors.ts';
import type { GraphStore, SqlClient } from '../../src/store/types.ts';
import { createFixtureSeeder, defineGraphStoreContract } from '../contract/graph-store.contract.ts';
import { backends, describeIfAvailable, sqlBackends, uniqueSuffix } from '../support/backends.ts';

/**
 * A fresh, migrated SQL database with a graph store over it (or beside it) and a fixture
 * seeder that writes through the services and projects into the store.
 */
async function withSeeder(
  sql: { client: SqlClient; close: () => Promise<void> },
  openStore: (sql: SqlClient) => Promise<GraphStore>,
) {
  await migrate(sql.client);
  const store = await openStore(sql.client);
  const seeder = createFixtureSeeder(sql.client, store);
  return {
    store,
    seed: seeder.seed,
    async close() {
      await seeder.close();
      await store.close();
      await sql.close();
    },
  };
}

// The embedded store over each SQL backend of the run (PGlite always; Postgres when present).
for (const backend of sqlBackends()) {
  describeIfAvailable(`embedded graph store over ${backend.name}`, backend.unavailable, () => {
    defineGraphStoreContract({
      name: 'sql',
      label: `sql over ${backend.name}`,
      projected: false,
      open: async () => withSeeder(await backend.open(), async (sql) => openSqlGraphStore(sql)),
    });
  });
}

const falkordbUrl = backends().falkordbUrl;
describeIfAvailable('FalkorDB', falkordbUrl ? undefined : `no FalkorDB in this run (${backends().reason ?? 'FALKORDB_URL not set'})`, () => {
  // The projection: fixtures are written to a fresh PGlite and projected into a fresh graph prefix.
  defineGraphStoreContract({
    name: 'falkordb',
    projected: true,
    async open() {
      const sql = await openMemorySqlClient();
      return withSeeder({ client: sql, close: () => sql.close() }, () =>
        openFalkorGraphStore({ url: falkordbUrl!, graphPrefix: `hgtest_${uniqueSuffix()}` }),
      );
    },
  });

  describe('FalkorDB specifics', () => {
    it('answers parameterised Cypher (a real round trip) and reports its module version', async () => {
      const store = await openFalkorGraphStore({ url: falkordbUrl!, graphPrefix: `hgtest_${uniqueSuffix()}` });
      try {
        const rows = await store.cypher<{ answer: number; text: string }>(
          `hgtest_${uniqueSuffix()}`,
          'RETURN $n + 1 AS answer, $s AS text',
          { n: 41, s: "it's \"quoted\"" },
        );
        expect(rows).toEqual([{ answer: 42, text: "it's \"quoted\"" }]);
        process.stdout.write(`[falkordb] Cypher round trip answered by FalkorDB ${store.moduleVersion}\n`);
        expect(store.moduleVersion).toMatch(/^\d+\.\d+\.\d+$/);
      } finally {
        await store.close();
      }
    });
  });
});

describe('FalkorDB start-up failure', () => {
  it('reports an unreachable server as a StartupError naming the URL', async () => {
    const error = await openFalkorGraphStore({ url: 'falkor://127.0.0.1:1', connectTimeoutMs: 1500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toMatch(/Cannot reach FalkorDB at falkor:\/\/127\.0\.0\.1:1/);
  });
});
