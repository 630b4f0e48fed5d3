/**
 * The search benchmark's two query runs: every mode at three layers (SQL statement, service,
 * GraphQL over HTTP), and the vector leg at several pgvector settings against the exact scan.
 */
import type { SearchConfig } from '../../src/config/config.ts';
import { fromGlobalId } from '../../src/resolvers/ids.ts';
import type { RunningServer } from '../../src/server/server.ts';
import type { SearchLegs } from '../../src/services/index.ts';
import { searchArtifacts } from '../../src/store/repositories/search.repo.ts';
import type { SqlClient } from '../../src/store/types.ts';
import type { GraphQLClient } from './graphql-client.ts';
import type { LatencyStats } from './harness.ts';
import type { BenchPrincipal } from './search-identity.ts';
import {
  agreement,
  capturing,
  checkPlan,
  exactNearest,
  explainAnalyze,
  interleave,
  ratioOf,
  recallAt,
  stats,
  summarizeRecall,
  type Answer,
} from './search-measure.ts';
import type { SearchResult, VectorVariantResult } from './search-report.ts';

/** A search query and its embedding, as the server would compute it. */
export interface QueryInput {
  text: string;
  vector: Float32Array;
}

/** What both runs need. */
export interface RunContext {
  /** The benchmark's client, with the server's session settings. */
  sql: SqlClient;
  server: RunningServer;
  api: GraphQLClient;
  search: SearchConfig;
  /** Hits per search. */
  first: number;
  /** Viewers by name, each asking every query. */
  viewers: [string, BenchPrincipal][];
  measured: readonly QueryInput[];
  warmup: readonly QueryInput[];
  progress: (message: string) => void;
}

/** EXPLAIN ANALYZE of one search statement as sent, with what it shows. */
export interface PlanRecord {
  viewer: string;
  mode: SearchLegs;
  query: string;
  check: ReturnType<typeof checkPlan>;
  plan: string[];
}

const SEARCH = `query($q: String!, $mode: SearchMode!, $first: Int!) { search(query: $q, mode: $mode, first: $first) { artifact { id } score } }`;

/**
 * Runs every query in every mode for every viewer at the SQL layer (`searchArtifacts`, the
 * vector precomputed), through the service (embeds the text, then the same SQL) and through
 * GraphQL over HTTP, interleaved; then EXPLAIN ANALYZE of the first query's statement.
 */
export async function measureModes(ctx: RunContext): Promise<{ results: SearchResult[]; plans: PlanRecord[] }> {
  const results: SearchResult[] = [];
  const plans: PlanRecord[] = [];
  for (const [viewerName, who] of ctx.viewers) {
    for (const mode of ['HYBRID', 'VECTOR', 'TEXT'] as const) {
      const captured = capturing(ctx.sql);
      const request = (input: QueryInput) => ({ mode, text: input.text, vector: input.vector, filter: {}, first: ctx.first, candidates: ctx.search.candidates, rrfK: ctx.search.rrfK });
      const toAnswer = (hits: { artifact: { id: string } }[]): Answer => ({ ids: hits.map((h) => h.artifact.id) });
      const samples = await interleave(`${mode} as ${viewerName}`, ctx.measured, ctx.warmup, {
        sql: async (input) => toAnswer(await searchArtifacts(captured.queryable, who.viewer, request(input))),
        service: async (input) => toAnswer(await ctx.server.services.search.search(who.viewer, { query: input.text, mode, filter: {}, first: ctx.first })),
        graphql: async (input) => {
          const data = await ctx.api.request<{ search: { artifact: { id: string } }[] }>(who.key, SEARCH, { q: input.text, mode, first: ctx.first });
          return { ids: data.search.map((h) => fromGlobalId(h.artifact.id, 'Artifact').id) };
        },
      }, ctx.progress);
      const [s, v, g] = [stats(samples.sql!), stats(samples.service!), stats(samples.graphql!)];
      const hits = samples.sql!.answers.map((a) => a.ids.length);
      results.push({
        mode,
        viewer: viewerName,
        queries: ctx.measured.length,
        layers: { sql: s, service: v, graphql: g },
        ratio: { graphqlToSql: ratioOf(g, s), serviceToSql: ratioOf(v, s) },
        agreement: { sqlGraphql: agreement(samples.sql!, samples.graphql!), sqlService: agreement(samples.sql!, samples.service!) },
        results: { mean: hits.reduce((a, b) => a + b, 0) / hits.length, empty: hits.filter((n) => n === 0).length, full: hits.filter((n) => n === ctx.first).length },
      });
      await searchArtifacts(captured.queryable, who.viewer, request(ctx.measured[0]!));
      const plan = await explainAnalyze(ctx.sql, captured.last()!);
      const check = checkPlan(plan);
      plans.push({ viewer: viewerName, mode, query: ctx.measured[0]!.text, check, plan });
      if (check.hashedVisibilitySubplan) ctx.progress(`  note: the ${mode} plan for ${viewerName} hashes every share the viewer can see (hashed SubPlan), per statement`);
      if (mode !== 'TEXT' && !check.usesHnswIndex) ctx.progress(`  WARNING: the ${mode} plan does not use the HNSW index:\n${plan.join('\n')}`);
    }
  }
  return { results, plans };
}

/** One pgvector setting of the vector leg, with the client that has it. */
export interface VectorVariant {
  name: string;
  efSearch: number;
  iterativeScan: string;
  client: SqlClient;
}

/** The vector leg for one viewer: the exact baseline and each setting. */
export interface VectorLegResult {
  viewer: string;
  exact: LatencyStats;
  variants: VectorVariantResult[];
}

/**
 * Runs VECTOR-mode searches at each setting and the exact scan (on `exactClient`), query by
 * query, and scores each setting's hits with recall@first against the exact answer.
 */
export async function measureVectorLeg(ctx: RunContext, exactClient: SqlClient, variants: readonly VectorVariant[]): Promise<VectorLegResult[]> {
  const results: VectorLegResult[] = [];
  for (const [viewerName, who] of ctx.viewers) {
    const runners: Record<string, (input: QueryInput) => Promise<Answer>> = {
      exact: (input) => exactNearest(exactClient, who.viewer, input.vector, ctx.first),
    };
    for (const v of variants) {
      runners[v.name] = async (input) => {
        const hits = await searchArtifacts(v.client, who.viewer, {
          mode: 'VECTOR', text: input.text, vector: input.vector, filter: {}, first: ctx.first, candidates: ctx.search.candidates, rrfK: ctx.search.rrfK,
        });
        return { ids: hits.map((h) => h.artifact.id), distances: hits.map((h) => 1 - h.score) };
      };
    }
    const samples = await interleave(`vector leg vs exact as ${viewerName}`, ctx.measured, ctx.warmup.slice(0, 2), runners, ctx.progress);
    const exact = stats(samples.exact!);
    results.push({
      viewer: viewerName,
      exact,
      variants: variants.map((v) => {
        const latency = stats(samples[v.name]!);
        const recall = summarizeRecall(samples[v.name]!.answers.map((a, i) => recallAt(a, samples.exact!.answers[i]!, ctx.first)), ctx.first);
        return { name: v.name, efSearch: v.efSearch, iterativeScan: v.iterativeScan, latency, ratioToExact: ratioOf(latency, exact), recall };
      }),
    });
  }
  return results;
}
