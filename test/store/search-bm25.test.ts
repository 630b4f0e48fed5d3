/**
 * The BM25 full-text leg on the run's deployment (embedded: PGlite; server mode: Postgres +
 * FalkorDB), through the real services:
 *
 * - the term statistics (`search_term_stats`, `search_doc_stats`) equal a recomputation from
 *   the artifacts after creates, updates, deletes, restores, batch creates, hard deletes,
 *   writes that do not touch the text, concurrent writers, and a snapshot import;
 * - `search_tsv` / `search_length` always equal what the text says (the trigger);
 * - ranking: the score is BM25 with the documented parameters; a rare term outweighs a common
 *   one; a shorter document ranks above a longer one with the same term frequency; title
 *   above content;
 * - identifiers are found by their parts: `keepAliveTimeout`, `server`, `server.keepAliveTimeout`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../../src/services/index.ts';
import type { SqlClient } from '../../src/store/types.ts';
import { BM25 } from '../../src/store/repositories/search.repo.ts';
import { seed, type Seeded } from '../snapshot/seed.ts';
import { exportText, importText, openInstallation, runDeployment, viewerOf, type Installation } from '../snapshot/support.ts';

const deployment = runDeployment();

/** What the statistics tables say, per org: lexeme → documents, and the live documents with their total length. */
async function storedStats(sql: SqlClient) {
  const terms = await sql.query<{ org: string; lexeme: string; docs: number }>(
    `SELECT org_id AS org, lexeme, sum(docs)::int AS docs FROM search_term_stats GROUP BY org_id, lexeme HAVING sum(docs) <> 0 ORDER BY org_id, lexeme COLLATE "C"`,
  );
  const docs = await sql.query<{ org: string; docs: number; length: number }>(
    `SELECT org_id AS org, sum(docs)::int AS docs, sum(total_length)::int AS length FROM search_doc_stats GROUP BY org_id HAVING sum(docs) <> 0 OR sum(total_length) <> 0 ORDER BY org_id`,
  );
  return { terms: terms.rows, docs: docs.rows };
}

/** The same, recomputed from scratch from the live artifacts and their text. */
async function recomputedStats(sql: SqlClient) {
  const terms = await sql.query<{ org: string; lexeme: string; docs: number }>(
    `SELECT a.org_id AS org, l.lexeme, count(*)::int AS docs
     FROM artifacts a CROSS JOIN LATERAL unnest(tsvector_to_array(hg_search_document(a.title, a.name, a.content))) AS l (lexeme)
     WHERE a.deleted_at IS NULL GROUP BY a.org_id, l.lexeme ORDER BY a.org_id, l.lexeme COLLATE "C"`,
  );
  const docs = await sql.query<{ org: string; docs: number; length: number }>(
    `SELECT org_id AS org, count(*)::int AS docs, sum(hg_tsvector_length(hg_search_document(title, name, content)))::int AS length
     FROM artifacts WHERE deleted_at IS NULL GROUP BY org_id ORDER BY org_id`,
  );
  return { terms: terms.rows, docs: docs.rows };
}

/** Asserts that the statistics and every row's derived columns match the text. */
async function expectStatsExact(sql: SqlClient, label: string): Promise<void> {
  const [stored, recomputed] = [await storedStats(sql), await recomputedStats(sql)];
  expect(stored.docs, `${label}: documents`).toEqual(recomputed.docs);
  expect(stored.terms, `${label}: terms`).toEqual(recomputed.terms);
  expect(recomputed.terms.length, label).toBeGreaterThan(0);
  const { rows } = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM artifacts
     WHERE search_tsv IS DISTINCT FROM hg_search_document(title, name, content) OR search_length IS DISTINCT FROM hg_tsvector_length(search_tsv)`,
  );
  expect(rows[0]!.n, `${label}: rows whose search_tsv or search_length differs from their text`).toBe(0);
}

describe(`BM25 term statistics (${deployment})`, { timeout: 180_000 }, () => {
  let source: Installation;
  let seeded: Seeded;

  beforeAll(async () => {
    source = await openInstallation(deployment);
    seeded = await seed(source);
  });

  afterAll(async () => {
    await source?.close();
  });

  it('match a recomputation after the seed (creates, updates, deletes, restores, contributions)', async () => {
    await expectStatsExact(source.sql, 'seed');
  });

  it('stay exact under updates, deletes, restores, batch creates, hard deletes and writes that leave the text alone', async () => {
    const a = source.services.artifacts;
    const alice = viewerOf(seeded.alice);
    const bob = viewerOf(seeded.bob);
    const made = await a.create(alice, { kind: 'note', title: 'Tuning server.keepAliveTimeout', content: 'Raise the keep-alive timeout above the load balancer idle timeout.', visibility: 'ORG' });
    await expectStatsExact(source.sql, 'create');
    await a.update(alice, made.id, { content: 'Raise keepAliveTimeout to 65 seconds; headersTimeout must stay above it.' });
    await expectStatsExact(source.sql, 'content update');
    await a.update(alice, made.id, { title: 'Node HTTP timeouts' });
    await expectStatsExact(source.sql, 'title update');
    await a.update(alice, made.id, { tags: ['http'], metadata: { checked: true } });
    await expectStatsExact(source.sql, 'update without text');
    await a.delete(alice, made.id);
    await expectStatsExact(source.sql, 'delete');
    // A deleted artifact's text may change (SQL here): it counts again only when restored.
    await source.sql.query(`UPDATE artifacts SET content = content || ' edited while deleted' WHERE id = $1`, [made.id]);
    await expectStatsExact(source.sql, 'edit while deleted');
    await a.restore(alice, made.id);
    await expectStatsExact(source.sql, 'restore');
    const many = await a.createMany(bob, [
      { kind: 'note', title: 'Batch one', content: 'Postgres autovacuum settings for large tables.', visibility: 'ORG' },
      { kind: 'note', title: 'Batch two', content: 'Autovacuum freezes old tuples; vacuum_freeze_min_age decides when.', visibility: 'ORG' },
      { kind: 'note', title: 'Batch three', content: 'The same words twice: autovacuum autovacuum.', visibility: 'PRIVATE' },
    ]);
    await expectStatsExact(source.sql, 'createMany');
    // A direct write to the derived columns is replaced by what the text says.
    await source.sql.query(`UPDATE artifacts SET search_tsv = 'bogus'::tsvector, search_length = 1 WHERE id = $1`, [many[0]!.id]);
    await expectStatsExact(source.sql, 'direct write to search_tsv');
    // One statement that changes several rows at once, then a hard delete of several.
    await source.sql.query(`UPDATE artifacts SET content = upper(content) WHERE id = ANY($1::uuid[])`, [many.map((m) => m.id)]);
    await expectStatsExact(source.sql, 'multi-row update');
    await source.sql.query(`UPDATE artifacts SET deleted_at = now() WHERE id = ANY($1::uuid[])`, [many.slice(0, 2).map((m) => m.id)]);
    await expectStatsExact(source.sql, 'multi-row soft delete');
    await source.sql.query(`DELETE FROM artifacts WHERE id = ANY($1::uuid[])`, [many.map((m) => m.id)]);
    await expectStatsExact(source.sql, 'hard delete');
    // A transaction that fails leaves no trace in the statistics either.
    await expect(
      source.sql.transaction(async (tx) => {
        await tx.query(`UPDATE artifacts SET content = 'rolled back words' WHERE id = $1`, [made.id]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await expectStatsExact(source.sql, 'rollback');
  });

  it('stay exact with concurrent writers (several connections in server mode)', async () => {
    const a = source.services.artifacts;
    const writers: Viewer[] = [viewerOf(seeded.alice), viewerOf(seeded.bob), viewerOf(seeded.admin)];
    const made = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        a.create(writers[i % writers.length]!, { kind: 'note', title: `Concurrent ${i}`, content: `shared words on every note, and word${i} of its own`, visibility: 'ORG' }),
      ),
    );
    await Promise.all(made.slice(0, 12).map((m, i) => (i % 2 ? a.delete(writers[i % writers.length]!, m.id) : a.update(writers[i % writers.length]!, m.id, { content: `rewritten ${i}` }))));
    await expectStatsExact(source.sql, 'concurrent writes');
  });

  it('are rebuilt by a snapshot import into a fresh installation', async () => {
    const target = await openInstallation(deployment, { embedder: false });
    try {
      await importText(target, await exportText(source));
      await expectStatsExact(target.sql, 'import');
      expect(await recomputedStats(target.sql)).toEqual(await recomputedStats(source.sql));
    } finally {
      await target.close();
    }
  });
});

describe(`BM25 ranking (${deployment})`, { timeout: 120_000 }, () => {
  let inst: Installation;
  let seeded: Seeded;
  let alice: Viewer;

  beforeAll(async () => {
    inst = await openInstallation(deployment);
    seeded = await seed(inst);
    alice = viewerOf(seeded.alice);
  });

  afterAll(async () => {
    await inst?.close();
  });

  const create = (content: string, title?: string) =>
    inst.services.artifacts.create(alice, { kind: 'note', content, visibility: 'ORG', ...(title ? { title } : {}) });
  const text = (query: string) => inst.services.search.search(alice, { query, mode: 'TEXT', filter: {}, first: 20 });

  it('scores each hit with BM25 over the org statistics (k1 1.2, b 0.75, title ×2)', async () => {
    const one = await create('qwv zzt zzt', 'zzt');
    const two = await create('qwv bnm bnm bnm');
    const { rows } = await inst.sql.query<{ n: number; avg: number }>(
      `SELECT count(*)::int AS n, avg(search_length)::float8 AS avg FROM artifacts WHERE org_id = $1 AND deleted_at IS NULL`,
      [seeded.alice.orgId],
    );
    const { n, avg } = rows[0]!;
    const idf = (df: number) => Math.log(1 + (n - df + 0.5) / (df + 0.5));
    const term = (tf: number, length: number, df: number) => (idf(df) * tf * (BM25.k1 + 1)) / (tf + BM25.k1 * (1 - BM25.b + (BM25.b * length) / avg));
    // one: qwv ×1, zzt ×2 in the content and ×1 in the title (weight 2): tf 4, length 4.
    const expected = new Map([
      [one.id, term(1, 4, 2) + term(2 + BM25.titleWeight, 4, 1)],
      [two.id, term(1, 4, 2)],
    ]);
    const hits = await text('qwv zzt');
    expect(hits.map((h) => h.artifact.id)).toEqual([one.id, two.id]);
    for (const hit of hits) {
      const s = expected.get(hit.artifact.id)!;
      expect(hit.score).toBeCloseTo(s / (1 + s), 6);
    }
  });

  it('hg_tsvector_tf counts the positions of a lexeme exactly: all of them, and those of weight A', async () => {
    const { rows } = await inst.sql.query<{ n: number; m: number; all: number; a: number; truth: number | null }>(
      `SELECT n, m, hg_tsvector_tf(v, 'zq'::tsquery, '{1,1,1,1}') AS "all", hg_tsvector_tf(v, 'zq'::tsquery, '{0,0,0,1}') AS a,
              (SELECT cardinality(positions) FROM unnest(v) WHERE lexeme = 'zq') AS truth
       FROM (SELECT n, m, setweight(to_tsvector('simple', repeat('zq x ', m)), 'A') || setweight(to_tsvector('simple', repeat('zq y ', n)), 'B') AS v
             FROM generate_series(0, 300, 3) AS n, (VALUES (0), (1), (2), (5)) AS mm (m)) AS d`,
    );
    expect(rows.length).toBe(101 * 4);
    for (const row of rows) {
      expect(row.all, `n ${row.n}, m ${row.m}`).toBe(row.truth ?? 0);
      expect(row.a, `n ${row.n}, m ${row.m}`).toBe(row.m);
    }
    // PostgreSQL keeps at most 256 positions per lexeme.
    expect(Math.max(...rows.map((r) => r.all))).toBe(256);
  });

  it('a rare term outweighs a common one', async () => {
    const common = Array.from({ length: 8 }, (_, i) => create(`mellow report number ${i} about the quarterly figures`));
    await Promise.all(common);
    const rare = await create('the plinth report');
    const heavyCommon = await create('mellow mellow mellow report');
    const hits = (await text('plinth mellow')).map((h) => h.artifact.id);
    expect(hits[0]).toBe(rare.id);
    expect(hits[1]).toBe(heavyCommon.id);
  });

  it('length normalisation: the shorter document ranks first at equal term frequency', async () => {
    const long = await create(`ocelot ${'filler words about unrelated topics '.repeat(6)}`);
    const short = await create('ocelot notes');
    expect((await text('ocelot')).map((h) => h.artifact.id)).toEqual([short.id, long.id]);
  });

  it('identifiers are found whole and by their parts', async () => {
    const dotted = await create('Set http.server.keepAliveTimeout above the balancer idle timeout.', 'Node servers behind a balancer');
    const plain = await create('Our servers time out after a while.');
    for (const query of ['keepAliveTimeout', 'server.keepAliveTimeout', 'http.server.keepAliveTimeout', 'keep alive timeout']) {
      const ids = (await text(query)).map((h) => h.artifact.id);
      expect(ids[0], query).toBe(dotted.id);
    }
    for (const mode of ['HYBRID', 'TEXT'] as const) {
      const hits = await inst.services.search.search(alice, { query: 'keepAliveTimeout', mode, filter: {}, first: 5 });
      expect(hits.map((h) => h.artifact.id), mode).toContain(dotted.id);
      expect(hits.find((h) => h.artifact.id === dotted.id)?.textRank, mode).toBe(1);
    }
    expect((await text('server')).map((h) => h.artifact.id)).toEqual(expect.arrayContaining([dotted.id, plain.id]));
  });
});
