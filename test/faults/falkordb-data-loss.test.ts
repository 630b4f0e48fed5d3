/**
 * A FalkorDB that comes back EMPTY (its data lost, e.g. no persistence) must not answer
 * traversal from the empty graph: the projector notices the missing epoch marker after the
 * reconnect, rebuilds the org's graph from SQL, and traversal is right again — in between it
 * answers SERVICE_UNAVAILABLE, never an empty (wrong) neighbourhood.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ok } from '../support/actors.ts';
import { backends, describeIfAvailable, uniqueSuffix } from '../support/backends.ts';
import { startFalkorProcess, type FalkorProcess } from '../support/falkordb-process.ts';
import { ADMIN_KEY, gql, startTestServer, type TestServer } from '../support/server.ts';

const serverPath = process.env['HIVEGRAPH_FALKORDB_SERVER'];
const modulePath = process.env['HIVEGRAPH_FALKORDB_MODULE'];
const selection = backends();
const unavailable = !selection.databaseUrl || !selection.falkordbUrl
  ? `needs server backends (Postgres and FalkorDB); ${selection.reason ?? 'DATABASE_URL/FALKORDB_URL not set'}`
  : !serverPath || !modulePath
    ? 'HIVEGRAPH_FALKORDB_SERVER / HIVEGRAPH_FALKORDB_MODULE are not set: export them from `bash scripts/services.sh falkordb-paths`'
    : undefined;

const NEIGHBORS = 'query ($id: ID!) { artifact(id: $id) { neighbors(depth: 2) { name } } }';

describeIfAvailable('FalkorDB that loses its data (server mode)', unavailable, () => {
  let falkor: FalkorProcess;
  let server: TestServer;
  const ids: string[] = [];

  beforeAll(async () => {
    falkor = await startFalkorProcess({ serverPath: serverPath!, modulePath: modulePath! });
    server = await startTestServer({ FALKORDB_URL: falkor.url, HIVEGRAPH_GRAPH_PREFIX: `hgloss_${uniqueSuffix()}` });
    for (const name of ['a', 'b', 'c']) {
      const data = await ok<{ createArtifact: { id: string } }>(server, ADMIN_KEY, 'mutation ($n: String!) { createArtifact(input: {kind: "fact", name: $n, content: $n, visibility: ORG}) { id } }', { n: name });
      ids.push(data.createArtifact.id);
    }
    for (const [from, to] of [[0, 1], [1, 2]] as const) {
      await ok(server, ADMIN_KEY, 'mutation ($f: ID!, $t: ID!) { relate(input: {fromId: $f, toId: $t, type: "NEXT"}) { id } }', { f: ids[from], t: ids[to] });
    }
    await server.services.projector.drain();
    await server.services.projector.verify();
  });
  afterAll(async () => {
    await server?.stop();
    await falkor?.dispose();
  });

  it('rebuilds the lost graph from SQL and never serves the empty one', { timeout: 60_000 }, async () => {
    const before = await gql<{ artifact: { neighbors: { name: string }[] } }>(server, NEIGHBORS, { key: ADMIN_KEY, variables: { id: ids[0] } });
    expect(before.body.data?.artifact.neighbors.map((n) => n.name)).toEqual(['b', 'c']);

    await falkor.kill('SIGKILL');
    await rm(path.join(falkor.dir, 'appendonlydir'), { recursive: true, force: true }); // the data is gone
    await falkor.start();

    // Until the projector has verified (and rebuilt) the graph, answers are errors, never [].
    const seen = new Set<string>();
    const deadline = Date.now() + 30_000;
    let names: string[] | undefined;
    while (Date.now() < deadline) {
      const res = await gql<{ artifact: { neighbors: { name: string }[] } | null }>(server, NEIGHBORS, { key: ADMIN_KEY, variables: { id: ids[0] } });
      const code = res.body.errors?.[0]?.extensions?.['code'];
      if (code) {
        seen.add(String(code));
      } else {
        names = res.body.data?.artifact?.neighbors.map((n) => n.name);
        expect(names, 'a traversal answered from a graph that had lost its data').toEqual(['b', 'c']);
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(names).toEqual(['b', 'c']);
    for (const code of seen) expect(code).toBe('SERVICE_UNAVAILABLE');
    expect(server.logs.join('\n')).toMatch(/lost its data: rebuilding it from SQL/);
    const { rows } = await server.sql.query<{ n: number }>('SELECT count(*) AS n FROM graph_epochs');
    expect(rows[0]!.n).toBeGreaterThan(0);
  });
});
