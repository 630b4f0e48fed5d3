import { mkdtemp, rm, writeFile, copyFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StartupError } from '../../src/shared/errors.ts';
import { MIGRATIONS_DIR, migrate, readMigrations } from '../../src/store/open.ts';
import { describeIfAvailable, sqlBackends } from '../support/backends.ts';

describe('readMigrations', () => {
  it('reads the shipped migrations in order with checksums', async () => {
    const migrations = await readMigrations();
    expect(migrations.length).toBeGreaterThanOrEqual(2);
    expect(migrations.map((m) => m.version)).toEqual([...migrations.map((m) => m.version)].sort());
    expect(migrations[0]).toMatchObject({ version: '0001', name: 'extensions' });
    for (const m of migrations) expect(m.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a file name that does not follow NNNN_name.sql', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hg-mig-'));
    await writeFile(path.join(dir, 'create-things.sql'), 'SELECT 1;');
    await expect(readMigrations(dir)).rejects.toThrow(/does not match NNNN_name\.sql/);
    await rm(dir, { recursive: true });
  });
});

for (const backend of sqlBackends()) {
  describeIfAvailable(`migrations on ${backend.name}`, backend.unavailable, () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'hg-mig-'));
      for (const file of await readdir(MIGRATIONS_DIR)) await copyFile(path.join(MIGRATIONS_DIR, file), path.join(dir, file));
    });
    afterAll(async () => rm(dir, { recursive: true, force: true }));

    it('applies every migration once, records it, and is a no-op the second time', async () => {
      const { client, close } = await backend.open();
      try {
        const first = await migrate(client, { dir });
        const all = await readMigrations(dir);
        expect(first.applied.map((m) => m.version)).toEqual(all.map((m) => m.version));
        const second = await migrate(client, { dir });
        expect(second.applied).toEqual([]);
        expect(second.current).toBe(all.at(-1)!.version);
        const { rows } = await client.query<{ version: string }>('SELECT version FROM hivegraph_migrations ORDER BY version');
        expect(rows.map((r) => r.version)).toEqual(all.map((m) => m.version));
        const tables = await client.query<{ t: string }>(
          "SELECT table_name AS t FROM information_schema.tables WHERE table_name IN ('orgs', 'users', 'api_keys') ORDER BY 1",
        );
        expect(tables.rows.map((r) => r.t)).toEqual(['api_keys', 'orgs', 'users']);
      } finally {
        await close();
      }
    });

    it('is safe when several instances migrate at once (advisory lock)', async () => {
      const { client, close } = await backend.open();
      try {
        const outcomes = await Promise.all([migrate(client, { dir }), migrate(client, { dir }), migrate(client, { dir })]);
        const appliedCounts = outcomes.map((o) => o.applied.length).sort();
        expect(appliedCounts.slice(0, 2)).toEqual([0, 0]);
        expect(appliedCounts[2]).toBe((await readMigrations(dir)).length);
      } finally {
        await close();
      }
    });

    it('leaves no trace of a failing migration, and keeps the earlier ones of the same run out too', async () => {
      const { client, close } = await backend.open();
      const broken = await mkdtemp(path.join(tmpdir(), 'hg-mig-'));
      try {
        await writeFile(path.join(broken, '0001_good.sql'), 'CREATE TABLE good_table (x int);');
        await writeFile(path.join(broken, '0002_bad.sql'), 'CREATE TABLE bad_table (x int);\nSELECT no_such_function();');
        await expect(migrate(client, { dir: broken })).rejects.toThrow(/no_such_function/);
        const { rows } = await client.query<{ t: string | null }>("SELECT to_regclass('good_table')::text AS t");
        expect(rows[0]!.t).toBeNull();
      } finally {
        await close();
        await rm(broken, { recursive: true, force: true });
      }
    });

    it('refuses to run when an applied migration file was changed', async () => {
      const { client, close } = await backend.open();
      const changed = await mkdtemp(path.join(tmpdir(), 'hg-mig-'));
      try {
        await writeFile(path.join(changed, '0001_first.sql'), 'CREATE TABLE first_table (x int);');
        await migrate(client, { dir: changed });
        await writeFile(path.join(changed, '0001_first.sql'), 'CREATE TABLE first_table (x int, y int);');
        const error = await migrate(client, { dir: changed }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StartupError);
        expect((error as Error).message).toMatch(/0001_first was changed after it was applied/);
      } finally {
        await close();
        await rm(changed, { recursive: true, force: true });
      }
    });

    it('refuses to run against a database migrated by a newer version', async () => {
      const { client, close } = await backend.open();
      const older = await mkdtemp(path.join(tmpdir(), 'hg-mig-'));
      try {
        await writeFile(path.join(older, '0001_first.sql'), 'CREATE TABLE t1 (x int);');
        await writeFile(path.join(older, '0002_second.sql'), 'CREATE TABLE t2 (x int);');
        await migrate(client, { dir: older });
        await rm(path.join(older, '0002_second.sql'));
        await expect(migrate(client, { dir: older })).rejects.toThrow(/0002_second, which this version of Hivegraph does not know/);
      } finally {
        await close();
        await rm(older, { recursive: true, force: true });
      }
    });
  });
}
