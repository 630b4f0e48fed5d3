/**
 * Crash mid-write (issue 16): a real `hivegraph serve` child process is SIGKILLed at a random
 * moment of a burst of writes — createArtifact, createArtifacts (batches of 3), updateArtifact,
 * relate, contribute and approveContribution from several concurrent clients — and started
 * again on the same data, CYCLES times; the run's deployment decides the data: an embedded data
 * directory (PGlite + the SQL graph store; the restart waits for the kernel to free the dead
 * process's data-dir lock) or a Postgres database + FalkorDB graph (server mode).
 *
 * Afterwards, from the system of record (SQL, read directly once the last server is stopped):
 *  - every acknowledged write is there (an artifact created, a revision's content, a
 *    relationship, a contribution, an approval with its artifact);
 *  - no artifact without its CREATED revision, every revision 1..n present, none without its
 *    artifact; one ARTIFACT_CREATED event per artifact, one ARTIFACT_UPDATED per UPDATED
 *    revision; no event naming an artifact, relationship or contribution that does not exist;
 *    every relationship and contribution has its event, an approval its artifact;
 * and through the API, the graph projection catches up: every acknowledged relationship is a
 * neighbour within 60 s of the last restart.
 *
 * The counts (acknowledged vs found, requests cut off by the kill, writes that committed
 * without an answer) are printed. CYCLES defaults to 4 (HIVEGRAPH_CRASH_CYCLES to change).
 * Runtime: ~2 min per deployment under load (CYCLES + 1 server starts, 2–8 s bursts).
 */
import { randomInt } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openSqlClient } from '../../src/store/open.ts';
import type { Queryable } from '../../src/store/types.ts';
import { backends, createTestDatabase, uniqueSuffix } from '../support/backends.ts';
import { embedded, killAll, output, startServe, stopServe, tempDir, useCliProcesses, withTimeout, type Served } from '../support/cli-process.ts';

useCliProcesses();

const CYCLES = Number(process.env['HIVEGRAPH_CRASH_CYCLES'] ?? 4);
const WORKERS = 8;
const ADMIN_KEY = 'crash-admin-key-0123456789abcdef';
/** The kill lands this long after the burst starts (ms). */
const KILL_AFTER = { min: 2000, max: 8000 };

type Json = { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };

/** An answer, or `undefined` when the connection failed (the kill cut the request off). */
async function call(served: Served, key: string, query: string, variables: Record<string, unknown> = {}): Promise<Json | undefined> {
  try {
    const res = await fetch(served.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(30_000),
    });
    return (await res.json()) as Json;
  } catch {
    return undefined;
  }
}

async function must(served: Served, key: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await call(served, key, query, variables);
  if (!res || res.errors) throw new Error(`${query.slice(0, 60)} failed: ${JSON.stringify(res)}`);
  return res.data;
}

const uuidOf = (globalId: string) => Buffer.from(globalId, 'base64url').toString('utf8').split(':')[1]!;

/** What the clients were told had happened. */
interface Acknowledged {
  creates: { id: string; content: string }[];
  updates: { id: string; revision: number; content: string }[];
  relates: { id: string; from: string; to: string; type: string }[];
  contributions: string[];
  approvals: { contribution: string; artifact: string }[];
  /** Requests the kill cut off (no answer): they may or may not have committed. */
  cutOff: number;
  /** Answers with an error code (e.g. CONFLICT of a duplicate relate): nothing to find. */
  refused: Record<string, number>;
}

/** Contributions acknowledged as PENDING and not yet sent for approval (shared by the clients). */
const pending: string[] = [];

/** One client: random writes until `stop()`; acknowledged ones are recorded. */
async function client(served: Served, keys: { admin: string; agent: string }, ack: Acknowledged, pending: string[], tag: string, stopped: () => boolean): Promise<void> {
  let n = 0;
  while (!stopped()) {
    n += 1;
    const op = randomInt(100);
    const label = `${tag}-${n}`;
    const record = (res: Json | undefined): any => {
      if (!res) ack.cutOff += 1;
      else if (res.errors) {
        const code = res.errors[0]?.extensions?.code ?? 'none';
        ack.refused[code] = (ack.refused[code] ?? 0) + 1;
      } else return res.data;
      return undefined;
    };
    if (op < 25 || ack.creates.length < 4) {
      const content = `content ${label} ${uniqueSuffix()}`;
      const data = record(
        await call(served, keys.admin, 'mutation ($input: CreateArtifactInput!) { createArtifact(input: $input) { id } }', {
          input: { kind: 'fact', title: label, content, visibility: 'ORG' },
        }),
      );
      if (data) ack.creates.push({ id: data.createArtifact.id, content });
    } else if (op < 35) {
      const inputs = [0, 1, 2].map((i) => ({ kind: 'fact', title: `${label}.${i}`, content: `content ${label}.${i} ${uniqueSuffix()}`, visibility: 'ORG' }));
      const data = record(await call(served, keys.admin, 'mutation ($inputs: [CreateArtifactInput!]!) { createArtifacts(inputs: $inputs) { id } }', { inputs }));
      if (data) data.createArtifacts.forEach((a: { id: string }, i: number) => ack.creates.push({ id: a.id, content: inputs[i]!.content }));
    } else if (op < 60) {
      const target = ack.creates[randomInt(ack.creates.length)]!;
      const content = `updated ${label} ${uniqueSuffix()}`;
      const data = record(
        await call(served, keys.admin, 'mutation ($id: ID!, $c: String) { updateArtifact(id: $id, input: { content: $c }) { id revision } }', { id: target.id, c: content }),
      );
      if (data) ack.updates.push({ id: target.id, revision: data.updateArtifact.revision, content });
    } else if (op < 78) {
      const from = ack.creates[randomInt(ack.creates.length)]!.id;
      const to = ack.creates[randomInt(ack.creates.length)]!.id;
      if (from === to) continue;
      const type = ['CITES', 'DEPENDS_ON', 'SUPPORTS'][randomInt(3)]!;
      const data = record(await call(served, keys.admin, 'mutation ($input: RelateInput!) { relate(input: $input) { id } }', { input: { fromId: from, toId: to, type } }));
      if (data) ack.relates.push({ id: data.relate.id, from, to, type });
    } else if (op < 86 || pending.length === 0) {
      const data = record(
        await call(served, keys.agent, 'mutation ($input: ContributeInput!) { contribute(input: $input) { id status } }', {
          input: { kind: 'note', title: `note ${label}`, content: `An agent's note ${label} ${uniqueSuffix()} about the crash test.`, visibility: 'ORG' },
        }),
      );
      if (data) {
        ack.contributions.push(data.contribute.id);
        if (data.contribute.status === 'PENDING') pending.push(data.contribute.id);
      }
    } else {
      const id = pending.splice(randomInt(pending.length), 1)[0]!;
      const data = record(await call(served, keys.admin, 'mutation ($id: ID!) { approveContribution(id: $id) { id artifact { id } } }', { id }));
      if (data) ack.approvals.push({ contribution: id, artifact: data.approveContribution.artifact.id });
    }
  }
}

/**
 * Starts serve; an embedded restart may find the dead process's lock for a moment, so it
 * retries (a start that failed or timed out is SIGKILLed first: it may hold the lock itself).
 */
async function start(vars: () => Promise<Record<string, string>>): Promise<Served> {
  const deadline = Date.now() + 180_000;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startServe(await vars());
    } catch (error) {
      await killAll();
      if (Date.now() > deadline) throw error;
      process.stdout.write(`[crash] start attempt ${attempt} failed (${String(error).split('\n')[0]}); retrying\n`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** The invariants, as rows that break them (each query must return none). */
const BROKEN: Record<string, string> = {
  'artifact without its CREATED revision': `SELECT a.id FROM artifacts a WHERE NOT EXISTS (SELECT 1 FROM artifact_revisions r WHERE r.artifact_id = a.id AND r.revision = 1 AND r.change = 'CREATED')`,
  'artifact whose revisions are not exactly 1..revision': `SELECT a.id FROM artifacts a WHERE a.revision <> (SELECT count(*) FROM artifact_revisions r WHERE r.artifact_id = a.id) OR a.revision <> (SELECT max(r.revision) FROM artifact_revisions r WHERE r.artifact_id = a.id)`,
  'artifact whose content is not its last revision’s': `SELECT a.id FROM artifacts a JOIN artifact_revisions r ON r.artifact_id = a.id AND r.revision = a.revision WHERE r.content <> a.content OR r.content_digest <> a.content_digest`,
  'revision without its artifact': `SELECT r.artifact_id FROM artifact_revisions r LEFT JOIN artifacts a ON a.id = r.artifact_id WHERE a.id IS NULL`,
  'artifact without exactly one ARTIFACT_CREATED event': `SELECT a.id FROM artifacts a WHERE (SELECT count(*) FROM events e WHERE e.type = 'ARTIFACT_CREATED' AND e.artifact_id = a.id) <> 1`,
  'artifact whose UPDATED revisions and ARTIFACT_UPDATED events differ': `SELECT a.id FROM artifacts a WHERE (SELECT count(*) FROM artifact_revisions r WHERE r.artifact_id = a.id AND r.change = 'UPDATED') <> (SELECT count(*) FROM events e WHERE e.type = 'ARTIFACT_UPDATED' AND e.artifact_id = a.id)`,
  'event naming an artifact that does not exist': `SELECT e.cursor FROM events e WHERE e.artifact_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.id = e.artifact_id)`,
  'event naming a relationship that does not exist': `SELECT e.cursor FROM events e WHERE e.relationship_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM relationships r WHERE r.id = e.relationship_id)`,
  'event naming a contribution that does not exist': `SELECT e.cursor FROM events e WHERE e.contribution_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contributions c WHERE c.id = e.contribution_id)`,
  'relationship without its RELATIONSHIP_CREATED event': `SELECT r.id FROM relationships r WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.type = 'RELATIONSHIP_CREATED' AND e.relationship_id = r.id)`,
  'relationship with a missing end': `SELECT r.id FROM relationships r WHERE NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.id = r.from_id) OR NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.id = r.to_id)`,
  'contribution without its CONTRIBUTION_SUBMITTED event': `SELECT c.id FROM contributions c WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.type = 'CONTRIBUTION_SUBMITTED' AND e.contribution_id = c.id)`,
  'approved contribution without its artifact or CONTRIBUTION_APPROVED event': `SELECT c.id FROM contributions c WHERE c.status = 'APPROVED' AND (NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.id = c.artifact_id AND a.contribution_id = c.id) OR NOT EXISTS (SELECT 1 FROM events e WHERE e.type = 'CONTRIBUTION_APPROVED' AND e.contribution_id = c.id))`,
  'artifact from a contribution that is not approved': `SELECT a.id FROM artifacts a WHERE a.contribution_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contributions c WHERE c.id = a.contribution_id AND c.status = 'APPROVED' AND c.artifact_id = a.id)`,
};

async function checkStore(sql: Queryable, ack: Acknowledged): Promise<Record<string, unknown>> {
  const broken: Record<string, string[]> = {};
  for (const [what, query] of Object.entries(BROKEN)) {
    const { rows } = await sql.query<Record<string, unknown>>(query);
    if (rows.length > 0) broken[what] = rows.slice(0, 5).map((r) => String(Object.values(r)[0]));
  }
  expect(broken, 'invariants of the stored state').toEqual({});

  const ids = async (query: string, params: unknown[]) => new Set((await sql.query<{ id: string }>(query, params)).rows.map((r) => String(r.id)));
  const contentOf = new Map(
    (await sql.query<{ id: string; content: string }>(`SELECT artifact_id::text AS id, content FROM artifact_revisions WHERE revision = 1 AND artifact_id = ANY($1::uuid[])`, [ack.creates.map((c) => uuidOf(c.id))])).rows.map((r) => [
      r.id,
      r.content,
    ]),
  );
  const missingCreates = ack.creates.filter((c) => contentOf.get(uuidOf(c.id)) !== c.content);
  const revisions = new Map(
    (
      await sql.query<{ key: string; content: string }>(`SELECT artifact_id::text || '/' || revision AS key, content FROM artifact_revisions WHERE artifact_id = ANY($1::uuid[])`, [
        [...new Set(ack.updates.map((u) => uuidOf(u.id)))],
      ])
    ).rows.map((r) => [r.key, r.content]),
  );
  const missingUpdates = ack.updates.filter((u) => revisions.get(`${uuidOf(u.id)}/${u.revision}`) !== u.content);
  const relationships = new Map(
    (
      await sql.query<{ id: string; from_id: string; to_id: string; type: string }>(`SELECT id::text, from_id::text, to_id::text, type FROM relationships WHERE id = ANY($1::uuid[])`, [
        ack.relates.map((r) => uuidOf(r.id)),
      ])
    ).rows.map((r) => [r.id, `${r.from_id}/${r.to_id}/${r.type}`]),
  );
  const missingRelates = ack.relates.filter((r) => relationships.get(uuidOf(r.id)) !== `${uuidOf(r.from)}/${uuidOf(r.to)}/${r.type}`);
  const contributions = await ids(`SELECT id::text AS id FROM contributions WHERE id = ANY($1::uuid[])`, [ack.contributions.map(uuidOf)]);
  const missingContributions = ack.contributions.filter((c) => !contributions.has(uuidOf(c)));
  const approved = new Map(
    (await sql.query<{ id: string; artifact_id: string }>(`SELECT id::text, artifact_id::text FROM contributions WHERE status = 'APPROVED' AND id = ANY($1::uuid[])`, [ack.approvals.map((a) => uuidOf(a.contribution))])).rows.map(
      (r) => [r.id, r.artifact_id],
    ),
  );
  const missingApprovals = ack.approvals.filter((a) => approved.get(uuidOf(a.contribution)) !== uuidOf(a.artifact));

  const totals = async (table: string) => Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
  const report = {
    acknowledged: { creates: ack.creates.length, updates: ack.updates.length, relates: ack.relates.length, contributions: ack.contributions.length, approvals: ack.approvals.length },
    found: {
      creates: ack.creates.length - missingCreates.length,
      updates: ack.updates.length - missingUpdates.length,
      relates: ack.relates.length - missingRelates.length,
      contributions: ack.contributions.length - missingContributions.length,
      approvals: ack.approvals.length - missingApprovals.length,
    },
    stored: {
      artifacts: await totals('artifacts'),
      revisions: await totals('artifact_revisions'),
      relationships: await totals('relationships'),
      contributions: await totals('contributions'),
      events: await totals('events'),
    },
    cutOffByKill: ack.cutOff,
    refused: ack.refused,
    invariantsChecked: Object.keys(BROKEN).length,
  };
  expect(
    { creates: missingCreates, updates: missingUpdates, relates: missingRelates, contributions: missingContributions, approvals: missingApprovals },
    'acknowledged writes that are not stored',
  ).toEqual({ creates: [], updates: [], relates: [], contributions: [], approvals: [] });
  return report;
}

describe('crash mid-write: SIGKILL during a burst of writes, then restart', () => {
  it(`${CYCLES} kill/restart cycles lose no acknowledged write and leave no half-written one`, { timeout: 900_000 }, async () => {
    const selection = backends();
    const dataDir = await tempDir();
    const db = selection.databaseUrl ? await createTestDatabase(selection.databaseUrl) : undefined;
    const graphPrefix = `hgcrash_${uniqueSuffix()}`;
    const vars = () =>
      embedded(dataDir, {
        HIVEGRAPH_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
        // Server mode counts the burst limit in Postgres, across restarts: this burst would hit it.
        HIVEGRAPH_RATE_LIMITS: 'standard=unlimited,high=unlimited',
        HIVEGRAPH_SHUTDOWN_GRACE_MS: '2000',
        ...(db ? { DATABASE_URL: db.url } : {}),
        ...(selection.falkordbUrl ? { FALKORDB_URL: selection.falkordbUrl, HIVEGRAPH_GRAPH_PREFIX: graphPrefix } : {}),
      });
    const deployment = db ? 'server mode (Postgres + FalkorDB)' : 'embedded (PGlite + SQL graph store)';
    const startedAt = Date.now();
    const ack: Acknowledged = { creates: [], updates: [], relates: [], contributions: [], approvals: [], cutOff: 0, refused: {} };
    try {
      let served = await start(vars);
      const agentUser = await must(served, ADMIN_KEY, 'mutation { createUser(input: { handle: "crash-agent", role: AGENT }) { id } }');
      const agentKey = (await must(served, ADMIN_KEY, 'mutation ($u: ID!) { createApiKey(input: { userId: $u, name: "crash" }) { key } }', { u: agentUser.createUser.id })).createApiKey.key as string;
      const keys = { admin: ADMIN_KEY, agent: agentKey };

      for (let cycle = 1; cycle <= CYCLES; cycle += 1) {
        let stop = false;
        const killAfter = KILL_AFTER.min + randomInt(KILL_AFTER.max - KILL_AFTER.min);
        const before = ack.creates.length + ack.updates.length + ack.relates.length + ack.contributions.length + ack.approvals.length;
        const clients = Array.from({ length: WORKERS }, (_, w) => client(served, keys, ack, pending, `c${cycle}w${w}`, () => stop));
        await new Promise((r) => setTimeout(r, killAfter));
        // No client starts a request after the kill: each failed request was cut off by it.
        stop = true;
        served.cli.child.kill('SIGKILL');
        const exit = await withTimeout(served.cli.exited, 15_000, 'the server to die after SIGKILL');
        await Promise.all(clients);
        expect(exit.signal, output(served.cli)).toBe('SIGKILL');
        const after = ack.creates.length + ack.updates.length + ack.relates.length + ack.contributions.length + ack.approvals.length;
        process.stdout.write(`[crash] ${deployment}: cycle ${cycle} killed after ${killAfter} ms, ${after - before} writes acknowledged, ${ack.cutOff} cut off so far\n`);
        served = await start(vars);
        // The restarted server answers for what was acknowledged before the kill.
        const sample = ack.creates.slice(-20);
        const data = await must(served, ADMIN_KEY, `query { ${sample.map((c, i) => `a${i}: artifact(id: "${c.id}") { id }`).join(' ')} }`);
        expect(sample.filter((_, i) => !data[`a${i}`]), `created artifacts missing after restart ${cycle}`).toEqual([]);
      }

      // The graph projection catches up: every acknowledged relationship is traversable.
      const byFrom = new Map<string, Set<string>>();
      for (const r of ack.relates) byFrom.set(r.from, (byFrom.get(r.from) ?? new Set()).add(r.to));
      const deadline = Date.now() + 60_000;
      let lagging: string[] = [];
      for (;;) {
        lagging = [];
        const froms = [...byFrom.keys()];
        for (let i = 0; i < froms.length; i += 25) {
          const chunk = froms.slice(i, i + 25);
          const data = await must(served, ADMIN_KEY, `query { ${chunk.map((id, k) => `a${k}: artifact(id: "${id}") { neighbors(direction: OUT, first: 100) { id } }`).join(' ')} }`);
          chunk.forEach((id, k) => {
            const got = new Set((data[`a${k}`]?.neighbors ?? []).map((n: { id: string }) => n.id));
            for (const to of byFrom.get(id)!) if (!got.has(to)) lagging.push(`${id} → ${to}`);
          });
        }
        if (lagging.length === 0 || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      expect(lagging, 'acknowledged relationships missing from the graph 60 s after the last restart').toEqual([]);
      const stopped = await stopServe(served);
      expect(stopped.code, output(served.cli)).toBe(0);

      let report: Record<string, unknown>;
      if (db) {
        const sql = new pg.Client({ connectionString: db.url });
        await sql.connect();
        try {
          report = await checkStore({ query: (text: string, params?: readonly unknown[]) => sql.query(text, params as unknown[]) } as unknown as Queryable, ack);
        } finally {
          await sql.end();
        }
      } else {
        const sql = await openSqlClient({ kind: 'pglite', dataDir });
        try {
          report = await checkStore(sql, ack);
        } finally {
          await sql.close();
        }
      }
      process.stdout.write(`[crash] ${deployment}: ${CYCLES} SIGKILLs, ${JSON.stringify(report)}, ${Math.round((Date.now() - startedAt) / 1000)} s\n`);
    } finally {
      await db?.drop();
    }
  });
});
