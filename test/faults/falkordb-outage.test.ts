/**
 * Fault test: a FalkorDB outage in the middle of a burst of writes (ARCHITECTURE.md, "Where
 * each kind of data lives": Postgres is the system of record, relationships reach FalkorDB
 * through a transactional outbox, and the projector catches up idempotently after a failure).
 *
 * A FalkorDB of this file's own (persisting every write: appendonly + appendfsync always) is
 * SIGKILLed while 1,000 `relate` calls are in flight over HTTP, 20 at a time. SIGKILL, not
 * SIGTERM: a terminated redis-server would shut down cleanly, finishing the command it runs
 * and closing sockets politely; a killed one stops mid-reply, like a crashed host or an OOM
 * kill, which is the harsher case for "applied in FalkorDB but never acknowledged". With
 * appendfsync always, whatever FalkorDB applied before the kill survives into the restart.
 *
 * The kill is timed to hurt: once 200 relates have returned, the projector's next edge write
 * goes through to FalkorDB (applied, and fsynced), then FalkorDB is SIGKILLed and the write is
 * reported to the projector as failed — a lost acknowledgement, as when the reply dies on the
 * wire. The projector must roll back, replay those edges after the restart, and MERGE must
 * keep them single. (A plain kill at a random moment almost never lands inside a write: they
 * take about a millisecond.) If no edge write comes within a second, FalkorDB is killed anyway.
 *
 * While it is down: writes still succeed (they only need Postgres), traversal answers
 * SERVICE_UNAVAILABLE without data, /readyz reports the graph down with a growing
 * projection lag. After the restart: every acknowledged relate is an edge in FalkorDB, once;
 * FalkorDB holds exactly the Postgres rows; traversal through the API equals traversal
 * computed from the Postgres rows (and from the embedded SQL graph store).
 *
 * The shared FalkorDB of the run is never touched: other files use it in parallel.
 */
import { FalkorDB } from 'falkordb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openSqlGraphStore } from '../../src/store/open.ts';
import type { ExpandedEdge, GraphStore } from '../../src/store/types.ts';
import { backends, describeIfAvailable, uniqueSuffix } from '../support/backends.ts';
import { startFalkorProcess, type FalkorProcess } from '../support/falkordb-process.ts';
import { ADMIN_KEY, gql, startTestServer, type GqlResponse, type TestServer } from '../support/server.ts';

const TOTAL_RELATES = 1000;
const CONCURRENCY = 20;
/** FalkorDB is killed (during the projector's next edge write) once this many relates have returned. */
const KILL_AFTER = 200;
/** The restart begins once this many have returned (and the outage checks are done)… */
const RESTART_AFTER = 600;
/** …and relates from this index on wait for the restart, so they flow across the reconnect. */
const HOLD_FROM = 700;
const ARTIFACTS = 100;
const TYPES = ['DEPENDS_ON', 'CITES', 'DERIVED_FROM'] as const;
const TAG = '[falkordb-outage]';

const selection = backends();
const serverPath = process.env['HIVEGRAPH_FALKORDB_SERVER'];
const modulePath = process.env['HIVEGRAPH_FALKORDB_MODULE'];
const unavailable =
  !selection.databaseUrl || !selection.falkordbUrl
    ? `needs server backends (Postgres and FalkorDB); this run lacks ${[selection.databaseUrl ? '' : 'Postgres', selection.falkordbUrl ? '' : 'FalkorDB'].filter(Boolean).join(' and ')}${
        selection.reason ? ` (${selection.reason})` : ''
      }`
    : !serverPath || !modulePath
      ? 'HIVEGRAPH_FALKORDB_SERVER / HIVEGRAPH_FALKORDB_MODULE are not set: export them from `bash scripts/services.sh falkordb-paths` to run a FalkorDB of this test\'s own'
      : undefined;

const log = (line: string) => process.stdout.write(`${TAG} ${line}\n`);

/** Record id of a global id (`base64url("<Type>:<uuid>")`). */
function rawId(globalId: string): string {
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}

/** Deterministic PRNG (mulberry32), so every run relates the same shape of graph. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

interface Readyz {
  status: string;
  checks: { sql: { status: string }; graph: { status: string; detail?: string; projectionLag?: number } };
}

interface RelateOutcome {
  index: number;
  from: string;
  to: string;
  type: string;
  /** FalkorDB state when the call was sent. */
  phase: 'up' | 'down' | 'restarting';
  ok: boolean;
  /** Record id of the relationship, when it succeeded. */
  id?: string;
  code?: string;
  message?: string;
  ms: number;
}

/** One graph-store call seen by the wrapper (only the projector writes; `expand` is traversal). */
interface GraphCall {
  op: string;
  startedAt: number;
  ms: number;
  error?: string;
}

const RELATE = 'mutation ($input: RelateInput!) { relate(input: $input) { id } }';
const CREATE = 'mutation ($input: CreateArtifactInput!) { createArtifact(input: $input) { id } }';
const NEIGHBORS = `query ($id: ID!, $depth: Int!) { artifact(id: $id) { id neighbors(depth: $depth, first: 100) { id } } }`;
const PATH = 'query ($from: ID!, $to: ID!) { shortestPath(from: $from, to: $to, maxDepth: 8) { id } }';

describeIfAvailable('FalkorDB outage during 1,000 relates (server mode)', unavailable, () => {
  let falkor: FalkorProcess | undefined;
  let server: TestServer | undefined;
  let checker: FalkorDB | undefined;
  const graphCalls: GraphCall[] = [];
  const graphPrefix = `hgfault_${uniqueSuffix()}`;

  // Filled by the first test, read by the others.
  let orgId = '';
  let adminUserId = '';
  const artifacts: string[] = []; // global ids
  const outcomes: RelateOutcome[] = [];
  const probeRelates: string[] = []; // record ids of relates made by the outage checks
  let killedAt = 0;
  /** The kill, armed by the burst and fired by the projector's next edge write (see the file comment). */
  const fault = {
    armed: false,
    killing: undefined as Promise<void> | undefined,
    /** Ids of the edges FalkorDB applied but whose acknowledgement the projector never saw. */
    lostAck: [] as string[],
    fire: (): Promise<void> => Promise.resolve(),
  };
  let restartedAt = 0;
  let stormDone = false;

  /** Wraps the store to record every call with its duration and error (the projector's view of the outage). */
  function recordingGraph(store: GraphStore): GraphStore {
    const wrapped: Record<string, unknown> = { ...store };
    for (const op of ['expand', 'upsertNodes', 'upsertEdges', 'deleteEdges'] as const) {
      const original = store[op].bind(store) as (...args: unknown[]) => Promise<unknown>;
      wrapped[op] = async (...args: unknown[]) => {
        const startedAt = performance.now();
        if (op === 'upsertEdges' && fault.armed && !fault.killing) {
          const edges = args[1] as { id: string }[];
          await original(...args); // applied in FalkorDB (and, with appendfsync always, on disk)
          fault.lostAck = edges.map((e) => e.id);
          await fault.fire();
          const error = 'fault injection: FalkorDB was killed before the projector saw its reply';
          graphCalls.push({ op, startedAt, ms: performance.now() - startedAt, error });
          throw new Error(error);
        }
        try {
          const result = await original(...args);
          graphCalls.push({ op, startedAt, ms: performance.now() - startedAt });
          return result;
        } catch (error) {
          graphCalls.push({ op, startedAt, ms: performance.now() - startedAt, error: error instanceof Error ? error.message : String(error) });
          throw error;
        }
      };
    }
    return wrapped as unknown as GraphStore;
  }

  const readyz = async (): Promise<{ status: number; body: Readyz }> => {
    const response = await fetch(`${server!.url}/readyz`);
    return { status: response.status, body: (await response.json()) as Readyz };
  };

  beforeAll(async () => {
    falkor = await startFalkorProcess({ serverPath: serverPath!, modulePath: modulePath! });
    server = await startTestServer(
      {
        FALKORDB_URL: falkor.url,
        HIVEGRAPH_GRAPH_PREFIX: graphPrefix,
        // The bootstrap admin key's tier is `standard` (600/min by default); 1,100+ calls need more.
        HIVEGRAPH_RATE_LIMITS: 'standard=unlimited',
      },
      { wrapGraph: recordingGraph },
    );
    expect(server.graphBackend).toBe('falkordb');
    expect(server.sqlBackend).toBe('postgres');
    checker = await FalkorDB.connect({ url: `redis://127.0.0.1:${falkor.port}` });
    checker.on('error', () => undefined); // it is killed along with the server; reconnects by itself
    log(`own FalkorDB on port ${falkor.port} (pid ${falkor.pid}), data in ${falkor.dir}; graph prefix ${graphPrefix}`);
  });

  afterAll(async () => {
    await checker?.close().catch(() => undefined);
    await server?.stop().catch((error: unknown) => log(`server stop failed: ${String(error)}`));
    await falkor?.dispose();
  });

  it(
    'keeps accepting writes while FalkorDB is killed mid-burst, and answers traversal with SERVICE_UNAVAILABLE, not wrong data',
    async () => {
      const s = server!;
      const f = falkor!;
      const t0 = performance.now();

      // 100 ORG artifacts, created 20 at a time.
      const created: string[] = new Array<string>(ARTIFACTS);
      let nextArtifact = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let i = nextArtifact++; i < ARTIFACTS; i = nextArtifact++) {
            const res = await gql<{ createArtifact: { id: string } }>(s, CREATE, {
              key: ADMIN_KEY,
              variables: { input: { kind: 'fact', title: `node ${i}`, content: `outage test node ${i}`, visibility: 'ORG' } },
            });
            expect(res.body.errors).toBeUndefined();
            created[i] = res.body.data!.createArtifact.id;
          }
        }),
      );
      artifacts.push(...created);
      const { rows: owner } = await s.sql.query<{ orgId: string; ownerId: string }>(
        'SELECT org_id AS "orgId", owner_id AS "ownerId" FROM artifacts WHERE id = $1',
        [rawId(artifacts[0]!)],
      );
      orgId = owner[0]!.orgId;
      adminUserId = owner[0]!.ownerId;
      log(`created ${ARTIFACTS} artifacts in ${Math.round(performance.now() - t0)} ms; org ${orgId}`);

      // 1,000 distinct (from, to, type) triples, no self-loops.
      const random = prng(20240611);
      const triples: { from: string; to: string; type: string }[] = [];
      const keys = new Set<string>();
      while (triples.length < TOTAL_RELATES) {
        const from = artifacts[Math.floor(random() * ARTIFACTS)]!;
        const to = artifacts[Math.floor(random() * ARTIFACTS)]!;
        const type = TYPES[Math.floor(random() * TYPES.length)]!;
        const key = `${from}|${to}|${type}`;
        if (from === to || keys.has(key)) continue;
        keys.add(key);
        triples.push({ from, to, type });
      }

      let phase: RelateOutcome['phase'] = 'up';
      let next = 0;
      let returned = 0;
      let inFlight = 0;
      let inFlightAtKill = -1;
      let returnedAtKill = -1;
      const killed = deferred();
      const restartBegun = deferred();
      let relatesSentAtKill = -1;
      fault.fire = () => {
        fault.killing ??= (() => {
          inFlightAtKill = inFlight;
          returnedAtKill = returned;
          relatesSentAtKill = Math.min(next, TOTAL_RELATES);
          killedAt = performance.now();
          phase = 'down';
          return f.kill('SIGKILL').then(killed.resolve);
        })();
        return fault.killing;
      };

      async function relateWorker(): Promise<void> {
        for (;;) {
          const index = next++;
          if (index >= TOTAL_RELATES) return;
          if (index >= HOLD_FROM) await restartBegun.promise;
          const triple = triples[index]!;
          const sentIn = phase;
          inFlight += 1;
          const started = performance.now();
          let res: GqlResponse<{ relate: { id: string } }> | undefined;
          let failure: string | undefined;
          try {
            res = await gql<{ relate: { id: string } }>(s, RELATE, {
              key: ADMIN_KEY,
              variables: { input: { fromId: triple.from, toId: triple.to, type: triple.type } },
            });
          } catch (error) {
            failure = error instanceof Error ? error.message : String(error);
          }
          inFlight -= 1;
          returned += 1;
          const error = res?.body.errors?.[0];
          const id = res?.body.data?.relate?.id;
          outcomes[index] = {
            index,
            ...triple,
            phase: sentIn,
            ok: !failure && !error && id !== undefined,
            ...(id ? { id: rawId(id) } : {}),
            ...(error ? { code: String(error.extensions?.['code']), message: error.message } : {}),
            ...(failure ? { code: 'NETWORK', message: failure } : {}),
            ms: performance.now() - started,
          };
          if (returned === KILL_AFTER) {
            fault.armed = true;
            setTimeout(() => void fault.fire(), 1000).unref();
          }
        }
      }

      /** What must hold while FalkorDB is down; ends by restarting it. */
      async function outage(): Promise<void> {
        await killed.promise;
        // The server notices on its own (node-redis sees the socket close) and says so in /readyz.
        const down = await waitFor(
          '/readyz to report the graph down',
          async () => {
            const r = await readyz();
            return r.body.checks.graph.status === 'down' ? r : undefined;
          },
          5000,
        );
        const detectedMs = Math.round(performance.now() - killedAt);
        expect(down.status).toBe(503);
        expect(down.body.status).toBe('not_ready');
        expect(down.body.checks.sql.status).toBe('up');
        expect(typeof down.body.checks.graph.projectionLag).toBe('number');
        const lagAtDetection = down.body.checks.graph.projectionLag!;
        log(
          `FalkorDB SIGKILLed after ${returnedAtKill} relates returned (${relatesSentAtKill} sent), ${inFlightAtKill} in flight; ` +
            `${fault.lostAck.length ? `inside a projector edge write of ${fault.lostAck.length} edge(s) whose reply was lost` : 'no projector edge write came within 1 s'}`,
        );
        log(`/readyz reported it down after ${detectedMs} ms (${down.body.checks.graph.detail}); lag ${lagAtDetection}`);

        // Traversal fails fast with SERVICE_UNAVAILABLE and gives no (partial, stale or empty) answer.
        for (const depth of [1, 2]) {
          const started = performance.now();
          const res = await gql<{ artifact: { neighbors: unknown[] } | null }>(s, NEIGHBORS, {
            key: ADMIN_KEY,
            variables: { id: artifacts[0], depth },
          });
          const ms = performance.now() - started;
          expect(res.body.errors?.map((e) => e.extensions?.['code']), `neighbors(depth: ${depth}) while down`).toEqual(['SERVICE_UNAVAILABLE']);
          expect(res.body.errors?.[0]?.path).toEqual(['artifact', 'neighbors']);
          expect(res.body.data?.artifact ?? null).toBeNull(); // neighbors is non-null: the artifact nulls out, no list at all
          expect(ms, 'neighbors must fail fast, not hang').toBeLessThan(2000);
        }
        {
          const started = performance.now();
          const res = await gql<{ shortestPath: unknown[] | null }>(s, PATH, { key: ADMIN_KEY, variables: { from: artifacts[0], to: artifacts[1] } });
          const ms = performance.now() - started;
          expect(res.body.errors?.map((e) => e.extensions?.['code']), 'shortestPath while down').toEqual(['SERVICE_UNAVAILABLE']);
          expect(res.body.data?.shortestPath ?? null).toBeNull();
          expect(ms, 'shortestPath must fail fast, not hang').toBeLessThan(2000);
        }

        // Writes go on: a new artifact, and a relate from it.
        const made = await gql<{ createArtifact: { id: string } }>(s, CREATE, {
          key: ADMIN_KEY,
          variables: { input: { kind: 'fact', title: 'made during the outage', content: 'made during the outage', visibility: 'ORG' } },
        });
        expect(made.body.errors, 'createArtifact while FalkorDB is down').toBeUndefined();
        const madeId = made.body.data!.createArtifact.id;
        artifacts.push(madeId);
        const related = await gql<{ relate: { id: string } }>(s, RELATE, {
          key: ADMIN_KEY,
          variables: { input: { fromId: madeId, toId: artifacts[0], type: 'MADE_DURING_OUTAGE' } },
        });
        expect(related.body.errors, 'relate while FalkorDB is down').toBeUndefined();
        probeRelates.push(rawId(related.body.data!.relate.id));

        // Let the burst run on against the dead graph, then look at the lag again.
        await waitFor('relates to keep returning while FalkorDB is down', async () => (returned >= RESTART_AFTER ? true : undefined), 30_000, 20);
        const later = await readyz();
        expect(later.status).toBe(503);
        expect(later.body.checks.graph.status).toBe('down');
        const lagBeforeRestart = later.body.checks.graph.projectionLag!;
        expect(lagBeforeRestart, 'projectionLag grows while FalkorDB is down').toBeGreaterThanOrEqual(lagAtDetection + 2);
        log(`while down: traversal answered SERVICE_UNAVAILABLE; writes succeeded; lag ${lagAtDetection} → ${lagBeforeRestart} after ${returned} relates returned`);

        // Restart on the same port and data directory while relates keep coming.
        phase = 'restarting';
        restartBegun.resolve();
        const restartStarted = performance.now();
        await f.start();
        restartedAt = performance.now();
        log(`FalkorDB restarted (pid ${f.pid}) after ${Math.round(restartedAt - killedAt)} ms down; answering PONG ${Math.round(restartedAt - restartStarted)} ms after launch`);
      }

      const stormStarted = performance.now();
      await Promise.all([outage(), ...Array.from({ length: CONCURRENCY }, relateWorker)]);
      stormDone = true;
      const stormMs = Math.round(performance.now() - stormStarted);

      const failed = outcomes.filter((o) => !o.ok);
      const byPhase = (p: RelateOutcome['phase']) => outcomes.filter((o) => o.phase === p);
      const slowest = (p: RelateOutcome['phase']) => Math.round(Math.max(0, ...byPhase(p).map((o) => o.ms)));
      log(
        `${TOTAL_RELATES} relates in ${stormMs} ms: sent while up ${byPhase('up').length} (max ${slowest('up')} ms), ` +
          `while down ${byPhase('down').length} (max ${slowest('down')} ms), during restart ${byPhase('restarting').length} (max ${slowest('restarting')} ms); ` +
          `failed: ${failed.length}${failed.length ? ` — ${failed.slice(0, 5).map((o) => `#${o.index} ${o.code}: ${o.message}`).join('; ')}` : ''}`,
      );
      expect(outcomes.filter(Boolean)).toHaveLength(TOTAL_RELATES);
      expect(byPhase('down').length, 'a good part of the burst ran against a dead FalkorDB').toBeGreaterThanOrEqual(RESTART_AFTER - KILL_AFTER - CONCURRENCY);
      expect(byPhase('restarting').length, 'relates kept flowing across the restart').toBeGreaterThanOrEqual(TOTAL_RELATES - HOLD_FROM);
      // Writes need Postgres only: none may fail because the graph is down.
      expect(failed.map((f) => `#${f.index} after ${f.ms} ms: ${f.code ?? '?'} ${f.message ?? ''}`), 'relates that failed').toEqual([]);
    },
    90_000,
  );

  it(
    'catches up after the restart: every acknowledged relate is in FalkorDB exactly once, and FalkorDB equals the Postgres rows',
    async () => {
      expect(stormDone, 'the outage test ran').toBe(true);
      const s = server!;
      // The projector retries on its 1 s timer; node-redis reconnects with a backoff of at most 2 s.
      const caughtUp = await waitFor(
        'projection lag 0',
        async () => ((await s.services.projector.lag()) === 0 ? performance.now() : undefined),
        30_000,
        100,
      );
      const ready = await waitFor(
        '/readyz ready',
        async () => {
          const r = await readyz();
          return r.status === 200 ? r : undefined;
        },
        10_000,
      );
      expect(ready.body.checks.graph.status).toBe('up');
      expect(ready.body.checks.graph.projectionLag).toBe(0);
      log(`caught up (lag 0) ${Math.round(caughtUp - restartedAt)} ms after the restart answered PONG`);

      const { rows: pgEdges } = await s.sql.query<{ id: string; fromId: string; toId: string; type: string }>(
        'SELECT id, from_id AS "fromId", to_id AS "toId", type FROM relationships WHERE org_id = $1',
        [orgId],
      );
      const { rows: pgNodes } = await s.sql.query<{ id: string; visibility: string; deleted: boolean }>(
        'SELECT id, visibility, deleted_at IS NOT NULL AS deleted FROM artifacts WHERE org_id = $1',
        [orgId],
      );

      // Read FalkorDB with a client of our own, not through the server's store.
      const graph = checker!.selectGraph(`${graphPrefix}_${orgId}`);
      const falkorEdges =
        (await graph.roQuery<{ id: string; from: string; to: string; type: string }>(
          'MATCH (a:Artifact)-[r:REL]->(b:Artifact) RETURN r.id AS id, a.id AS from, b.id AS to, r.type AS type',
        )).data ?? [];
      const falkorNodes =
        (await graph.roQuery<{ id: string; vis: string; deleted: boolean }>('MATCH (n:Artifact) RETURN n.id AS id, n.vis AS vis, n.deleted AS deleted'))
          .data ?? [];

      const acknowledged = [...outcomes.filter((o) => o.ok).map((o) => o.id!), ...probeRelates];
      const falkorById = new Map(falkorEdges.map((e) => [e.id, e]));
      const duplicated = [...new Set(falkorEdges.map((e) => e.id).filter((id, i, all) => all.indexOf(id) !== i))];
      const missing = acknowledged.filter((id) => !falkorById.has(id));
      log(
        `FalkorDB: ${falkorEdges.length} edges (${falkorById.size} distinct ids), ${falkorNodes.length} nodes; ` +
          `Postgres: ${pgEdges.length} relationships, ${pgNodes.length} artifacts; acknowledged relates: ${acknowledged.length}; ` +
          `missing: ${missing.length}; duplicated ids: ${duplicated.length}`,
      );

      // (a) every relate that returned success is an edge in FalkorDB
      expect(missing, 'acknowledged relates missing from FalkorDB').toEqual([]);
      // The edges FalkorDB applied just before the kill, unacknowledged: replayed, present once.
      expect(fault.lostAck.length, 'the kill landed inside a projector edge write').toBeGreaterThan(0);
      for (const id of fault.lostAck) expect(falkorEdges.filter((e) => e.id === id), `edge ${id} applied before the kill`).toHaveLength(1);
      // (b) no edge twice, and exactly the Postgres rows (same ends and type)
      expect(duplicated, 'edge ids present more than once in FalkorDB').toEqual([]);
      expect(falkorEdges.length).toBe(pgEdges.length);
      const asText = (e: { id: string; from: string; to: string; type: string }) => `${e.id} ${e.from}->${e.to} ${e.type}`;
      expect(falkorEdges.map(asText).sort()).toEqual(pgEdges.map((e) => asText({ id: e.id, from: e.fromId, to: e.toId, type: e.type })).sort());
      expect(new Set(acknowledged).size).toBe(acknowledged.length);
      expect(pgEdges.length).toBe(acknowledged.length);
      // Nodes too: one per artifact, none a bare stub without its visibility.
      expect(new Set(falkorNodes.map((n) => n.id)).size).toBe(falkorNodes.length);
      expect(falkorNodes.map((n) => `${n.id} ${n.vis} ${n.deleted}`).sort()).toEqual(pgNodes.map((n) => `${n.id} ${n.visibility} ${n.deleted}`).sort());

      // What the projector went through (from the recording wrapper around the store).
      const writes = graphCalls.filter((c) => c.op !== 'expand');
      const failedWrites = writes.filter((c) => c.error);
      const duringOutage = failedWrites.filter((c) => c.startedAt >= killedAt && c.startedAt < restartedAt);
      const reasons = [...new Set(failedWrites.map((c) => c.error))];
      const atKill = writes.filter((c) => c.startedAt < killedAt && c.startedAt + c.ms > killedAt);
      log(`projector graph writes in flight at the kill: ${atKill.length} (${atKill.map((c) => `${c.op} ${c.error ? 'failed' : 'ok'} after ${Math.round(c.ms)} ms`).join(', ') || 'none'})`);
      log(
        `projector graph writes: ${writes.length}, failed ${failedWrites.length} (${duringOutage.length} attempted while down, ` +
          `slowest failure ${Math.round(Math.max(0, ...failedWrites.map((c) => c.ms)))} ms); errors: ${reasons.join(' | ')}`,
      );
      expect(Math.max(0, ...failedWrites.map((c) => c.ms)), 'projector writes fail fast while FalkorDB is down').toBeLessThan(2000);
      expect(s.logs.some((l) => l.includes('graph projection failed; will retry'))).toBe(true);
      expect(s.logs.some((l) => l.includes('graph projection caught up'))).toBe(true);
    },
    60_000,
  );

  it(
    'traverses like the Postgres truth after catch-up: neighbours (depth 1 and 2) of 20 artifacts, shortest paths, and the embedded SQL store agree',
    async () => {
      expect(stormDone, 'the outage test ran').toBe(true);
      const s = server!;
      const { rows } = await s.sql.query<{ id: string; fromId: string; toId: string }>(
        'SELECT id, from_id AS "fromId", to_id AS "toId" FROM relationships WHERE org_id = $1',
        [orgId],
      );
      const adjacency = new Map<string, string[]>();
      const link = (a: string, b: string) => adjacency.set(a, [...(adjacency.get(a) ?? []), b]);
      for (const r of rows) {
        link(r.fromId, r.toId);
        link(r.toId, r.fromId);
      }

      /** graph.service's breadth-first order: by distance, then by id; at most `first`. */
      const expected = (root: string, depth: number, first: number): string[] => {
        const seen = new Set([root]);
        const out: string[] = [];
        let frontier = [root];
        for (let level = 1; level <= depth && frontier.length > 0 && out.length < first; level += 1) {
          const layer = new Set<string>();
          for (const n of frontier) for (const m of adjacency.get(n) ?? []) if (!seen.has(m)) layer.add(m);
          const sorted = [...layer].sort();
          for (const m of sorted) {
            seen.add(m);
            if (out.length < first) out.push(m);
          }
          frontier = sorted;
        }
        return out;
      };

      const sample = artifacts.filter((_, i) => i % 5 === 0).slice(0, 20).map(rawId);
      expect(sample).toHaveLength(20);
      for (const root of sample) {
        for (const depth of [1, 2]) {
          const res = await gql<{ artifact: { neighbors: { id: string }[] } | null }>(s, NEIGHBORS, {
            key: ADMIN_KEY,
            variables: { id: Buffer.from(`Artifact:${root}`).toString('base64url'), depth },
          });
          expect(res.body.errors).toBeUndefined();
          expect(res.body.data?.artifact?.neighbors.map((n) => rawId(n.id)), `neighbors(depth: ${depth}) of ${root}`).toEqual(expected(root, depth, 100));
        }
      }

      // One hop, store level: FalkorDB, the embedded SQL graph store and the Postgres rows list the same edges.
      const viewer = { orgId, userId: adminUserId, groupIds: [] };
      const edgeText = (edges: readonly ExpandedEdge[]) => edges.map((e) => `${e.from}->${e.to} ${e.relationshipId}`).sort();
      const truth = rows
        .flatMap((r) => [
          ...(sample.includes(r.fromId) ? [{ from: r.fromId, to: r.toId, relationshipId: r.id }] : []),
          ...(sample.includes(r.toId) ? [{ from: r.toId, to: r.fromId, relationshipId: r.id }] : []),
        ]);
      const fromFalkor = await s.graph.expand(orgId, sample, { direction: 'BOTH', viewer });
      const fromSql = await openSqlGraphStore(s.sql).expand(orgId, sample, { direction: 'BOTH', viewer });
      expect(edgeText(fromFalkor), 'FalkorDB one-hop edges').toEqual(edgeText(truth));
      expect(edgeText(fromSql), 'embedded SQL store one-hop edges').toEqual(edgeText(truth));

      // Shortest paths: as long as the breadth-first distance in Postgres, along real relationships.
      const distance = (from: string, to: string): number | undefined => {
        const dist = new Map([[from, 0]]);
        let frontier = [from];
        while (frontier.length > 0) {
          const nextFrontier: string[] = [];
          for (const n of frontier)
            for (const m of adjacency.get(n) ?? [])
              if (!dist.has(m)) {
                dist.set(m, dist.get(n)! + 1);
                nextFrontier.push(m);
              }
          frontier = nextFrontier;
        }
        return dist.get(to);
      };
      for (let i = 0; i < 5; i += 1) {
        const from = sample[i]!;
        const to = sample[sample.length - 1 - i]!;
        const res = await gql<{ shortestPath: { id: string }[] | null }>(s, PATH, {
          key: ADMIN_KEY,
          variables: { from: Buffer.from(`Artifact:${from}`).toString('base64url'), to: Buffer.from(`Artifact:${to}`).toString('base64url') },
        });
        expect(res.body.errors).toBeUndefined();
        const path = res.body.data!.shortestPath!.map((a) => rawId(a.id));
        expect(path.length - 1).toBe(distance(from, to));
        expect(path[0]).toBe(from);
        expect(path.at(-1)).toBe(to);
        for (let k = 1; k < path.length; k += 1) expect(adjacency.get(path[k - 1]!)).toContain(path[k]);
      }
      log(`neighbours of ${sample.length} artifacts (depth 1 and 2), 5 shortest paths and one-hop edges of FalkorDB / SQL store equal the Postgres truth`);
    },
    30_000,
  );
});
