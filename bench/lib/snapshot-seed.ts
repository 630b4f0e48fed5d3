/**
 * The snapshot benchmark's dataset, bulk-seeded with set-based SQL (INSERT … SELECT …
 * generate_series) through the real migrations, on Postgres or PGlite:
 *
 * - one org, 10 users of every role, 4 groups with members, 2 collections;
 * - N artifacts: ~540-byte contents, small metadata, a tag, a codebase, visibility ORG 70 % /
 *   PUBLIC 10 % / GROUP 10 % (one share each) / PRIVATE 10 %, 3 % soft-deleted, 1 to 5
 *   revisions (mean 3) each with its own content, and a 384-dimension vector of the registered
 *   hashing model (the sum of two of 2 × 1,000 random base vectors: distinct, and cheap to make);
 * - 3 relationships per artifact (distinct from/to/type), N/100 runs (2 inputs, 1 output,
 *   3 steps), N/100 contributions, N/1000 context packages of 5 items.
 *
 * The HNSW index is dropped on the source: export never uses it.
 */
import pg from 'pg';
import { openEmbedder } from '../../src/embed/index.ts';
import { registerEmbeddingModel } from '../../src/services/index.ts';
import { dropEmbeddingIndex } from '../../src/store/repositories/embeddings.repo.ts';
import type { SqlClient } from '../../src/store/types.ts';

/** A database made for the benchmark on the Postgres server of `baseUrl`. */
export async function createBenchDatabase(baseUrl: string, name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Seeds the dataset into a migrated, empty database; `log` gets one line per step. */
export async function seedSnapshotDataset(sql: SqlClient, artifacts: number, log: (line: string) => void): Promise<void> {
  const step = async (what: string, text: string, params: unknown[] = []) => {
    const started = performance.now();
    const result = await sql.query(text, params);
    log(`seed: ${what}: ${result.rowCount} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  };
  const model = await registerEmbeddingModel(sql, await openEmbedder({ backend: 'hashing', dimension: 384 }));
  await dropEmbeddingIndex(sql);
  const org = (await sql.query<{ id: string }>(`INSERT INTO orgs (name) VALUES ('bench') RETURNING id`)).rows[0]!.id;
  await step(
    'users',
    `INSERT INTO users (org_id, handle, display_name, role)
     SELECT $1, 'user-' || u, 'User ' || u, (ARRAY['ADMIN','REVIEWER','MEMBER','MEMBER','MEMBER','MEMBER','MEMBER','AGENT','READER','MEMBER'])[u]
     FROM generate_series(1, 10) u ORDER BY u`,
    [org],
  );
  await step('groups', `INSERT INTO groups (org_id, name) SELECT $1, 'group-' || g FROM generate_series(1, 4) g ORDER BY g`, [org]);
  await step(
    'members',
    `INSERT INTO group_members (org_id, group_id, user_id, role)
     SELECT $1, g.id, u.id, CASE WHEN u.seq % 4 = 0 THEN 'ADMIN' ELSE 'MEMBER' END
     FROM groups g JOIN users u ON u.org_id = g.org_id AND (u.seq + g.seq) % 3 = 0 WHERE g.org_id = $1`,
    [org],
  );
  await step(
    'collections',
    `INSERT INTO collections (org_id, name, description, created_by)
     SELECT $1, 'collection-' || c, 'Bench collection ' || c, (SELECT id FROM users WHERE org_id = $1 ORDER BY seq LIMIT 1)
     FROM generate_series(1, 2) c ORDER BY c`,
    [org],
  );
  await sql.query(`CREATE TEMP TABLE bench_base (k int PRIMARY KEY, a vector(384), b vector(384))`);
  await step(
    'base vectors',
    `INSERT INTO bench_base SELECT k,
       (SELECT array_agg(random() - 0.5)::real[] FROM generate_series(1, 384) d WHERE k > 0 OR d > 0)::vector,
       (SELECT array_agg((random() - 0.5) / 4)::real[] FROM generate_series(1, 384) d WHERE k > 0 OR d > 0)::vector
     FROM generate_series(0, 999) k`,
  );
  const chunk = 10_000;
  for (let from = 1; from <= artifacts; from += chunk) {
    const to = Math.min(artifacts, from + chunk - 1);
    await step(
      `artifacts ${from}–${to}`,
      `WITH u AS (SELECT array_agg(id ORDER BY seq) AS ids FROM users WHERE org_id = $1),
            c AS (SELECT array_agg(id ORDER BY seq) AS ids FROM collections WHERE org_id = $1)
       INSERT INTO artifacts (org_id, owner_id, collection_id, name, kind, title, content, content_digest, size_bytes, metadata, tags,
         codebase, visibility, revision, source_agent_id, session_id, created_at, updated_at, deleted_at, embedding, embedding_model_id)
       SELECT $1, u.ids[1 + i % 7], CASE WHEN i % 10 = 0 THEN c.ids[1 + i % 2] END, CASE WHEN i % 10 = 0 THEN 'doc-' || i END,
         (ARRAY['note','fact','decision','document'])[1 + i % 4], 'Artifact ' || i, x.content,
         'sha256:' || encode(sha256(convert_to(x.content, 'UTF8')), 'hex'), octet_length(x.content),
         json_build_object('n', i, 'team', 'team-' || (i % 7), 'reviewed', i % 2 = 0), ARRAY['tag-' || (i % 10)], 'repo-' || (i % 5),
         CASE WHEN i % 10 < 7 THEN 'ORG' WHEN i % 10 = 7 THEN 'PUBLIC' WHEN i % 10 = 8 THEN 'GROUP' ELSE 'PRIVATE' END,
         1 + i % 5, CASE WHEN i % 50 = 0 THEN gen_random_uuid() END, CASE WHEN i % 20 = 0 THEN 'session-' || (i % 97) END,
         now() - (($2 - i) * interval '1 second'), now() - (($2 - i) * interval '1 second') + (i % 5) * interval '1 minute',
         CASE WHEN i % 33 = 0 THEN now() END, ba.a + bb.b, $3
       FROM generate_series($4::int, $5::int) i
       CROSS JOIN u CROSS JOIN c
       CROSS JOIN LATERAL (SELECT repeat(md5(i::text) || ' ', 16) || 'artifact ' || i AS content) x
       JOIN bench_base ba ON ba.k = i % 1000
       JOIN bench_base bb ON bb.k = (i / 1000) % 1000
       ORDER BY i`,
      [org, artifacts, model.id, from, to],
    );
  }
  await step(
    'revisions',
    `INSERT INTO artifact_revisions (org_id, artifact_id, revision, change, content_digest, previous_digest, name, title, content,
       metadata, tags, codebase, changed_by, changed_at)
     SELECT a.org_id, a.id, r, CASE WHEN r = 1 THEN 'CREATED' WHEN a.deleted_at IS NOT NULL AND r = a.revision THEN 'DELETED' ELSE 'UPDATED' END,
       CASE WHEN r = a.revision THEN a.content_digest ELSE 'sha256:' || encode(sha256(convert_to(a.content || r, 'UTF8')), 'hex') END,
       CASE WHEN r > 1 THEN 'sha256:' || encode(sha256(convert_to(a.content || (r - 1), 'UTF8')), 'hex') END,
       a.name, a.title, CASE WHEN r = a.revision THEN a.content ELSE a.content || r END, a.metadata, a.tags, a.codebase, a.owner_id,
       a.created_at + (r - 1) * interval '1 minute'
     FROM artifacts a CROSS JOIN LATERAL generate_series(1, a.revision) r WHERE a.org_id = $1`,
    [org],
  );
  await step(
    'shares',
    `INSERT INTO artifact_shares (org_id, artifact_id, group_id)
     SELECT a.org_id, a.id, g.ids[1 + a.seq % 4] FROM artifacts a, (SELECT array_agg(id ORDER BY seq) AS ids FROM groups WHERE org_id = $1) g
     WHERE a.org_id = $1 AND a.visibility = 'GROUP'`,
    [org],
  );
  await step(
    'relationships',
    `INSERT INTO relationships (org_id, from_id, to_id, type, properties, created_by, created_at)
     SELECT f.org_id, f.id, t.id, (ARRAY['RELATES_TO','DEPENDS_ON','MENTIONS'])[j], json_build_object('w', j), f.owner_id, f.created_at
     FROM artifacts f CROSS JOIN generate_series(1, 3) j
     JOIN artifacts t ON t.org_id = f.org_id AND t.seq = 1 + ((f.seq * 7919 + j * 104729) % $2)
     WHERE f.org_id = $1 AND t.id <> f.id
     ORDER BY f.seq, j
     ON CONFLICT DO NOTHING`,
    [org, artifacts],
  );
  const runs = Math.max(1, Math.floor(artifacts / 100));
  await step(
    'runs',
    `INSERT INTO runs (org_id, name, status, manifest, diagnostics, created_by, started_at, finished_at)
     SELECT $1, 'run-' || r, 'SUCCEEDED', json_build_object('model', 'm-' || (r % 3), 'steps', 3), json_build_object('tokens', r * 17),
       (SELECT id FROM users WHERE org_id = $1 ORDER BY seq LIMIT 1 OFFSET r % 7), now(), now()
     FROM generate_series(1, $2) r ORDER BY r`,
    [org, runs],
  );
  await step(
    'run steps',
    `INSERT INTO run_steps (org_id, run_id, position, name, status, detail, started_at, finished_at)
     SELECT r.org_id, r.id, p, 'step-' || p, 'SUCCEEDED', json_build_object('p', p), now(), now() FROM runs r CROSS JOIN generate_series(1, 3) p`,
  );
  await step(
    'run artifacts',
    `INSERT INTO run_artifacts (org_id, run_id, role, position, artifact_id)
     SELECT r.org_id, r.id, x.role, x.position, a.id FROM runs r
     CROSS JOIN (VALUES ('INPUT', 1, 0), ('INPUT', 2, 1), ('OUTPUT', 1, 2)) AS x(role, position, k)
     JOIN artifacts a ON a.org_id = r.org_id AND a.seq = 1 + ((r.seq * 3 + x.k) % $1)`,
    [artifacts],
  );
  await step(
    'contributions',
    `INSERT INTO contributions (org_id, contributor_id, status, kind, title, content, content_digest, metadata, tags, visibility,
       injection_score, flags, reviewer_id, review_note, reviewed_at)
     SELECT $1, (SELECT id FROM users WHERE org_id = $1 AND role = 'AGENT' LIMIT 1), CASE WHEN c % 3 = 0 THEN 'PENDING' ELSE 'REJECTED' END,
       'note', 'Contribution ' || c, 'Contributed text ' || c, 'sha256:' || encode(sha256(convert_to('Contributed text ' || c, 'UTF8')), 'hex'),
       '{}', ARRAY['inbox'], 'ORG', (c % 10) / 10.0, '{}',
       CASE WHEN c % 3 = 0 THEN NULL ELSE (SELECT id FROM users WHERE org_id = $1 AND role = 'REVIEWER' LIMIT 1) END,
       CASE WHEN c % 3 = 0 THEN NULL ELSE 'no' END, CASE WHEN c % 3 = 0 THEN NULL ELSE now() END
     FROM generate_series(1, $2) c ORDER BY c`,
    [org, runs],
  );
  const packages = Math.max(1, Math.floor(artifacts / 1000));
  await step(
    'context packages',
    `INSERT INTO context_packages (org_id, name, version, description, created_by)
     SELECT $1, 'package-' || p, 1, 'Bench package', (SELECT id FROM users WHERE org_id = $1 ORDER BY seq LIMIT 1) FROM generate_series(1, $2) p ORDER BY p`,
    [org, packages],
  );
  await step(
    'context package items',
    `INSERT INTO context_package_items (org_id, package_id, position, kind, artifact_id, memory_uri, memory_source)
     SELECT p.org_id, p.id, i, CASE WHEN i < 5 THEN 'ARTIFACT' ELSE 'MEMORY' END,
       CASE WHEN i < 5 THEN (SELECT id FROM artifacts WHERE org_id = p.org_id AND seq = 1 + ((p.seq * 11 + i) % $1)) END,
       CASE WHEN i = 5 THEN 'mem://bench/' || p.seq END, CASE WHEN i = 5 THEN 'bench' END
     FROM context_packages p CROSS JOIN generate_series(1, 5) i`,
    [artifacts],
  );
  await sql.query('ANALYZE');
}
