/**
 * Export → import into a fresh installation → export again gives the same records, on the
 * run's deployment (embedded: PGlite + embedded graph store; server mode: Postgres + FalkorDB),
 * and what was imported works: list order, traversal (FalkorDB re-projected), search with the
 * restored vectors. In server mode also the documented move from the embedded default.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeIfAvailable } from '../support/backends.ts';
import { seed, type Seeded } from './seed.ts';
import { comparableLines, countRows, exportText, importText, openInstallation, runDeployment, viewerOf, type Installation } from './support.ts';

const deployment = runDeployment();

describe(`snapshot round trip (${deployment})`, { timeout: 120_000 }, () => {
  let source: Installation;
  let target: Installation;
  let seeded: Seeded;
  let first: string;

  beforeAll(async () => {
    source = await openInstallation(deployment);
    seeded = await seed(source);
    first = await exportText(source);
    // Fresh: migrated, never started, no embedding model registered yet.
    target = await openInstallation(deployment, { embedder: false });
  });

  afterAll(async () => {
    await target?.close();
    await source?.close();
  });

  it('writes a versioned header, every record type, and an end record with the counts', () => {
    const lines = first.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(lines[0]).toMatchObject({ format: 'hivegraph-snapshot', version: 2, source: { backend: source.sql.backend, schema: expect.stringMatching(/^\d{4}$/) } });
    expect(lines[1]).toMatchObject({ type: 'embeddingModel', backend: 'hashing', dimension: 384, digest: expect.stringMatching(/^sha256:/) });
    const end = lines.at(-1)!;
    expect(end['type']).toBe('end');
    const types = new Set(lines.slice(2, -1).map((l) => l['type']));
    for (const type of Object.keys(end['counts'])) expect(types, type).toContain(type);
    for (const [type, n] of Object.entries(end['counts'] as Record<string, number>)) {
      expect(lines.filter((l) => l['type'] === type).length, type).toBe(n);
    }
    // Never credentials: no key hashes, prefixes or the bootstrap key.
    expect(first).not.toMatch(/key_hash|keyHash|snapshot-test-admin-key|"prefix"/);
    // json columns as their exact stored text.
    expect(first).toContain(JSON.stringify('{"b": 1,  "a": {"y": [true, null], "x": 2.50}}'));
    expect(first).toContain(JSON.stringify('{"model": "x",  "steps": 2}'));
  });

  it('imports everything into a fresh installation, and exporting it again gives the same records', async () => {
    const before = await countRows(source.sql);
    const outcome = await importText(target, first);
    const end = JSON.parse(first.trimEnd().split('\n').at(-1)!) as { counts: Record<string, number> };
    expect(outcome.written).toEqual(end.counts);
    expect(Object.values(outcome.skipped).every((n) => n === 0)).toBe(true);
    expect(outcome.vectorPlan.action).toBe('adopted');
    expect(outcome.vectors).toBe(before['vectors']);
    if (deployment === 'server') expect(outcome.reprojected).toEqual({ nodes: before['artifacts'], edges: before['relationships'] });

    const second = await exportText(target);
    expect(comparableLines(second)).toEqual(comparableLines(first));

    const after = await countRows(target.sql);
    // Same rows everywhere, except what a snapshot never carries.
    expect({ ...after, api_keys: 0, events: 0, graph_epochs: 0 }).toEqual({ ...before, api_keys: 0, events: 0, graph_epochs: 0 });
    expect(after['api_keys']).toBe(0);
    expect(after['events']).toBe(0);
  });

  it('keeps every list in its source order (insertion order is preserved)', async () => {
    await target.withEmbedder();
    for (const who of [seeded.admin, seeded.alice, seeded.bob]) {
      const list = async (inst: Installation) =>
        (await inst.services.artifacts.list(viewerOf(who), { includeDeleted: true }, { first: 100 })).items.map((a) => [a.id, a.revision, a.createdAt.toISOString()]);
      expect(await list(target)).toEqual(await list(source));
    }
    const revisions = async (inst: Installation) => inst.services.artifacts.revisions([seeded.artifacts['private']!.id], { first: 10 });
    expect(JSON.stringify(await revisions(target))).toBe(JSON.stringify(await revisions(source)));
  });

  it('traverses the imported graph like the source (re-projected into FalkorDB in server mode)', async () => {
    const { artifacts, alice, bob, acmeArtifact, acmeAdmin } = seeded;
    for (const who of [alice, bob]) {
      const roots = [artifacts['private']!, artifacts['org']!, artifacts['public']!];
      const neighbors = (inst: Installation) => inst.services.graph.neighbors(viewerOf(who), roots, { direction: 'BOTH', depth: 3, first: 50 });
      expect(await neighbors(target)).toEqual(await neighbors(source));
      const path = (inst: Installation) => inst.services.graph.shortestPath(viewerOf(who), artifacts['org']!.id, artifacts['public']!.id, { maxDepth: 6 });
      expect(await path(target)).toEqual(await path(source));
    }
    const acme = (inst: Installation) => inst.services.graph.neighbors(viewerOf(acmeAdmin), [acmeArtifact], { direction: 'OUT', depth: 1, first: 10 });
    expect((await acme(target))[0]).toHaveLength(1);
    if (deployment === 'server') {
      for (const orgId of [alice.orgId, acmeAdmin.orgId]) expect(await target.graph.size(orgId)).toEqual(await source.graph.size(orgId));
    }
  });

  it('searches with the restored vectors: same hits and scores, nothing re-embedded', async () => {
    const { rows } = await target.sql.query<{ n: number }>(`SELECT count(*) AS n FROM artifacts WHERE embedding IS NULL`);
    expect(rows[0]!.n).toBe(0);
    for (const mode of ['VECTOR', 'TEXT', 'HYBRID'] as const) {
      const search = (inst: Installation) =>
        inst.services.search.search(viewerOf(seeded.alice), { query: 'FalkorDB graph', mode, filter: {}, first: 10 });
      const hits = (await search(target)).map((h) => [h.artifact.id, h.score]);
      expect(hits.length, mode).toBeGreaterThan(0);
      expect(hits, mode).toEqual((await search(source)).map((h) => [h.artifact.id, h.score]));
    }
  });
});

describeIfAvailable(
  'moving from the embedded default to server mode (PGlite → Postgres + FalkorDB)',
  runDeployment() === 'server' ? undefined : 'needs Postgres and FalkorDB (server-mode run)',
  () => {
    it('exports from PGlite, imports into Postgres + FalkorDB, and exports the same records again', async () => {
      const embedded = await openInstallation('embedded');
      const server = await openInstallation('server', { embedder: false });
      try {
        const seeded = await seed(embedded);
        const text = await exportText(embedded);
        const outcome = await importText(server, text);
        expect(outcome.reprojected?.edges).toBeGreaterThan(0);
        const again = await exportText(server);
        const strip = (t: string) => comparableLines(t).slice(1);
        expect(strip(again)).toEqual(strip(text));
        expect(JSON.parse(again.split('\n')[0]!).source.backend).toBe('postgres');
        await server.withEmbedder();
        const roots = [seeded.artifacts['private']!];
        const viewer = viewerOf(seeded.alice);
        expect(await server.services.graph.neighbors(viewer, roots, { direction: 'BOTH', depth: 2, first: 50 })).toEqual(
          await embedded.services.graph.neighbors(viewer, roots, { direction: 'BOTH', depth: 2, first: 50 }),
        );
      } finally {
        await server.close();
        await embedded.close();
      }
    }, 120_000);
  },
);
