/**
 * The SqlClient contract: every SQL adaptor must pass these, against a real database.
 * Each backend's test file supplies `open` and nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/shared/errors.ts';
import type { SqlClient } from '../../src/store/types.ts';
import type { SqlBackend } from '../support/backends.ts';

/** Registers the contract suite for `backend`. */
export function defineSqlClientContract(backend: SqlBackend): void {
  describe(`SqlClient contract (${backend.name})`, () => {
    let client: SqlClient;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ client, close } = await backend.open());
      await client.query(`CREATE TABLE things (
        id serial PRIMARY KEY,
        name text NOT NULL CONSTRAINT things_name_key UNIQUE,
        n int8 NOT NULL DEFAULT 0,
        doc jsonb,
        tags text[],
        at timestamptz NOT NULL DEFAULT now()
      )`);
    });
    afterAll(async () => close?.());

    it('names its backend', () => {
      expect(client.backend).toBe(backend.name);
    });

    it('runs parameterised statements and maps types the same way on every backend', async () => {
      const doc = { nested: { list: [1, 'two', null], flag: true }, emoji: '🐝' };
      const { rows, rowCount } = await client.query<{ id: number; n: number; doc: unknown; tags: string[]; at: Date }>(
        'INSERT INTO things (name, n, doc, tags) VALUES ($1, $2, $3, $4) RETURNING id, n, doc, tags, at',
        ['alpha', 9_007_199_254_740_991, JSON.stringify(doc), ['a', 'b']],
      );
      expect(rowCount).toBe(1);
      expect(rows[0]!.n).toBe(9_007_199_254_740_991);
      expect(typeof rows[0]!.n).toBe('number');
      expect(rows[0]!.doc).toEqual(doc);
      expect(rows[0]!.tags).toEqual(['a', 'b']);
      expect(rows[0]!.at).toBeInstanceOf(Date);
      const count = await client.query<{ c: number }>('SELECT count(*) AS c FROM things WHERE name = $1', ['alpha']);
      expect(count.rows[0]!.c).toBe(1);
    });

    it('treats parameters as values, never as SQL', async () => {
      const hostile = "x'); DROP TABLE things; --";
      await client.query('INSERT INTO things (name) VALUES ($1)', [hostile]);
      const { rows } = await client.query<{ name: string }>('SELECT name FROM things WHERE name = $1', [hostile]);
      expect(rows).toEqual([{ name: hostile }]);
    });

    it('reports affected rows of UPDATE and DELETE', async () => {
      await client.query("INSERT INTO things (name) VALUES ('u1'), ('u2')");
      const updated = await client.query("UPDATE things SET n = n + 1 WHERE name IN ('u1', 'u2')");
      expect(updated.rowCount).toBe(2);
      const deleted = await client.query("DELETE FROM things WHERE name = 'u1'");
      expect(deleted.rowCount).toBe(1);
    });

    it('commits a transaction whose function resolves', async () => {
      const result = await client.transaction(async (tx) => {
        await tx.query("INSERT INTO things (name) VALUES ('committed')");
        return 42;
      });
      expect(result).toBe(42);
      expect((await client.query("SELECT 1 FROM things WHERE name = 'committed'")).rows).toHaveLength(1);
    });

    it('rolls back everything when the function throws, and rethrows the error', async () => {
      const boom = new Error('boom');
      await expect(
        client.transaction(async (tx) => {
          await tx.query("INSERT INTO things (name) VALUES ('rolled-back')");
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect((await client.query("SELECT 1 FROM things WHERE name = 'rolled-back'")).rows).toHaveLength(0);
    });

    it('nests transactions as savepoints: an inner failure undoes only the inner part', async () => {
      await client.transaction(async (tx) => {
        await tx.query("INSERT INTO things (name) VALUES ('outer')");
        await expect(
          tx.transaction(async (inner) => {
            await inner.query("INSERT INTO things (name) VALUES ('inner')");
            throw new Error('inner fails');
          }),
        ).rejects.toThrow('inner fails');
        await tx.transaction(async (inner) => {
          await inner.query("INSERT INTO things (name) VALUES ('inner-ok')");
          await inner.transaction(async (deeper) => deeper.query("INSERT INTO things (name) VALUES ('deeper-ok')"));
        });
      });
      const { rows } = await client.query<{ name: string }>(
        "SELECT name FROM things WHERE name IN ('outer', 'inner', 'inner-ok', 'deeper-ok') ORDER BY name",
      );
      expect(rows.map((r) => r.name)).toEqual(['deeper-ok', 'inner-ok', 'outer']);
    });

    it('rolls back inner savepoints that succeeded when the outer transaction fails', async () => {
      await expect(
        client.transaction(async (tx) => {
          await tx.transaction(async (inner) => inner.query("INSERT INTO things (name) VALUES ('inner-then-outer-fails')"));
          throw new Error('outer fails');
        }),
      ).rejects.toThrow('outer fails');
      expect((await client.query("SELECT 1 FROM things WHERE name = 'inner-then-outer-fails'")).rows).toHaveLength(0);
    });

    it('translates a unique violation into ConflictError naming the constraint', async () => {
      await client.query("INSERT INTO things (name) VALUES ('dup')");
      const error = await client.query("INSERT INTO things (name) VALUES ('dup')").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).code).toBe('CONFLICT');
      expect((error as ConflictError).extensions['constraint']).toBe('things_name_key');
    });

    it('translates a unique violation inside a transaction and leaves no trace of it', async () => {
      const error = await client
        .transaction(async (tx) => {
          await tx.query("INSERT INTO things (name) VALUES ('tx-first')");
          await tx.query("INSERT INTO things (name) VALUES ('dup')");
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((await client.query("SELECT 1 FROM things WHERE name = 'tx-first'")).rows).toHaveLength(0);
    });

    it('keeps concurrent transactions apart: 20 read-modify-write increments all count', async () => {
      await client.query("INSERT INTO things (name, n) VALUES ('counter', 0)");
      await Promise.all(
        Array.from({ length: 20 }, () =>
          client.transaction(async (tx) => {
            const { rows } = await tx.query<{ n: number }>("SELECT n FROM things WHERE name = 'counter' FOR UPDATE");
            await new Promise((r) => setTimeout(r, 1));
            await tx.query("UPDATE things SET n = $1 WHERE name = 'counter'", [rows[0]!.n + 1]);
          }),
        ),
      );
      const { rows } = await client.query<{ n: number }>("SELECT n FROM things WHERE name = 'counter'");
      expect(rows[0]!.n).toBe(20);
    });

    it('runs multi-statement scripts, alone and inside a transaction that can undo them', async () => {
      await client.execScript("CREATE TABLE script_a (x int); INSERT INTO script_a VALUES (1); INSERT INTO script_a VALUES (2);");
      expect((await client.query<{ c: number }>('SELECT count(*) AS c FROM script_a')).rows[0]!.c).toBe(2);
      await expect(
        client.transaction(async (tx) => {
          await client.execScript('CREATE TABLE script_b (x int); INSERT INTO script_b VALUES (1);', tx);
          throw new Error('undo');
        }),
      ).rejects.toThrow('undo');
      const exists = await client.query<{ t: string | null }>("SELECT to_regclass('script_b')::text AS t");
      expect(exists.rows[0]!.t).toBeNull();
    });

    it('has pgvector: vectors, distances and an HNSW index work', async () => {
      await client.query('CREATE EXTENSION IF NOT EXISTS vector');
      await client.query('CREATE TABLE vecs (id int PRIMARY KEY, v vector(3))');
      await client.query("INSERT INTO vecs VALUES (1, '[1,0,0]'), (2, '[0,1,0]'), (3, '[0.9,0.1,0]')");
      await client.query('CREATE INDEX ON vecs USING hnsw (v vector_cosine_ops)');
      const { rows } = await client.query<{ id: number }>('SELECT id FROM vecs ORDER BY v <=> $1 LIMIT 2', ['[1,0,0]']);
      expect(rows.map((r) => r.id)).toEqual([1, 3]);
      const version = await client.query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'");
      // Evidence in the CI log that CREATE EXTENSION vector really ran on this backend.
      process.stdout.write(`[${backend.name}] CREATE EXTENSION vector succeeded: pgvector ${version.rows[0]!.v}\n`);
      expect(version.rows[0]!.v).toMatch(/^0\.(8|9|\d\d)\./);
    });

    it('delivers pg_notify payloads to listeners after commit, never for a rolled-back transaction, and stops on unlisten', async () => {
      const got: string[] = [];
      const stop = await client.listen('hg_contract_test', (payload) => got.push(payload));
      await client.transaction(async (tx) => {
        await tx.query("SELECT pg_notify('hg_contract_test', $1)", ['one']);
        // Not delivered before commit.
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(got).toEqual([]);
        await tx.query("SELECT pg_notify('hg_contract_test', $1)", ['two']);
      });
      await client
        .transaction(async (tx) => {
          await tx.query("SELECT pg_notify('hg_contract_test', $1)", ['rolled back']);
          throw new Error('undo');
        })
        .catch(() => undefined);
      await client.query("SELECT pg_notify('hg_contract_test', $1)", ['three']);
      const deadline = Date.now() + 5000;
      while (got.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(got).toEqual(['one', 'two', 'three']);
      await stop();
      await client.query("SELECT pg_notify('hg_contract_test', $1)", ['after stop']);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(got).toEqual(['one', 'two', 'three']);
      await expect(client.listen('bad channel; DROP', () => undefined)).rejects.toThrow(/invalid notification channel/);
    });

    it('reports health with its backend, and down after close', async () => {
      const { client: other, close: closeOther } = await backend.open();
      const up = await other.health();
      expect(up).toMatchObject({ status: 'up', backend: backend.name });
      expect(up.detail).toMatch(/PostgreSQL|PGlite/);
      await other.close();
      const down = await other.health();
      expect(down.status).toBe('down');
      await closeOther().catch(() => undefined);
    });
  });
}
