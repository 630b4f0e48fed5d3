/**
 * Importing into an installation that is not empty: `--on-conflict fail` (the default) stops at
 * the first id or unique key the target already has, naming its line, and imports nothing;
 * `--on-conflict skip` keeps the target's rows, adds the rest, and leaves out what depends on a
 * record it could not add.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBootstrap } from '../../src/services/index.ts';
import { seed, type Seeded } from './seed.ts';
import { countRows, exportText, importText, openInstallation, runDeployment, viewerOf, type Installation } from './support.ts';

const deployment = runDeployment();
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe(`importing into a non-empty installation (${deployment})`, { timeout: 120_000 }, () => {
  let source: Installation;
  let seeded: Seeded;
  let text: string;
  let counts: Record<string, number>;
  const opened: Installation[] = [];
  const open = async () => {
    const inst = await openInstallation(deployment);
    opened.push(inst);
    return inst;
  };

  beforeAll(async () => {
    source = await openInstallation(deployment);
    seeded = await seed(source);
    text = await exportText(source);
    counts = (JSON.parse(text.trimEnd().split('\n').at(-1)!) as { counts: Record<string, number> }).counts;
  });

  afterAll(async () => {
    for (const inst of opened) await inst.close();
    await source?.close();
  });

  it('fail (the default): the same file twice stops at the first org, names its line, and imports nothing', async () => {
    const target = await open();
    await importText(target, text);
    const before = await countRows(target.sql);
    const error = await importText(target, text).catch((e: unknown) => e);
    const orgLine = text.split('\n').findIndex((l) => l.startsWith('{"type":"org"')) + 1;
    expect(error).toMatchObject({ line: orgLine });
    expect((error as Error).message).toMatch(new RegExp(`^line ${orgLine}: org \\S+ already exists in the target`));
    expect(await countRows(target.sql)).toEqual(before);
  });

  it('skip: the same file twice writes nothing the second time and counts every record as skipped', async () => {
    const target = await open();
    await importText(target, text);
    const before = await countRows(target.sql);
    const outcome = await importText(target, text, { onConflict: 'skip' });
    expect(total(outcome.written)).toBe(0);
    expect(outcome.skipped).toEqual(counts);
    expect(await countRows(target.sql)).toEqual(before);
  });

  it('skip: a newer snapshot adds only what is new; an artifact the target has keeps its own history', async () => {
    const target = await open();
    await importText(target, text);
    // The source moves on: one new artifact related to an old one, and an edit of an old one.
    const asAlice = viewerOf(seeded.alice);
    const added = await source.services.artifacts.create(asAlice, { kind: 'note', title: 'New since', content: 'Added after the first snapshot.', visibility: 'ORG' });
    await source.services.graph.relate(asAlice, { fromId: added.id, toId: seeded.artifacts['org']!.id, type: 'RELATES_TO' });
    await source.services.artifacts.update(asAlice, seeded.artifacts['private']!.id, { content: 'Edited after the first snapshot.' });
    const newer = await exportText(source);
    const outcome = await importText(target, newer, { onConflict: 'skip' });
    expect(outcome.written).toMatchObject({ artifact: 1, revision: 1, relationship: 1, org: 0, user: 0 });
    expect(total(outcome.written)).toBe(3);
    // The edited artifact is the target's: its fourth revision (from the newer file) is not added.
    expect(outcome.skipped['revision']).toBe(counts['revision']! + 1);
    const { rows } = await target.sql.query<{ revision: number; n: number }>(
      `SELECT a.revision, (SELECT count(*) FROM artifact_revisions r WHERE r.artifact_id = a.id) AS n FROM artifacts a WHERE a.id = $1`,
      [seeded.artifacts['private']!.id],
    );
    expect(rows[0]).toEqual({ revision: 3, n: 3 });
    const neighbors = await target.services.graph.neighbors(asAlice, [added], { direction: 'OUT', depth: 1, first: 10 });
    expect(neighbors[0]).toEqual([seeded.artifacts['org']!.id]);
  });

  it('a re-projection failing after the commit keeps the import, says so, and leaves the graphs to be rebuilt', async () => {
    const target = await open();
    const failing = { resync: () => Promise.reject(new Error('FalkorDB is unavailable.')) };
    const outcome = await importText(target, text, { projector: failing });
    expect(outcome.reprojectionError).toBe('FalkorDB is unavailable.');
    expect(outcome.written).toEqual(counts);
    // No epoch for the imported orgs: a server with FalkorDB rebuilds their graphs when it verifies.
    const { rows } = await target.sql.query<{ n: number }>('SELECT count(*) AS n FROM graph_epochs');
    expect(rows[0]!.n).toBe(0);
    if (target.graph.projected) {
      expect((await target.services.projector.verify()).sort()).toEqual(['acme', 'default']);
      const { rows: sizes } = await target.sql.query<{ nodes: number; edges: number }>(
        `SELECT (SELECT count(*) FROM artifacts WHERE org_id = $1) AS nodes, (SELECT count(*) FROM relationships WHERE org_id = $1) AS edges`,
        [seeded.alice.orgId],
      );
      expect(await target.graph.size(seeded.alice.orgId)).toEqual(sizes[0]);
    }
  });

  it('skip: an org whose name the target already has (another id) is left out with everything in it', async () => {
    const target = await open();
    // A server start made its own `default` org and admin.
    await ensureBootstrap(target.sql, { bootstrapAdminKey: 'another-bootstrap-key-0123456789' });
    const failed = await importText(target, text).catch((e: unknown) => e);
    expect((failed as Error).message).toMatch(/^line \d+: org \S+: the target already has an org named "default"/);

    const outcome = await importText(target, text, { onConflict: 'skip' });
    // Only acme and what is in it came in.
    expect(outcome.written).toMatchObject({ org: 1, user: 1, artifact: 2, relationship: 1, revision: 2 });
    expect(outcome.skipped['org']).toBe(1);
    expect(outcome.skipped['artifact']).toBe(counts['artifact']! - 2);
    expect(total(outcome.written) + total(outcome.skipped)).toBe(total(counts));
    const { rows } = await target.sql.query<{ name: string; artifacts: number }>(
      `SELECT o.name, (SELECT count(*) FROM artifacts a WHERE a.org_id = o.id) AS artifacts FROM orgs o ORDER BY o.name`,
    );
    expect(rows).toEqual([
      { name: 'acme', artifacts: 2 },
      { name: 'default', artifacts: 0 },
    ]);
    const acme = await target.services.graph.neighbors(viewerOf(seeded.acmeAdmin), [seeded.acmeArtifact], { direction: 'OUT', depth: 1, first: 10 });
    expect(acme[0]).toHaveLength(1);
  });
});
