/**
 * The plan of the search statement on each SQL backend, on 1,200 artifacts shared with a
 * group: the visibility check must stay a per-row probe (no "hashed SubPlan" that hashes every
 * share the viewer can reach before the LIMIT — 42 of 43 ms per search at 100k artifacts, see
 * docs/benchmarks.md "Search"), and the vector leg must use the HNSW index.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openEmbedder } from '../../src/embed/index.ts';
import { registerEmbeddingModel } from '../../src/services/index.ts';
import { migrate } from '../../src/store/open.ts';
import { searchArtifacts, type SearchLegs } from '../../src/store/repositories/search.repo.ts';
import type { Queryable, SqlClient } from '../../src/store/types.ts';
import { describeIfAvailable, sqlBackends } from '../support/backends.ts';

/** A Queryable that EXPLAINs each statement instead of running it, keeping the plans. */
function explaining(client: SqlClient, plans: string[]): Queryable {
  return {
    async query(text, params) {
      const { rows } = await client.query<Record<string, string>>(`EXPLAIN ${text}`, params);
      plans.push(rows.map((r) => Object.values(r)[0]).join('\n'));
      return { rows: [], rowCount: 0 };
    },
    transaction: (fn) => client.transaction(fn),
  };
}

for (const backend of sqlBackends()) {
  describeIfAvailable(`search plan (${backend.name})`, backend.unavailable, () => {
    let client: SqlClient;
    let close: () => Promise<void>;
    const ids = { org: '', user: '', group: '' };

    beforeAll(async () => {
      ({ client, close } = await backend.open({ sessionSettings: { 'hnsw.iterative_scan': 'relaxed_order', 'hnsw.ef_search': '100' } }));
      await migrate(client);
      const embedder = await openEmbedder({ backend: 'hashing' });
      const model = await registerEmbeddingModel(client, embedder);
      const [vector] = await embedder.embed(['seed text']);
      const literal = `[${Array.from(vector!).join(',')}]`;
      const { rows } = await client.query<{ org: string; usr: string; grp: string }>(
        `WITH o AS (INSERT INTO orgs (name) VALUES ('plan') RETURNING id),
         u AS (INSERT INTO users (org_id, handle, role) SELECT id, 'viewer', 'MEMBER' FROM o RETURNING id, org_id),
         g AS (INSERT INTO groups (org_id, name) SELECT id, 'team' FROM o RETURNING id, org_id),
         m AS (INSERT INTO group_members (org_id, group_id, user_id, role) SELECT g.org_id, g.id, u.id, 'MEMBER' FROM g, u RETURNING 1)
         SELECT o.id AS org, u.id AS usr, g.id AS grp FROM o, u, g, (SELECT count(*) FROM m) AS done`,
      );
      ids.org = rows[0]!.org;
      ids.user = rows[0]!.usr;
      ids.group = rows[0]!.grp;
      await client.query(
        `INSERT INTO artifacts (org_id, owner_id, kind, title, content, content_digest, size_bytes, visibility, embedding, embedding_model_id)
         SELECT $1, $2, 'note', 'note ' || i, 'content number ' || i, 'sha256:' || encode(sha256(i::text::bytea), 'hex'), 10, 'GROUP', $3::vector, $4
         FROM generate_series(1, 1200) AS i`,
        [ids.org, ids.user, literal, model.id],
      );
      await client.query(`INSERT INTO artifact_shares (org_id, artifact_id, group_id) SELECT org_id, id, $1 FROM artifacts WHERE org_id = $2`, [ids.group, ids.org]);
      await client.query('ANALYZE');
      await embedder.close();
    }, 120_000);

    afterAll(async () => {
      await close?.();
    });

    for (const mode of ['HYBRID', 'VECTOR', 'TEXT'] as SearchLegs[]) {
      it(`${mode}: the visibility check is a per-row probe, never a hashed subplan`, async () => {
        const plans: string[] = [];
        const vector = new Float32Array(384).fill(1 / Math.sqrt(384));
        await searchArtifacts(explaining(client, plans), { orgId: ids.org, userId: ids.user, role: 'MEMBER' }, {
          mode,
          text: 'content',
          vector,
          filter: {},
          first: 10,
          candidates: 100,
          rrfK: 60,
        });
        expect(plans).toHaveLength(1);
        expect(plans[0]).not.toMatch(/hashed SubPlan/i);
        if (mode !== 'TEXT') expect(plans[0]).toMatch(/artifacts_embedding_hnsw_idx/);
      });
    }
  });
}
