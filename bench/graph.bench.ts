/**
 * Graph benchmark: breadth-first neighbours (1, 2 and 3 hops) and shortest path on a generated
 * graph of 100k artifacts and 1M relationships, through the real GraphService, on the two
 * graph stores measured in the same run:
 *
 *   A. `sql`      — the embedded graph store: SQL over the rows, on PGlite (the embedded default);
 *   B. `falkordb` — FalkorDB, filled from the same rows by the projector's `resync`.
 *
 *   node bench/graph.bench.ts [--scale 1] [--queries N] [--seed 42] [--falkordb-url URL]
 *                             [--data-dir DIR] [--no-analyze] [--no-cap] [--quiet]
 *
 * The dataset is generated set-based inside PGlite (INSERT … SELECT … generate_series), in a
 * temporary data directory that is removed at the end (unless --data-dir names one to keep and
 * reuse). The FalkorDB graph is named `bench_<timestamp>_<org id>` and deleted at the end.
 * Results: bench/results/graph-<ISO time>.json; see docs/benchmarks.md.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FalkorDB } from 'falkordb';
import { createServices, type Services, type Viewer } from '../src/services/index.ts';
import { createLogger } from '../src/shared/logger.ts';
import type { FalkorGraphStore } from '../src/store/graph/falkordb.store.ts';
import { migrate, openGraphStore, openSqlClient } from '../src/store/open.ts';
import type { ArtifactRecord } from '../src/store/records.ts';
import type { GraphStore, SqlClient } from '../src/store/types.ts';
import {
  createProgress,
  gitInfo,
  type LatencyStats,
  machineInfo,
  ms,
  peakRssMiB,
  round,
  secondsSince,
  seededRandom,
  summarize,
  writeResult,
} from './lib/harness.ts';

// ---------------------------------------------------------------------------------------------
// Options

const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    artifacts: { type: 'string' },
    relationships: { type: 'string' },
    queries: { type: 'string' },
    seed: { type: 'string', default: '42' },
    'falkordb-url': { type: 'string' },
    'data-dir': { type: 'string' },
    'no-analyze': { type: 'boolean', default: false },
    'no-cap': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  },
  strict: true,
  allowPositionals: false,
});

const scale = Number(args.scale);
if (!(scale > 0)) throw new Error(`--scale must be a positive number, got ${args.scale}`);
const ARTIFACTS = args.artifacts ? Number(args.artifacts) : Math.round(100_000 * scale);
const RELATIONSHIPS = args.relationships ? Number(args.relationships) : Math.round(1_000_000 * scale);
const SEED = Number(args.seed);
const FALKOR_URL = args['falkordb-url'] ?? process.env.FALKORDB_URL ?? 'falkor://127.0.0.1:6380';
/** Queries per operation: 200 for 1/2 hops, 100 for 3 hops and paths at full size; fewer under --scale. */
const fullQueries = args.queries ? Number(args.queries) : scale >= 1 ? 200 : Math.max(20, Math.round(200 * Math.min(1, scale * 10)));
const QUERIES = {
  neighbors1: fullQueries,
  neighbors2: fullQueries,
  neighbors3: Math.max(10, Math.round(fullQueries / 2)),
  neighbors3Wide: Math.max(10, Math.round(fullQueries / 4)),
  shortestPath: Math.max(10, Math.round(fullQueries / 2)),
};
const WARMUP = Math.max(5, Math.round(fullQueries / 20));
const NEIGHBOR_FIRST = 50; // the API default
/**
 * With first: 50 the search stops widening a root once it has 50 neighbours, which on this graph
 * (mean degree 20) usually happens at hop 2 — so `neighbors-3` mostly costs what `neighbors-2`
 * does. `neighbors-3-wide` (first: 1000) makes the third hop happen.
 */
const NEIGHBOR_FIRST_WIDE = 1000;
const NEIGHBOR_DIRECTION = 'BOTH' as const; // the API default
const PATH_MAX_DEPTH = 6; // the API default

/** Visibility shares of generated artifacts (cumulative thresholds below). */
const VISIBILITY_MIX = { ORG: 0.8, PUBLIC: 0.08, GROUP: 0.06, PRIVATE: 0.06 };
const DELETED_SHARE = 0.03;
/** Relationship types and their shares. */
const TYPE_MIX: [string, number][] = [
  ['RELATES_TO', 0.4],
  ['DEPENDS_ON', 0.25],
  ['MENTIONS', 0.25],
  ['DERIVED_FROM', 0.1],
];
/**
 * Power-law-ish endpoints: index = floor(N · u^k) for uniform u, then scattered over the ids by a
 * multiplicative permutation (so hubs are not all the oldest rows). k = 1.5 for sources (mild
 * skew: max out-degree ≈ 500 at full size), k = 2.5 for targets (heavy skew: a few hubs with
 * ≈ 10k incoming edges, like popular concept or tag artifacts). Mean degree (in + out) = 20.
 */
const SOURCE_SKEW = 1.5;
const TARGET_SKEW = 2.5;

const runStart = performance.now();
const startedAt = new Date();
const progress = args.quiet ? () => undefined : createProgress(runStart);

// ---------------------------------------------------------------------------------------------
// Dataset generation (PGlite, set-based)

interface Dataset {
  orgId: string;
  viewerId: string;
  userIds: string[];
  groupIds: string[];
}

interface LoadTimings {
  reused: boolean;
  migrateSeconds: number;
  identitySeconds: number;
  artifactsSeconds: number;
  sharesSeconds: number;
  /** Drawing the distinct candidate triples (part of relationshipsSeconds). */
  relationshipDrawSeconds: number;
  relationshipsSeconds: number;
  analyzeSeconds: number | null;
  totalSeconds: number;
  artifactsPerSecond: number;
  relationshipsPerSecond: number;
}

async function findExisting(sql: SqlClient): Promise<Dataset | undefined> {
  const { rows: tables } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'relationships'`);
  if ((tables[0]?.n ?? 0) === 0) return undefined;
  const { rows } = await sql.query<{ id: string; artifacts: number; relationships: number }>(
    `SELECT o.id, (SELECT count(*) FROM artifacts a WHERE a.org_id = o.id)::int AS artifacts,
            (SELECT count(*) FROM relationships r WHERE r.org_id = o.id)::int AS relationships
     FROM orgs o WHERE o.name = 'bench'`,
  );
  const org = rows[0];
  if (!org) return undefined;
  if (org.artifacts !== ARTIFACTS || org.relationships !== RELATIONSHIPS) {
    throw new Error(
      `--data-dir holds a bench dataset of ${org.artifacts} artifacts / ${org.relationships} relationships, not ${ARTIFACTS} / ${RELATIONSHIPS}: use another directory.`,
    );
  }
  const { rows: users } = await sql.query<{ id: string }>(`SELECT id FROM users WHERE org_id = $1 ORDER BY seq`, [org.id]);
  const { rows: groups } = await sql.query<{ id: string }>(`SELECT id FROM groups WHERE org_id = $1 ORDER BY seq`, [org.id]);
  return { orgId: org.id, viewerId: users[0]!.id, userIds: users.map((u) => u.id), groupIds: groups.map((g) => g.id) };
}

async function generate(sql: SqlClient): Promise<{ dataset: Dataset; load: LoadTimings }> {
  const loadStart = performance.now();
  let t = performance.now();
  await migrate(sql);
  const migrateSeconds = secondsSince(t);
  progress(`migrated in ${migrateSeconds} s`);

  t = performance.now();
  const { rows: orgRows } = await sql.query<{ id: string }>(`INSERT INTO orgs (name) VALUES ('bench') RETURNING id`);
  const orgId = orgRows[0]!.id;
  // The viewer is an ordinary MEMBER; the others own artifacts and belong to other groups.
  const { rows: users } = await sql.query<{ id: string }>(
    `INSERT INTO users (org_id, handle, role)
     SELECT $1, h, r FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS u(h, r, n) ORDER BY n RETURNING id`,
    [orgId, ['viewer', 'alice', 'bob', 'carol', 'dave'], ['MEMBER', 'ADMIN', 'MEMBER', 'AGENT', 'MEMBER']],
  );
  const { rows: groups } = await sql.query<{ id: string }>(
    `INSERT INTO groups (org_id, name) SELECT $1, 'group-' || g FROM generate_series(1, 4) g ORDER BY g RETURNING id`,
    [orgId],
  );
  const userIds = users.map((u) => u.id);
  const groupIds = groups.map((g) => g.id);
  // viewer → group 1; alice → groups 1, 2; bob → 3; carol → 4; dave → none.
  const memberships: [number, number][] = [
    [0, 0],
    [1, 0],
    [1, 1],
    [2, 2],
    [3, 3],
  ];
  await sql.query(
    `INSERT INTO group_members (org_id, group_id, user_id, role) SELECT $1, g, u, 'MEMBER' FROM unnest($2::uuid[], $3::uuid[]) AS m(g, u)`,
    [orgId, memberships.map(([, g]) => groupIds[g]), memberships.map(([u]) => userIds[u])],
  );
  const identitySeconds = secondsSince(t);

  await sql.query('SELECT setseed($1)', [((SEED % 1000) / 1000) * 2 - 1]);

  // Artifacts, in chunks for progress. Owners rotate over the five users.
  t = performance.now();
  const [org, pub, grp] = [VISIBILITY_MIX.ORG, VISIBILITY_MIX.ORG + VISIBILITY_MIX.PUBLIC, VISIBILITY_MIX.ORG + VISIBILITY_MIX.PUBLIC + VISIBILITY_MIX.GROUP];
  const artifactChunk = Math.max(1000, Math.ceil(ARTIFACTS / 5));
  for (let done = 0; done < ARTIFACTS; ) {
    const n = Math.min(artifactChunk, ARTIFACTS - done);
    await sql.query(
      `INSERT INTO artifacts (org_id, owner_id, kind, title, content, content_digest, size_bytes, tags, visibility, deleted_at)
       SELECT $1, ($2::uuid[])[1 + g % 5], (ARRAY['note', 'decision', 'code', 'doc'])[1 + g % 4], 'Artifact ' || g, c,
              'sha256:' || encode(sha256(convert_to(c, 'UTF8')), 'hex'), octet_length(c), ARRAY['bench', 't' || (g % 50)],
              CASE WHEN v < $5 THEN 'ORG' WHEN v < $6 THEN 'PUBLIC' WHEN v < $7 THEN 'GROUP' ELSE 'PRIVATE' END,
              CASE WHEN random() < $8 THEN now() END
       FROM (SELECT g, random() AS v, 'Generated artifact ' || g || ' for the graph benchmark.' AS c
             FROM generate_series($3::int, $4::int) g) x`,
      [orgId, userIds, done + 1, done + n, org, pub, grp, DELETED_SHARE],
    );
    done += n;
    progress(`artifacts ${done.toLocaleString('en')} / ${ARTIFACTS.toLocaleString('en')}`);
  }
  const artifactsSeconds = secondsSince(t);

  // GROUP artifacts are shared with one group, every third also with the next one.
  t = performance.now();
  await sql.query(
    `INSERT INTO artifact_shares (org_id, artifact_id, group_id)
     SELECT a.org_id, a.id, ($2::uuid[])[1 + a.seq % 4] FROM artifacts a WHERE a.org_id = $1 AND a.visibility = 'GROUP'
     UNION ALL
     SELECT a.org_id, a.id, ($2::uuid[])[1 + (a.seq + 1) % 4] FROM artifacts a WHERE a.org_id = $1 AND a.visibility = 'GROUP' AND a.seq % 3 = 0`,
    [orgId, groupIds],
  );
  const sharesSeconds = secondsSince(t);

  // Relationships: candidate (source, target, type) triples drawn server-side, 15 % more than
  // needed, without self-loops, deduplicated on the (from, to, type) key, shuffled (so the table
  // is not clustered by source), numbered; then inserted in chunks for progress. Foreign keys
  // and every index stay on: the load is what a real bulk import would pay.
  t = performance.now();
  await sql.query(`CREATE TEMP TABLE bench_ids (k int PRIMARY KEY, id uuid NOT NULL)`);
  await sql.query(`INSERT INTO bench_ids SELECT row_number() OVER (ORDER BY seq)::int - 1, id FROM artifacts WHERE org_id = $1`, [orgId]);
  const typeNames = TYPE_MIX.map(([name]) => name);
  const typeCumulative = TYPE_MIX.map((_, i) => TYPE_MIX.slice(0, i + 1).reduce((s, [, p]) => s + p, 0));
  await sql.query(
    `CREATE TEMP TABLE bench_edges AS
     SELECT (row_number() OVER (ORDER BY random()))::int AS n, fk, tk, type FROM (
       SELECT DISTINCT ON (fk, tk, type) fk, tk, type FROM (
         SELECT ((floor($2::int * power(random(), $4))::bigint * 7919) % $2)::int AS fk,
                ((floor($2::int * power(random(), $5))::bigint * 104729) % $2)::int AS tk,
                ($6::text[])[width_bucket(r, $7::float8[]) + 1] AS type
         FROM (SELECT random() AS r FROM generate_series(1, $1::int)) s
       ) c WHERE fk <> tk LIMIT $3::int) d`,
    [Math.ceil(RELATIONSHIPS * 1.15), ARTIFACTS, RELATIONSHIPS, SOURCE_SKEW, TARGET_SKEW, typeNames, typeCumulative.slice(0, -1)],
  );
  const { rows: drawnRows } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM bench_edges`);
  const drawn = drawnRows[0]?.n ?? 0;
  if (drawn < RELATIONSHIPS) throw new Error(`drew only ${drawn} distinct relationships of ${RELATIONSHIPS}: the graph is too dense for ${ARTIFACTS} artifacts`);
  await sql.query(`ALTER TABLE bench_edges ADD PRIMARY KEY (n)`);
  const drawSeconds = secondsSince(t);
  progress(`drew ${RELATIONSHIPS.toLocaleString('en')} distinct relationship candidates in ${drawSeconds} s`);
  const relChunk = Math.max(10_000, Math.ceil(RELATIONSHIPS / 10));
  for (let done = 0; done < RELATIONSHIPS; ) {
    const n = Math.min(relChunk, RELATIONSHIPS - done);
    await sql.query(
      `INSERT INTO relationships (org_id, from_id, to_id, type, created_by)
       SELECT $1, f.id, t.id, e.type, $2 FROM bench_edges e JOIN bench_ids f ON f.k = e.fk JOIN bench_ids t ON t.k = e.tk
       WHERE e.n BETWEEN $3 AND $4`,
      [orgId, userIds[0], done + 1, done + n],
    );
    done += n;
    progress(`relationships ${done.toLocaleString('en')} / ${RELATIONSHIPS.toLocaleString('en')} (${Math.round(done / ((performance.now() - t) / 1000)).toLocaleString('en')} rows/s)`);
  }
  await sql.query(`DROP TABLE bench_ids`);
  await sql.query(`DROP TABLE bench_edges`);
  const relationshipsSeconds = secondsSince(t);

  // PGlite runs no autovacuum daemon, so nothing would ever ANALYZE these tables; see docs/benchmarks.md.
  let analyzeSeconds: number | null = null;
  if (!args['no-analyze']) {
    t = performance.now();
    await sql.query('ANALYZE');
    analyzeSeconds = secondsSince(t);
    progress(`ANALYZE in ${analyzeSeconds} s`);
  }

  const totalSeconds = secondsSince(loadStart);
  return {
    dataset: { orgId, viewerId: userIds[0]!, userIds, groupIds },
    load: {
      reused: false,
      migrateSeconds,
      identitySeconds,
      artifactsSeconds,
      sharesSeconds,
      relationshipDrawSeconds: drawSeconds,
      relationshipsSeconds,
      analyzeSeconds,
      totalSeconds,
      artifactsPerSecond: Math.round(ARTIFACTS / artifactsSeconds),
      relationshipsPerSecond: Math.round(RELATIONSHIPS / relationshipsSeconds),
    },
  };
}

async function describeDataset(sql: SqlClient, d: Dataset) {
  const { rows: vis } = await sql.query<{ visibility: string; live: number; deleted: number }>(
    `SELECT visibility, count(*) FILTER (WHERE deleted_at IS NULL)::int AS live, count(*) FILTER (WHERE deleted_at IS NOT NULL)::int AS deleted
     FROM artifacts WHERE org_id = $1 GROUP BY 1 ORDER BY 1`,
    [d.orgId],
  );
  const { rows: types } = await sql.query<{ type: string; n: number }>(
    `SELECT type, count(*)::int AS n FROM relationships WHERE org_id = $1 GROUP BY 1 ORDER BY 2 DESC`,
    [d.orgId],
  );
  const degree = async (column: 'from_id' | 'to_id') => {
    const { rows } = await sql.query<{ max: number; p50: number; p99: number; nodes: number }>(
      `SELECT max(c)::int AS max, percentile_disc(0.5) WITHIN GROUP (ORDER BY c)::int AS p50,
              percentile_disc(0.99) WITHIN GROUP (ORDER BY c)::int AS p99, count(*)::int AS nodes
       FROM (SELECT ${column}, count(*) AS c FROM relationships WHERE org_id = $1 GROUP BY 1) x`,
      [d.orgId],
    );
    return rows[0]!;
  };
  const { rows: shares } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM artifact_shares WHERE org_id = $1`, [d.orgId]);
  const visibleIds = await visibleArtifactIds(sql, d);
  const byVisibility: Record<string, { live: number; deleted: number }> = {};
  for (const v of vis) byVisibility[v.visibility] = { live: v.live, deleted: v.deleted };
  return {
    artifacts: ARTIFACTS,
    relationships: RELATIONSHIPS,
    byVisibility,
    deleted: vis.reduce((s, v) => s + v.deleted, 0),
    visibleToViewer: visibleIds.length,
    artifactShares: shares[0]?.n ?? 0,
    users: d.userIds.length,
    groups: d.groupIds.length,
    relationshipTypes: Object.fromEntries(types.map((r) => [r.type, r.n])),
    outDegree: await degree('from_id'),
    inDegree: await degree('to_id'),
    meanDegree: round((2 * RELATIONSHIPS) / ARTIFACTS, 1),
    generator: {
      seed: SEED,
      visibilityMix: VISIBILITY_MIX,
      deletedShare: DELETED_SHARE,
      typeMix: Object.fromEntries(TYPE_MIX),
      sourceSkew: SOURCE_SKEW,
      targetSkew: TARGET_SKEW,
    },
  };
}

/** Live artifacts the viewer may see (the rule of visibility.sql.ts), in insertion order. */
async function visibleArtifactIds(sql: SqlClient, d: Dataset): Promise<string[]> {
  const { rows } = await sql.query<{ id: string }>(
    `SELECT a.id FROM artifacts a WHERE a.org_id = $1 AND a.deleted_at IS NULL AND (
       a.visibility IN ('ORG', 'PUBLIC') OR a.owner_id = $2 OR (a.visibility = 'GROUP' AND EXISTS (
         SELECT 1 FROM artifact_shares s JOIN group_members m ON m.group_id = s.group_id WHERE s.artifact_id = a.id AND m.user_id = $2)))
     ORDER BY a.seq`,
    [d.orgId, d.viewerId],
  );
  return rows.map((r) => r.id);
}

// ---------------------------------------------------------------------------------------------
// Instrumented graph stores: how much of each call is spent inside the store, and how much the
// breadth-first search asked of it.

interface StoreCounters {
  expandCalls: number;
  frontierNodes: number;
  edges: number;
  expandMs: number;
  upsertNodesMs: number;
  upsertEdgesMs: number;
}

function instrument(store: GraphStore): { store: GraphStore; counters: StoreCounters } {
  const counters: StoreCounters = { expandCalls: 0, frontierNodes: 0, edges: 0, expandMs: 0, upsertNodesMs: 0, upsertEdgesMs: 0 };
  const timed = async <T>(key: 'expandMs' | 'upsertNodesMs' | 'upsertEdgesMs', fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      counters[key] += performance.now() - t;
    }
  };
  // A Proxy, so every other GraphStore method (present or added later) is the store's own.
  const overrides: Partial<GraphStore> = {
    async expand(orgId, frontier, options) {
      counters.expandCalls += 1;
      counters.frontierNodes += frontier.length;
      const edges = await timed('expandMs', () => store.expand(orgId, frontier, options));
      counters.edges += edges.length;
      return edges;
    },
    upsertNodes: (orgId, nodes) => timed('upsertNodesMs', () => store.upsertNodes(orgId, nodes)),
    upsertEdges: (orgId, edges) => timed('upsertEdgesMs', () => store.upsertEdges(orgId, edges)),
  };
  const wrapped = new Proxy(store, {
    get: (target, prop, receiver) => (Object.hasOwn(overrides, prop) ? overrides[prop as keyof GraphStore] : Reflect.get(target, prop, receiver)),
  });
  return { store: wrapped, counters };
}

// ---------------------------------------------------------------------------------------------
// Measurement

type BackendName = 'sql' | 'falkordb';

interface Backend {
  name: BackendName;
  services: Services;
  counters: StoreCounters;
  /**
   * Keeps a run bounded when a backend is pathologically slow (a query-plan regression, or the
   * SQL store without statistics): after `capQueries` samples whose median exceeds
   * `capMedianMs`, the rest of the operation is skipped for that backend; after such a cut or
   * an error, later operations are skipped too (they expand larger frontiers, and a FalkorDB
   * query the client gave up on keeps running on the server). Ratios are then computed on the
   * queries both backends ran. Absent with --no-cap (then errors abort the run).
   */
  cap?: { capQueries: number; capMedianMs: number; disabledReason?: string };
}

interface Sample {
  ms: number;
  storeMs: number;
  expandCalls: number;
  frontierNodes: number;
  edges: number;
  /** Neighbours returned or path hops (-1 when none). */
  size: number;
  /** Comparable form of the answer, to check the backends agree. */
  answer: string;
}

interface BackendStats extends LatencyStats {
  /** Median time inside GraphStore.expand (the rest is service code and its SQL look-ups). */
  storeP50: number;
  storeP99: number;
  storeMean: number;
  /** Time outside the store (service code, its SQL look-ups, JS), per query. */
  overheadP50: number;
  overheadP99: number;
  meanExpandCalls: number;
  meanFrontierNodes: number;
  meanEdgesReturned: number;
  meanResultSize: number;
}

interface BackendOutcome {
  stats: BackendStats | null;
  /** Queries not run on this backend (cap), and why. */
  skipped: number;
  skippedReason?: string;
  errors: number;
  errorExamples: string[];
  /** After an error: how long FalkorDB kept running the query the client had given up on. */
  serverBusySeconds?: number;
}

/** Set in main: waits until FalkorDB runs no query on the benchmark's graph; resolves with the seconds waited. */
let waitForServerIdle: (() => Promise<number>) | undefined;

interface OperationResult {
  op: string;
  params: Record<string, unknown>;
  queries: number;
  backends: Partial<Record<BackendName, BackendOutcome>>;
  /**
   * sql / falkordb of the same statistic: above 1 means FalkorDB is faster. `pairedQueries` <
   * `queries` when a backend was capped: the ratios are then over the queries both ran.
   */
  ratio: { p50: number; p99: number; mean: number; pairedQueries: number } | null;
  /** Queries whose answers were identical on both backends. */
  agreement: { compared: number; identical: number; examples: string[] };
  extra?: Record<string, unknown>;
}

async function measure(backend: Backend, run: (s: Services) => Promise<{ size: number; answer: string }>): Promise<Sample> {
  const c = backend.counters;
  const before = { ...c };
  const t = performance.now();
  const { size, answer } = await run(backend.services);
  const elapsed = performance.now() - t;
  return {
    ms: elapsed,
    storeMs: c.expandMs - before.expandMs,
    expandCalls: c.expandCalls - before.expandCalls,
    frontierNodes: c.frontierNodes - before.frontierNodes,
    edges: c.edges - before.edges,
    size,
    answer,
  };
}

function backendStats(samples: Sample[]): BackendStats | null {
  if (samples.length === 0) return null;
  const mean = (f: (s: Sample) => number) => round(samples.reduce((s, x) => s + f(x), 0) / samples.length, 1);
  const store = summarize(samples.map((s) => s.storeMs));
  const overhead = summarize(samples.map((s) => s.ms - s.storeMs));
  return {
    ...summarize(samples.map((s) => s.ms)),
    storeP50: store.p50,
    storeP99: store.p99,
    storeMean: store.mean,
    overheadP50: overhead.p50,
    overheadP99: overhead.p99,
    meanExpandCalls: mean((s) => s.expandCalls),
    meanFrontierNodes: mean((s) => s.frontierNodes),
    meanEdgesReturned: mean((s) => s.edges),
    meanResultSize: mean((s) => s.size),
  };
}

/**
 * Runs `inputs` on every backend, query by query, rotating which backend goes first, so a burst
 * of machine noise is shared rather than landing on one backend.
 */
async function compare<I>(
  op: string,
  params: Record<string, unknown>,
  backends: readonly Backend[],
  inputs: readonly I[],
  run: (s: Services, input: I) => Promise<{ size: number; answer: string }>,
): Promise<{ result: OperationResult; samples: Partial<Record<BackendName, Sample[]>> }> {
  const samples: Partial<Record<BackendName, (Sample | undefined)[]>> = {};
  const outcome = new Map<BackendName, { skipped: number; skippedReason?: string; errors: number; errorExamples: string[]; serverBusySeconds?: number }>();
  for (const b of backends) {
    samples[b.name] = [];
    outcome.set(b.name, { skipped: 0, errors: 0, errorExamples: [], ...(b.cap?.disabledReason ? { skippedReason: b.cap.disabledReason } : {}) });
  }
  const opStart = performance.now();
  for (let i = 0; i < inputs.length; i += 1) {
    const input = inputs[i]!;
    const order = backends.map((_, k) => backends[(i + k) % backends.length]!);
    for (const b of order) {
      const o = outcome.get(b.name)!;
      const list = samples[b.name]!;
      if (b.cap?.disabledReason) {
        o.skipped += 1;
        list.push(undefined);
        continue;
      }
      try {
        list.push(await measure(b, (s) => run(s, input)));
      } catch (error) {
        o.errors += 1;
        list.push(undefined);
        const text = `${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
        if (o.errorExamples.length < 3) o.errorExamples.push(text);
        if (!b.cap) throw error;
        b.cap.disabledReason =
          `stopped after an error on ${op} (${text})` + (b.name === 'falkordb' ? '; a query the client gave up on keeps running on the server' : '');
        o.skippedReason = b.cap.disabledReason;
        progress(`  ${b.name}: ${b.cap.disabledReason}`);
        // Do not measure the other backends while the abandoned query still runs on the server.
        if (b.name === 'falkordb' && waitForServerIdle) {
          o.serverBusySeconds = await waitForServerIdle();
          progress(`  waited ${o.serverBusySeconds} s for FalkorDB to finish the abandoned query`);
        }
        continue;
      }
      if (b.cap) {
        const done = list.filter((s): s is Sample => s !== undefined);
        const median = summarize(done.map((s) => s.ms)).p50;
        if (done.length >= b.cap.capQueries && median > b.cap.capMedianMs) {
          b.cap.disabledReason = `capped after ${done.length} queries of ${op} with a median of ${ms(median)} ms (> ${b.cap.capMedianMs} ms); later operations expand larger frontiers`;
          o.skippedReason = b.cap.disabledReason;
          progress(`  ${b.name}: ${b.cap.disabledReason}`);
        }
      }
    }
    if ((i + 1) % Math.max(1, Math.round(inputs.length / 4)) === 0 || i + 1 === inputs.length) {
      progress(`  ${op}: ${i + 1}/${inputs.length} (${secondsSince(opStart)} s)`);
    }
  }

  const result: OperationResult = {
    op,
    params,
    queries: inputs.length,
    backends: {},
    ratio: null,
    agreement: { compared: 0, identical: 0, examples: [] },
  };
  for (const b of backends) {
    const done = samples[b.name]!.filter((s): s is Sample => s !== undefined);
    const o = outcome.get(b.name)!;
    result.backends[b.name] = {
      stats: backendStats(done),
      skipped: o.skipped,
      ...(o.skippedReason ? { skippedReason: o.skippedReason } : {}),
      errors: o.errors,
      errorExamples: o.errorExamples,
      ...(o.serverBusySeconds !== undefined ? { serverBusySeconds: o.serverBusySeconds } : {}),
    };
  }
  // Ratios and agreement over the queries both backends answered.
  const pairedSql: number[] = [];
  const pairedFalkor: number[] = [];
  inputs.forEach((_, i) => {
    const q = samples.sql?.[i];
    const f = samples.falkordb?.[i];
    if (!q || !f) return;
    pairedSql.push(q.ms);
    pairedFalkor.push(f.ms);
    result.agreement.compared += 1;
    if (q.answer === f.answer) result.agreement.identical += 1;
    else if (result.agreement.examples.length < 3) result.agreement.examples.push(`#${i}: sql=${q.answer.slice(0, 160)} falkordb=${f.answer.slice(0, 160)}`);
  });
  if (pairedSql.length > 0) {
    const [q, f] = [summarize(pairedSql), summarize(pairedFalkor)];
    result.ratio = { p50: round(q.p50 / f.p50, 3), p99: round(q.p99 / f.p99, 3), mean: round(q.mean / f.mean, 3), pairedQueries: pairedSql.length };
  }
  const plain: Partial<Record<BackendName, Sample[]>> = {};
  for (const b of backends) plain[b.name] = samples[b.name]!.filter((s): s is Sample => s !== undefined);
  return { result, samples: plain };
}

// ---------------------------------------------------------------------------------------------
// FalkorDB side information (memory, PROFILE of one expand), through a separate raw client.

async function falkorInfo(url: string) {
  const db = await FalkorDB.connect({ url: url.replace(/^falkor(s?):/, 'redis$1:') });
  db.on('error', () => undefined);
  const connection = (await db.connection) as unknown as { sendCommand(args: string[]): Promise<unknown> };
  return {
    db,
    async usedMemoryMiB(): Promise<number | null> {
      try {
        const info = String(await connection.sendCommand(['INFO', 'memory']));
        const m = /used_memory:(\d+)/.exec(info);
        return m ? round(Number(m[1]) / 2 ** 20, 1) : null;
      } catch {
        return null;
      }
    },
    async graphMemory(graph: string): Promise<unknown> {
      try {
        return await connection.sendCommand(['GRAPH.MEMORY', 'USAGE', graph]);
      } catch (error) {
        return `unavailable: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
    async profile(graph: string, cypher: string): Promise<string[]> {
      try {
        return (await connection.sendCommand(['GRAPH.PROFILE', graph, cypher])) as string[];
      } catch (error) {
        return [`unavailable: ${error instanceof Error ? error.message : String(error)}`];
      }
    },
    /**
     * The commands sent for `graph` while `fn` runs, as argument lists, seen through MONITOR on
     * a separate connection (so the captured text is exactly what the store sent).
     */
    async captureQueries(graph: string, fn: () => Promise<unknown>): Promise<string[][]> {
      const monitorDb = await FalkorDB.connect({ url: url.replace(/^falkor(s?):/, 'redis$1:') });
      monitorDb.on('error', () => undefined);
      const lines: string[] = [];
      try {
        const monitor = (await monitorDb.connection) as unknown as { monitor(cb: (line: string) => void): Promise<void> };
        await monitor.monitor((line) => {
          if (String(line).includes(graph)) lines.push(String(line));
        });
        await fn();
        await new Promise((resolve) => setTimeout(resolve, 200));
      } finally {
        await monitorDb.close().catch(() => undefined);
      }
      return lines.map(parseMonitorLine);
    },
    /** Queries running or waiting on graphs whose name contains `graphPrefix` (GRAPH.INFO). */
    async busyQueries(graphPrefix: string): Promise<number> {
      const reply = (await connection.sendCommand(['GRAPH.INFO'])) as unknown[];
      let busy = 0;
      for (let i = 0; i + 1 < reply.length; i += 1) {
        if (/running|waiting/i.test(String(reply[i])) && Array.isArray(reply[i + 1])) {
          busy += (reply[i + 1] as unknown[]).filter((q) => JSON.stringify(q).includes(graphPrefix)).length;
        }
      }
      return busy;
    },
    async deleteGraph(graph: string): Promise<void> {
      await connection.sendCommand(['GRAPH.DELETE', graph]).catch(() => undefined);
    },
    async listGraphs(): Promise<string[]> {
      return ((await connection.sendCommand(['GRAPH.LIST'])) as string[]) ?? [];
    },
  };
}

/**
 * The arguments of one MONITOR line (`<time> [<db> <client>] "ARG" "ARG" …`), with Redis's
 * quoting (`\\`, `\"`, `\n`, `\r`, `\t`, `\a`, `\b`, `\xHH` bytes) undone.
 */
function parseMonitorLine(line: string): string[] {
  const args: string[] = [];
  let i = line.indexOf('] ') + 2;
  while (i > 1 && i < line.length) {
    if (line[i] !== '"') {
      i += 1;
      continue;
    }
    i += 1;
    const bytes: number[] = [];
    while (i < line.length && line[i] !== '"') {
      if (line[i] === '\\' && i + 1 < line.length) {
        const c = line[i + 1]!;
        if (c === 'x') {
          bytes.push(Number.parseInt(line.slice(i + 2, i + 4), 16));
          i += 4;
          continue;
        }
        const escaped: Record<string, number> = { n: 10, r: 13, t: 9, a: 7, b: 8 };
        bytes.push(escaped[c] ?? c.charCodeAt(0));
        i += 2;
        continue;
      }
      bytes.push(...Buffer.from(line[i]!, 'utf8'));
      i += 1;
    }
    args.push(Buffer.from(bytes).toString('utf8'));
    i += 1;
  }
  return args;
}

// ---------------------------------------------------------------------------------------------
// Main

const logger = createLogger('warn');
const graphPrefix = `bench_${startedAt.getTime()}`;
let dataDir = args['data-dir'];
const ownDataDir = !dataDir;
dataDir ??= await mkdtemp(path.join(os.tmpdir(), 'hivegraph-bench-'));

let sql: SqlClient | undefined;
let falkorStore: FalkorGraphStore | undefined;
let raw: Awaited<ReturnType<typeof falkorInfo>> | undefined;
let orgIdForCleanup: string | undefined;
let cleanedUp = false;

async function cleanup(): Promise<void> {
  if (cleanedUp) return;
  cleanedUp = true;
  if (falkorStore && orgIdForCleanup) await falkorStore.resetOrg(orgIdForCleanup).catch(() => undefined);
  if (raw) {
    await raw.deleteGraph(`${graphPrefix}_health`);
    await raw.db.close().catch(() => undefined);
  }
  await falkorStore?.close();
  await sql?.close().catch(() => undefined);
  if (ownDataDir && dataDir) await rm(dataDir, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up (FalkorDB graph ${graphPrefix}_*, ${ownDataDir ? dataDir : 'kept data dir'})`);
    void cleanup().finally(() => process.exit(130));
  });
}

try {
  progress(
    `graph benchmark: ${ARTIFACTS.toLocaleString('en')} artifacts, ${RELATIONSHIPS.toLocaleString('en')} relationships, ` +
      `queries ${QUERIES.neighbors1}/${QUERIES.neighbors2}/${QUERIES.neighbors3}/${QUERIES.neighbors3Wide}/${QUERIES.shortestPath}, PGlite in ${dataDir}, FalkorDB ${FALKOR_URL}`,
  );

  // FalkorDB first: fail fast, before minutes of generation, when it is not there.
  raw = await falkorInfo(FALKOR_URL).catch((error: unknown) => {
    throw new Error(`FalkorDB is not reachable at ${FALKOR_URL} (start it with \`npm run services\`, or pass --falkordb-url): ${String(error)}`);
  });
  const falkorMemoryBeforeMiB = await raw.usedMemoryMiB();
  const rawClient = raw;
  waitForServerIdle = async () => {
    const since = performance.now();
    while (performance.now() - since < 300_000) {
      const busy = await rawClient.busyQueries(graphPrefix).catch(() => 0);
      if (busy === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return secondsSince(since);
  };

  let t = performance.now();
  sql = await openSqlClient({ kind: 'pglite', dataDir });
  const openSeconds = secondsSince(t);
  progress(`PGlite opened in ${openSeconds} s`);
  const existing = await findExisting(sql);
  let dataset: Dataset;
  let load: LoadTimings & { openSeconds: number };
  if (existing) {
    progress(`reusing the dataset in ${dataDir}`);
    dataset = existing;
    load = {
      reused: true,
      openSeconds,
      migrateSeconds: 0,
      identitySeconds: 0,
      artifactsSeconds: 0,
      sharesSeconds: 0,
      relationshipDrawSeconds: 0,
      relationshipsSeconds: 0,
      analyzeSeconds: null,
      totalSeconds: 0,
      artifactsPerSecond: 0,
      relationshipsPerSecond: 0,
    };
  } else {
    const generated = await generate(sql);
    dataset = generated.dataset;
    load = { ...generated.load, openSeconds };
  }
  orgIdForCleanup = dataset.orgId;
  progress(`dataset ready (${load.reused ? 'reused' : `generated in ${load.totalSeconds} s`})`);
  const datasetInfo = await describeDataset(sql, dataset);
  progress(
    `visible to the viewer: ${datasetInfo.visibleToViewer.toLocaleString('en')}; out-degree max ${datasetInfo.outDegree.max}, in-degree max ${datasetInfo.inDegree.max}`,
  );
  const { rows: versionRows } = await sql.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
  const pgVersion = versionRows[0]?.v ?? 'unknown';

  // The graph stores, each behind its own services container (the real service code).
  const sqlGraph = instrument(await openGraphStore({ kind: 'sql' }, sql));
  falkorStore = (await openGraphStore({ kind: 'falkordb', url: FALKOR_URL, graphPrefix, connectTimeoutMs: 10_000 }, sql)) as FalkorGraphStore;
  const falkorGraph = instrument(falkorStore);
  const serviceDeps = { sql, logger, maxContentBytes: 1 << 20 };
  const cap = () => (args['no-cap'] ? {} : { cap: { capQueries: 3, capMedianMs: 1000 } });
  const sqlBackend: Backend = { name: 'sql', services: createServices({ ...serviceDeps, graph: sqlGraph.store }), counters: sqlGraph.counters, ...cap() };
  const falkorBackend: Backend = { name: 'falkordb', services: createServices({ ...serviceDeps, graph: falkorGraph.store }), counters: falkorGraph.counters, ...cap() };
  const backends = [sqlBackend, falkorBackend];

  // Project SQL → FalkorDB with the projector's resync (5,000-row pages).
  const graphName = `${graphPrefix}_${dataset.orgId}`;
  progress(`resync into FalkorDB graph ${graphName} …`);
  const resyncStart = performance.now();
  let nodesDoneAt = 0;
  let lastReport = 0;
  const projected = await falkorBackend.services.projector.resync((p) => {
    if (p.edges === 0 && p.nodes >= p.totalNodes && nodesDoneAt === 0) nodesDoneAt = performance.now();
    const share = (p.nodes + p.edges) / Math.max(1, p.totalNodes + p.totalEdges);
    if (share - lastReport >= 0.1 || share === 1) {
      lastReport = share;
      progress(`  resync ${p.nodes.toLocaleString('en')} nodes, ${p.edges.toLocaleString('en')} edges (${Math.round(share * 100)} %)`);
    }
  });
  const resyncSeconds = secondsSince(resyncStart);
  const nodePhaseSeconds = round((nodesDoneAt - resyncStart) / 1000);
  const edgePhaseSeconds = round(resyncSeconds - nodePhaseSeconds);
  const upsertSeconds = round((falkorGraph.counters.upsertNodesMs + falkorGraph.counters.upsertEdgesMs) / 1000);
  const size = await falkorStore.size(dataset.orgId);
  if (size.nodes !== ARTIFACTS || size.edges !== RELATIONSHIPS) {
    throw new Error(`FalkorDB holds ${size.nodes} nodes / ${size.edges} edges after resync, expected ${ARTIFACTS} / ${RELATIONSHIPS}`);
  }
  const resync = {
    seconds: resyncSeconds,
    nodes: projected.nodes,
    edges: projected.edges,
    nodePhaseSeconds,
    edgePhaseSeconds,
    nodesPerSecond: Math.round(projected.nodes / nodePhaseSeconds),
    edgesPerSecond: Math.round(projected.edges / edgePhaseSeconds),
    /** Time inside FalkorDB upserts; the rest is reading the 5,000-row pages from SQL. */
    falkorUpsertSeconds: upsertSeconds,
    falkorUpsertNodesSeconds: round(falkorGraph.counters.upsertNodesMs / 1000),
    falkorUpsertEdgesSeconds: round(falkorGraph.counters.upsertEdgesMs / 1000),
    sqlPageReadSeconds: round(resyncSeconds - upsertSeconds),
  };
  progress(
    `resync: ${resyncSeconds} s (nodes ${resync.nodesPerSecond.toLocaleString('en')}/s, edges ${resync.edgesPerSecond.toLocaleString('en')}/s; ` +
      `FalkorDB upserts ${upsertSeconds} s, SQL page reads ${resync.sqlPageReadSeconds} s)`,
  );
  const falkorMemoryAfterMiB = await raw.usedMemoryMiB();
  const falkorGraphMemory = await raw.graphMemory(graphName);

  // The viewer, roots and pairs: the same for every backend, drawn with a seeded generator.
  const viewer: Viewer = {
    userId: dataset.viewerId,
    orgId: dataset.orgId,
    handle: 'viewer',
    role: 'MEMBER',
    keyId: '00000000-0000-0000-0000-000000000000',
    keyPrefix: 'benchkey',
    tier: 'standard',
  };
  const visible = await visibleArtifactIds(sql, dataset);
  const random = seededRandom(SEED);
  const pick = () => visible[Math.floor(random() * visible.length)]!;
  const maxRoots = Math.max(QUERIES.neighbors1, QUERIES.neighbors2, QUERIES.neighbors3);
  const rootIds = Array.from({ length: maxRoots + WARMUP }, pick);
  const records = await sqlBackend.services.artifacts.getByIds(viewer, rootIds);
  const roots = records.map((r, i) => {
    if (!r) throw new Error(`root ${rootIds[i]} is not visible to the viewer`);
    return r;
  });
  const warmRoots = roots.slice(maxRoots);
  const pairs = Array.from({ length: QUERIES.shortestPath + WARMUP }, () => [pick(), pick()] as const);
  const warmPairs = pairs.slice(QUERIES.shortestPath);

  const neighbors = (depth: number, first = NEIGHBOR_FIRST) => async (s: Services, root: ArtifactRecord) => {
    const [ids] = await s.graph.neighbors(viewer, [root], { depth, first, direction: NEIGHBOR_DIRECTION });
    return { size: ids!.length, answer: ids!.join(',') };
  };
  const shortestPath = async (s: Services, [from, to]: readonly [string, string]) => {
    const p = await s.graph.shortestPath(viewer, from, to, { maxDepth: PATH_MAX_DEPTH });
    return { size: p ? p.length - 1 : -1, answer: p ? p.join('>') : 'none' };
  };

  // Warm-up: every operation on every backend, on roots and pairs not measured afterwards. A
  // backend whose warm-up query exceeds its cap's threshold stops warming up (it would take
  // minutes; the measurement will cap it anyway).
  progress(`warm-up (${WARMUP} queries per operation and backend)`);
  for (const b of backends) {
    const warmStart = performance.now();
    let tooSlow = false;
    const warm = async (run: () => Promise<unknown>) => {
      if (tooSlow) return;
      const t = performance.now();
      await run();
      if (b.cap && performance.now() - t > b.cap.capMedianMs) tooSlow = true;
    };
    for (const depth of [1, 2, 3]) for (const r of warmRoots) await warm(() => neighbors(depth)(b.services, r));
    for (const r of warmRoots.slice(0, 3)) await warm(() => neighbors(3, NEIGHBOR_FIRST_WIDE)(b.services, r));
    for (const p of warmPairs) await warm(() => shortestPath(b.services, p));
    progress(`  ${b.name} warmed up in ${secondsSince(warmStart)} s${tooSlow ? ' (cut short: a query took over ' + b.cap?.capMedianMs + ' ms)' : ''}`);
  }

  const operations: OperationResult[] = [];
  for (const depth of [1, 2, 3] as const) {
    const n = depth === 1 ? QUERIES.neighbors1 : depth === 2 ? QUERIES.neighbors2 : QUERIES.neighbors3;
    progress(`neighbors depth ${depth}: ${n} roots`);
    const { result } = await compare(
      `neighbors-${depth}`,
      { depth, first: NEIGHBOR_FIRST, direction: NEIGHBOR_DIRECTION },
      backends,
      roots.slice(0, n),
      neighbors(depth),
    );
    operations.push(result);
  }
  progress(`neighbors depth 3, first ${NEIGHBOR_FIRST_WIDE}: ${QUERIES.neighbors3Wide} roots`);
  const wide = await compare(
    'neighbors-3-wide',
    { depth: 3, first: NEIGHBOR_FIRST_WIDE, direction: NEIGHBOR_DIRECTION },
    backends,
    roots.slice(0, QUERIES.neighbors3Wide),
    neighbors(3, NEIGHBOR_FIRST_WIDE),
  );
  operations.push(wide.result);
  progress(`shortestPath maxDepth ${PATH_MAX_DEPTH}: ${QUERIES.shortestPath} pairs`);
  const pathRun = await compare('shortestPath', { maxDepth: PATH_MAX_DEPTH, direction: 'BOTH' }, backends, pairs.slice(0, QUERIES.shortestPath), shortestPath);
  const pathLengths = (samples: Sample[] | undefined) => {
    if (!samples || samples.length === 0) return null;
    const found = samples.filter((s) => s.size >= 0);
    const histogram: Record<string, number> = {};
    for (const s of samples) {
      const key = s.size < 0 ? 'none' : String(s.size);
      histogram[key] = (histogram[key] ?? 0) + 1;
    }
    return {
      pairs: samples.length,
      foundShare: round(found.length / samples.length, 3),
      meanHops: round(found.reduce((s, x) => s + x.size, 0) / Math.max(1, found.length), 2),
      histogram,
    };
  };
  pathRun.result.extra = Object.fromEntries(backends.map((b) => [b.name, pathLengths(pathRun.samples[b.name])]));
  operations.push(pathRun.result);

  // PROFILE of exactly what the store sends for one expand (a random root's BOTH hop), captured
  // with MONITOR: a plan that scans every node instead of starting from the id index is the
  // regression this benchmark once found (see docs/benchmarks.md).
  progress('PROFILE of one expand as the store sends it');
  const sent = await raw.captureQueries(graphName, () => falkorGraph.store.expand(dataset.orgId, [roots[0]!.id], { direction: 'BOTH', viewer: { orgId: dataset.orgId, userId: dataset.viewerId, groupIds: [dataset.groupIds[0]!] } }));
  const expandQuery = sent.find((args) => /^GRAPH\.(RO_)?QUERY$/i.test(args[0] ?? ''))?.[2];
  const expandProfile = expandQuery ? await raw.profile(graphName, expandQuery) : ['(the expand query was not captured)'];
  const expandPlanScansAllNodes = expandProfile.some((line) => /Label Scan|All Node Scan/i.test(line));
  if (expandPlanScansAllNodes) progress(`WARNING: FalkorDB plans expand with a scan of every node:\n${expandProfile.join('\n')}`);
  const falkorProfiles = { frontier: 1, query: expandQuery?.replace(/^CYPHER .*? (UNWIND)/s, '$1'), profile: expandProfile, scansAllNodes: expandPlanScansAllNodes };

  // Cleanup before writing, so a failure to clean up is visible.
  await falkorStore.resetOrg(dataset.orgId);
  await raw.deleteGraph(`${graphPrefix}_health`);
  const leftovers = (await raw.listGraphs()).filter((g) => g.startsWith(graphPrefix));
  progress(leftovers.length === 0 ? `deleted FalkorDB graph ${graphName}` : `WARNING: graphs left in FalkorDB: ${leftovers.join(', ')}`);

  const git = gitInfo();
  const totalSeconds = secondsSince(runStart);
  const result = {
    benchmark: 'graph',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    totalSeconds,
    git,
    machine: machineInfo(),
    options: { scale, seed: SEED, queries: QUERIES, warmup: WARMUP, analyze: !args['no-analyze'], dataDirReused: load.reused, cap: !args['no-cap'] },
    backends: {
      sql: { graphStore: 'sql (embedded)', sqlClient: 'pglite', postgres: pgVersion, note: 'in-process PGlite (PostgreSQL in WASM), on-disk data dir' },
      falkordb: { graphStore: 'falkordb (shipped)', url: FALKOR_URL, moduleVersion: falkorStore.moduleVersion },
    },
    dataset: datasetInfo,
    load,
    resync,
    falkordbMemory: { usedBeforeMiB: falkorMemoryBeforeMiB, usedAfterResyncMiB: falkorMemoryAfterMiB, graphMemoryUsage: falkorGraphMemory },
    ratioDefinition: 'sql / falkordb of the same statistic, measured in this run: above 1 means FalkorDB is faster',
    operations,
    falkordbExpandProfile: falkorProfiles,
    process: { peakRssMiB: peakRssMiB() },
  };
  const file = await writeResult('graph', startedAt, result);

  // Summary table.
  const cell = (o: OperationResult, name: BackendName, key: 'p50' | 'p99') => {
    const b = o.backends[name];
    if (!b?.stats) return 'skipped';
    return `${ms(b.stats[key])}${b.stats.n < o.queries ? ` (n=${b.stats.n})` : ''}`;
  };
  const ratio = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(value < 0.1 ? 4 : 2));
  console.log('');
  console.log('| operation | queries | SQL p50 | SQL p99 | FalkorDB p50 | FalkorDB p99 | ratio p50 (SQL/FalkorDB) | ratio p99 | same answers |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const o of operations) {
    console.log(
      `| ${o.op} | ${o.queries} | ${cell(o, 'sql', 'p50')} | ${cell(o, 'sql', 'p99')} | ${cell(o, 'falkordb', 'p50')} | ${cell(o, 'falkordb', 'p99')} | ` +
        `${ratio(o.ratio?.p50)} | ${ratio(o.ratio?.p99)} | ${o.agreement.identical}/${o.agreement.compared} |`,
    );
    if (o.agreement.identical !== o.agreement.compared) console.log(`WARNING: ${o.op}: answers differ: ${o.agreement.examples.join(' | ')}`);
  }
  const sqlPaths = (pathRun.result.extra as Record<string, { foundShare: number; meanHops: number } | null>).sql;
  console.log(
    `\npaths found: ${((sqlPaths?.foundShare ?? 0) * 100).toFixed(1)} %, mean ${sqlPaths?.meanHops} hops; load ${load.totalSeconds} s; ` +
      `resync ${resync.seconds} s; peak RSS ${result.process.peakRssMiB} MiB; total ${totalSeconds} s`,
  );
  console.log(`results: ${path.relative(process.cwd(), file)}`);
} finally {
  await cleanup();
}
