/**
 * A small but complete installation to snapshot: two orgs; users of every role; groups with
 * members; a collection; artifacts with several revisions (updated, deleted, deleted and
 * restored), every visibility and group shares, odd metadata text; relationships (one removed
 * again); contributions (pending, approved into an artifact, rejected), an auto-approve
 * rule, a sharing rule and a default visibility (artifacts decided by each) — all through the
 * real services — plus runs with inputs, outputs and steps, artifacts
 * produced by a run, and two versions of a context package, written with SQL (as the runs
 * service would).
 */
import { ensureBootstrap } from '../../src/services/index.ts';
import type { ArtifactRecord, UserRecord } from '../../src/store/records.ts';
import { viewerOf, type Installation } from './support.ts';

/** What the tests look at after a round trip. */
export interface Seeded {
  admin: UserRecord;
  alice: UserRecord;
  bob: UserRecord;
  /** Artifacts of `default`, by name. */
  artifacts: Record<string, ArtifactRecord>;
  /** The admin of the second org and one of its artifacts. */
  acmeAdmin: UserRecord;
  acmeArtifact: ArtifactRecord;
}

const user = async (sql: Installation['sql'], orgId: string, handle: string): Promise<UserRecord> => {
  const { rows } = await sql.query<UserRecord>(
    `SELECT id, org_id AS "orgId", handle, display_name AS "displayName", role, created_at AS "createdAt" FROM users WHERE org_id = $1 AND handle = $2`,
    [orgId, handle],
  );
  return rows[0]!;
};

/** Fills `inst` (fresh, with an embedder) and returns handles on what it made. */
export async function seed(inst: Installation): Promise<Seeded> {
  const { services, sql } = inst;
  await ensureBootstrap(sql, { bootstrapAdminKey: 'snapshot-test-admin-key-0123456789' });
  const { rows: orgs } = await sql.query<{ id: string }>(`SELECT id FROM orgs WHERE name = 'default'`);
  const admin = await user(sql, orgs[0]!.id, 'admin');
  const asAdmin = viewerOf(admin);
  const alice = await services.users.create(asAdmin, { handle: 'alice', displayName: 'Alice Ängström', role: 'MEMBER' });
  const bob = await services.users.create(asAdmin, { handle: 'bob', role: 'MEMBER' });
  const rita = await services.users.create(asAdmin, { handle: 'rita', displayName: 'Rita (review)', role: 'REVIEWER' });
  const agent = await services.users.create(asAdmin, { handle: 'agent.7', role: 'AGENT' });
  await services.users.create(asAdmin, { handle: 'reader', role: 'READER' });
  const asAlice = viewerOf(alice);
  const asBob = viewerOf(bob);

  const eng = await services.groups.create(asAlice, 'engineering');
  const ops = await services.groups.create(asAdmin, 'ops');
  await services.groups.addMember(asAlice, eng.id, bob.id, 'MEMBER');
  await services.groups.addMember(asAdmin, ops.id, rita.id, 'ADMIN');
  const handbook = await services.collections.create(asAlice, { name: 'handbook', description: 'How we work' });

  const a = services.artifacts;
  const artifacts: Record<string, ArtifactRecord> = {};
  artifacts['private'] = await a.create(asAlice, {
    name: 'private-note',
    kind: 'note',
    title: 'Private note',
    content: 'Only Alice reads this.\nSecond line, with "quotes" and a tab\t.',
    metadata: { z: 1, a: [1, 2, { b: null }], 'ü-key': 'ßtraße', emoji: '🐝' },
    tags: ['private', 'draft'],
    codebase: 'hivegraph',
  });
  artifacts['private'] = await a.update(asAlice, artifacts['private'].id, { content: 'Only Alice reads this, revised.', tags: ['private'] });
  artifacts['private'] = await a.update(asAlice, artifacts['private'].id, { title: 'Private note (final)', metadata: { final: true } });
  artifacts['group'] = await a.create(asAlice, {
    name: 'deploy-runbook',
    kind: 'runbook',
    title: 'Deploying the graph service',
    content: 'Run the migrations, then restart the API instances one by one.',
    visibility: 'GROUP',
    sharedWithGroupIds: [eng.id, ops.id],
  });
  artifacts['org'] = await a.create(asBob, { kind: 'decision', title: 'Use FalkorDB for traversal', content: 'Decided: FalkorDB serves traversal; Postgres stays the record.', visibility: 'ORG' });
  artifacts['public'] = await a.create(asAlice, {
    name: 'welcome',
    kind: 'document',
    title: 'Welcome to the handbook',
    content: 'Everything about onboarding new engineers.',
    visibility: 'PUBLIC',
    collectionId: handbook.id,
  });
  artifacts['deleted'] = await a.create(asAlice, { kind: 'note', content: 'Soon gone.', visibility: 'ORG' });
  artifacts['deleted'] = await a.delete(asAlice, artifacts['deleted'].id);
  artifacts['restored'] = await a.create(asBob, { kind: 'fact', title: 'Restored fact', content: 'The graph survives a FalkorDB outage.', visibility: 'ORG' });
  await a.delete(asBob, artifacts['restored'].id);
  artifacts['restored'] = await a.restore(asBob, artifacts['restored'].id);
  artifacts['shared-later'] = await a.create(asBob, { kind: 'note', content: 'Shared after the fact.' });
  artifacts['shared-later'] = await a.share(asBob, artifacts['shared-later'].id, 'GROUP', [eng.id]);
  // The visibility chain (format version 2): a default, a rule, an artifact decided by each.
  await services.users.updateMe(asBob, { defaultVisibility: 'ORG' });
  await services.sharingRules.set(asAlice, { codebase: 'hivegraph', tag: 'ruled', visibility: 'GROUP', groupIds: [eng.id], priority: 3 });
  artifacts['by-rule'] = await a.create(asAlice, { kind: 'note', content: 'Shared by a rule.', codebase: 'hivegraph', tags: ['ruled'] });
  artifacts['by-default'] = await a.create(asBob, { kind: 'note', content: 'Shared by a default.' });
  // Metadata text exactly as a client once stored it: spacing and key order must survive.
  await sql.query(`UPDATE artifacts SET metadata = $2::json WHERE id = $1`, [artifacts['group'].id, '{"b": 1,  "a": {"y": [true, null], "x": 2.50}}']);

  const g = services.graph;
  await g.relate(asAlice, { fromId: artifacts['private'].id, toId: artifacts['group'].id, type: 'DEPENDS_ON', properties: { weight: 0.5, why: 'needs it' } });
  await g.relate(asAlice, { fromId: artifacts['group'].id, toId: artifacts['org'].id, type: 'RELATES_TO' });
  await g.relate(asBob, { fromId: artifacts['org'].id, toId: artifacts['restored'].id, type: 'SUPPORTS' });
  await g.relate(asBob, { fromId: artifacts['restored'].id, toId: artifacts['public'].id, type: 'RELATES_TO' });
  const removed = await g.relate(asAlice, { fromId: artifacts['public'].id, toId: artifacts['org'].id, type: 'MENTIONS' });
  await g.unrelate(asAlice, removed.id);

  const asAgent = viewerOf(agent);
  const asRita = viewerOf(rita);
  await services.contributions.setAutoApproveRule(asAdmin, 'fact', true);
  await services.contributions.setAutoApproveRule(asAdmin, 'opinion', false);
  await services.contributions.contribute(asAgent, { kind: 'fact', title: 'Auto-approved', content: 'Agents may file facts directly.', sessionId: 's-1', mcpClientId: 'claude' });
  const pending = await services.contributions.contribute(asAgent, { kind: 'note', title: 'Pending', content: 'Reach me at alice@example.com for details.', tags: ['inbox'] });
  const approved = await services.contributions.contribute(asAgent, { kind: 'note', title: 'Approved', content: 'The outbox makes projection idempotent.', sessionId: 's-2' });
  await services.contributions.approve(asRita, approved.id, 'good');
  const rejected = await services.contributions.contribute(asAgent, { kind: 'opinion', content: 'Everything should be one big table.' });
  await services.contributions.reject(asRita, rejected.id, 'no');
  void pending;

  // Runs, their steps and links, artifacts produced by a run, and context packages.
  const orgId = admin.orgId;
  const run = (await sql.query<{ id: string }>(
    `INSERT INTO runs (org_id, name, status, manifest, diagnostics, created_by, started_at, finished_at)
     VALUES ($1, 'nightly summary', 'SUCCEEDED', '{"model": "x",  "steps": 2}', '{"tokens": 1234}', $2, now(), now()) RETURNING id`,
    [orgId, alice.id],
  )).rows[0]!.id;
  const pendingRun = (await sql.query<{ id: string }>(`INSERT INTO runs (org_id, name, status, created_by) VALUES ($1, 'queued', 'PENDING', $2) RETURNING id`, [orgId, bob.id])).rows[0]!.id;
  await sql.query(
    `INSERT INTO run_steps (org_id, run_id, position, name, status, detail, started_at, finished_at)
     VALUES ($1, $2, 1, 'gather', 'SUCCEEDED', '{"found": 2}', now(), now()), ($1, $2, 2, 'write', 'SUCCEEDED', NULL, now(), now())`,
    [orgId, run],
  );
  await sql.query(
    `INSERT INTO run_artifacts (org_id, run_id, role, position, artifact_id)
     VALUES ($1, $2, 'INPUT', 1, $3), ($1, $2, 'INPUT', 2, $4), ($1, $2, 'OUTPUT', 1, $5)`,
    [orgId, run, artifacts['private'].id, artifacts['group'].id, artifacts['org'].id],
  );
  await sql.query(`UPDATE artifacts SET run_id = $2 WHERE id = $1`, [artifacts['org'].id, run]);
  const relationshipId = (await sql.query<{ id: string }>(`SELECT id FROM relationships WHERE type = 'DEPENDS_ON'`)).rows[0]!.id;
  for (const version of [1, 2]) {
    const pkg = (await sql.query<{ id: string }>(
      `INSERT INTO context_packages (org_id, name, version, description, created_by) VALUES ($1, 'onboarding', $2, $3, $4) RETURNING id`,
      [orgId, version, version === 1 ? null : 'second cut', alice.id],
    )).rows[0]!.id;
    await sql.query(
      `INSERT INTO context_package_items (org_id, package_id, position, kind, artifact_id, relationship_id, run_id, memory_uri, memory_source, memory_recorded_by, memory_recorded_at, note)
       VALUES ($1, $2, 1, 'ARTIFACT', $3, NULL, NULL, NULL, NULL, NULL, NULL, 'start here'),
              ($1, $2, 2, 'RELATIONSHIP', NULL, $4, NULL, NULL, NULL, NULL, NULL, NULL),
              ($1, $2, 3, 'RUN', NULL, NULL, $5, NULL, NULL, NULL, NULL, NULL),
              ($1, $2, 4, 'MEMORY', NULL, NULL, NULL, 'mem://team/42', 'mem0', 'agent.7', now(), 'external')`,
      [orgId, pkg, artifacts['public'].id, version === 1 ? relationshipId : removed.id, run],
    );
  }
  void pendingRun;

  const acme = await services.orgs.create('acme');
  const asAcme = viewerOf(acme.admin);
  const acmeArtifact = await services.artifacts.create(asAcme, { kind: 'note', title: 'Acme secret', content: 'Acme only.', visibility: 'ORG' });
  const acmePublic = await services.artifacts.create(asAcme, { kind: 'note', title: 'Acme public', content: 'Anyone may read.', visibility: 'PUBLIC' });
  await services.graph.relate(asAcme, { fromId: acmeArtifact.id, toId: acmePublic.id, type: 'RELATES_TO' });
  if (inst.graph.projected) await services.projector.drain();
  return { admin, alice, bob, artifacts, acmeAdmin: acme.admin, acmeArtifact };
}
