/**
 * Test helpers that give each test file its own, isolated backend: an in-memory PGlite, a
 * fresh Postgres database created for the file (dropped afterwards), or a FalkorDB graph name
 * unique to the file.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, inject, it } from 'vitest';
import { openMemorySqlClient, openSqlClient, type SqlOpenOptions } from '../../src/store/open.ts';
import type { SqlClient } from '../../src/store/types.ts';
import type { BackendSelection } from './backend-selection.ts';

/** The run's backend decision (see global-setup.ts). */
export function backends(): BackendSelection {
  return inject('backends');
}

/** A short random suffix for names that must not collide across parallel test files. */
export function uniqueSuffix(): string {
  return randomBytes(5).toString('hex');
}

/** A Postgres database created for one test file. */
export interface TestDatabase {
  url: string;
  /** Drops the database (terminating leftover connections). */
  drop(): Promise<void>;
}

/** Creates an empty database `hg_test_<random>` on the server of `baseUrl`. */
export async function createTestDatabase(baseUrl: string): Promise<TestDatabase> {
  const name = `hg_test_${uniqueSuffix()}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A SQL backend the contract suites run against. */
export interface SqlBackend {
  name: 'pglite' | 'postgres';
  /** Why it is unavailable in this run; undefined when available. */
  unavailable: string | undefined;
  /** Opens a fresh, empty database; `close` closes and removes it. */
  open(options?: SqlOpenOptions): Promise<{ client: SqlClient; close: () => Promise<void> }>;
}

/** Every SQL backend, with availability for this run. */
export function sqlBackends(): SqlBackend[] {
  const selection = backends();
  return [
    {
      name: 'pglite',
      unavailable: undefined,
      async open(options) {
        const client = await openMemorySqlClient(options);
        return { client, close: () => client.close() };
      },
    },
    {
      name: 'postgres',
      unavailable: selection.databaseUrl ? undefined : `no Postgres in this run (${selection.reason ?? 'DATABASE_URL not set'})`,
      async open(options) {
        const db = await createTestDatabase(selection.databaseUrl!);
        const client = await openSqlClient({ kind: 'postgres', url: db.url, poolMax: 5, connectTimeoutMs: 5000 }, options);
        return {
          client,
          close: async () => {
            await client.close();
            await db.drop();
          },
        };
      },
    },
  ];
}

/**
 * `describe` for a backend that may be unavailable: when it is, one test is registered and
 * skipped with the reason, so the run's summary says what was not tested and why.
 */
export function describeIfAvailable(title: string, unavailable: string | undefined, body: () => void): void {
  if (unavailable === undefined) {
    describe(title, body);
    return;
  }
  describe(title, () => {
    it('(whole suite)', (ctx) => ctx.skip(unavailable));
  });
}
