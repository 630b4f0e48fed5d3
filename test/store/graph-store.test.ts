import { describe, expect, it } from 'vitest';
import { openFalkorGraphStore } from '../../src/store/graph/falkordb.store.ts';
import { openMemorySqlClient, openSqlGraphStore } from '../../src/store/open.ts';
import { StartupError } from '../../src/shared/errors.ts';
import { defineGraphStoreContract } from '../contract/graph-store.contract.ts';
import { backends, describeIfAvailable, uniqueSuffix } from '../support/backends.ts';

defineGraphStoreContract({
  name: 'sql',
  async open() {
    const sql = await openMemorySqlClient();
    return { store: openSqlGraphStore(sql), close: () => sql.close() };
  },
});

const falkordbUrl = backends().falkordbUrl;
describeIfAvailable('FalkorDB', falkordbUrl ? undefined : `no FalkorDB in this run (${backends().reason ?? 'FALKORDB_URL not set'})`, () => {
  defineGraphStoreContract({
    name: 'falkordb',
    async open() {
      const store = await openFalkorGraphStore({ url: falkordbUrl!, graphPrefix: `hgtest_${uniqueSuffix()}` });
      return { store, close: () => store.close() };
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
