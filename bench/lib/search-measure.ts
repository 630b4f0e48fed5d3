/**
 * Measurement pieces of the search benchmark: running the same inputs through several ways of
 * answering them (interleaved, so machine noise is shared), exact nearest neighbours as the
 * ground truth, recall@k, and EXPLAIN ANALYZE of the statement a search sends.
 */
import { SqlParams } from '../../src/store/repositories/sql-params.ts';
import { toVectorLiteral } from '../../src/store/repositories/embeddings.repo.ts';
import { visibleArtifactSql, type VisibilityViewer } from '../../src/store/repositories/visibility.sql.ts';
import type { Queryable, SqlClient } from '../../src/store/types.ts';
import { round, secondsSince, summarize, type LatencyStats } from './harness.ts';

/** What one answer returned: ids best first and, for vector answers, their cosine distances. */
export interface Answer {
  ids: string[];
  distances?: number[];
}

/** Latencies and answers of one runner, in input order. */
export interface RunnerSamples {
  ms: number[];
  answers: Answer[];
}

/**
 * Runs every input through every runner, input by input, rotating which runner goes first, so
 * a burst of noise lands on all of them. `warmup` inputs are run first and not recorded.
 */
export async function interleave<I>(
  label: string,
  inputs: readonly I[],
  warmup: readonly I[],
  runners: Record<string, (input: I) => Promise<Answer>>,
  progress: (message: string) => void,
): Promise<Record<string, RunnerSamples>> {
  const names = Object.keys(runners);
  for (const input of warmup) for (const name of names) await runners[name]!(input);
  const samples: Record<string, RunnerSamples> = Object.fromEntries(names.map((n) => [n, { ms: [], answers: [] }]));
  const start = performance.now();
  for (let i = 0; i < inputs.length; i += 1) {
    for (let k = 0; k < names.length; k += 1) {
      const name = names[(i + k) % names.length]!;
      const t = performance.now();
      const answer = await runners[name]!(inputs[i]!);
      samples[name]!.ms.push(performance.now() - t);
      samples[name]!.answers.push(answer);
    }
  }
  progress(`  ${label}: ${inputs.length} inputs × ${names.join(', ')} in ${secondsSince(start)} s`);
  return samples;
}

/** Latency statistics of a runner. */
export function stats(samples: RunnerSamples): LatencyStats {
  return summarize(samples.ms);
}

/** `a / b` of p50, p99 and mean, 3 decimals. */
export function ratioOf(a: LatencyStats, b: LatencyStats): { p50: number; p99: number; mean: number } {
  return { p50: round(a.p50 / b.p50, 3), p99: round(a.p99 / b.p99, 3), mean: round(a.mean / b.mean, 3) };
}

/** Inputs whose id lists are identical in two runners. */
export function agreement(a: RunnerSamples, b: RunnerSamples): { compared: number; identical: number } {
  let identical = 0;
  a.answers.forEach((x, i) => {
    if (x.ids.join(',') === b.answers[i]?.ids.join(',')) identical += 1;
  });
  return { compared: a.answers.length, identical };
}

/**
 * The exact `k` nearest artifacts to `vector` that `viewer` may see, by a full scan: the same
 * predicate as the vector leg, but ordered by `distance + 0`, which no index provides.
 */
export async function exactNearest(q: Queryable, viewer: VisibilityViewer, vector: Float32Array, k: number): Promise<Answer> {
  const p = new SqlParams();
  const v = `${p.add(toVectorLiteral(vector))}::vector`;
  const where = visibleArtifactSql('a', p, viewer);
  const { rows } = await q.query<{ id: string; distance: number }>(
    `SELECT a.id, (a.embedding <=> ${v})::float8 AS distance FROM artifacts a
     WHERE ${where} AND a.embedding IS NOT NULL
     ORDER BY (a.embedding <=> ${v}) + 0, a.id LIMIT ${p.add(k)}`,
    p.values,
  );
  return { ids: rows.map((r) => r.id), distances: rows.map((r) => r.distance) };
}

/** Recall of one answer against the exact one. */
export interface RecallSample {
  /** Share of the exact top k found (ties at the k-th distance count as found). */
  recall: number;
  /** How many results came back (at most k). */
  returned: number;
}

/**
 * recall@k of `answer` against `truth` (both nearest first, with distances): a returned item
 * counts when its distance is within the exact k-th distance (+1e-6), so equidistant
 * alternatives are not penalised. With fewer than k visible items, the denominator shrinks.
 */
export function recallAt(answer: Answer, truth: Answer, k: number): RecallSample {
  const expected = Math.min(k, truth.ids.length);
  if (expected === 0) return { recall: 1, returned: answer.ids.length };
  const threshold = truth.distances![expected - 1]! + 1e-6;
  const found = (answer.distances ?? []).slice(0, k).filter((d) => d <= threshold).length;
  return { recall: Math.min(1, found / expected), returned: Math.min(k, answer.ids.length) };
}

/** Mean recall, the worst query, and how complete the answers were. */
export interface RecallSummary {
  meanRecall: number;
  minRecall: number;
  /** Queries with every exact neighbour found. */
  perfectShare: number;
  meanReturned: number;
  /** Queries that returned fewer than k results. */
  shortAnswers: number;
}

/** Summarises recall samples. */
export function summarizeRecall(samples: readonly RecallSample[], k: number): RecallSummary {
  const n = Math.max(1, samples.length);
  return {
    meanRecall: round(samples.reduce((s, x) => s + x.recall, 0) / n, 4),
    minRecall: round(Math.min(...samples.map((x) => x.recall)), 2),
    perfectShare: round(samples.filter((x) => x.recall === 1).length / n, 3),
    meanReturned: round(samples.reduce((s, x) => s + x.returned, 0) / n, 2),
    shortAnswers: samples.filter((x) => x.returned < k).length,
  };
}

/**
 * How many artifacts each query's full-text condition matches, whatever their visibility: the
 * rows the text leg must rank (its cost grows with them).
 */
export async function countTextMatches(q: Queryable, texts: readonly string[]): Promise<{ p50: number; p99: number; max: number; none: number }> {
  const counts: number[] = [];
  for (const text of texts) {
    const { rows } = await q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM artifacts WHERE search_tsv @@ websearch_to_tsquery('english'::regconfig, $1)`,
      [text],
    );
    counts.push(rows[0]?.n ?? 0);
  }
  const { p50, p99, max } = summarize(counts);
  return { p50, p99, max, none: counts.filter((n) => n === 0).length };
}

/** What a search plan shows: the indexes used, and whether visibility became a hashed SubPlan. */
export function checkPlan(plan: readonly string[]): { usesHnswIndex: boolean; usesTextIndex: boolean; hashedVisibilitySubplan: boolean; jit: boolean } {
  const text = plan.join('\n');
  return {
    usesHnswIndex: text.includes('artifacts_embedding_hnsw_idx'),
    usesTextIndex: text.includes('artifacts_search_tsv_idx'),
    hashedVisibilitySubplan: /hashed SubPlan/.test(text),
    jit: /^JIT:/m.test(text),
  };
}

/** A Queryable that remembers the last statement sent through it. */
export function capturing(q: Queryable): { queryable: Queryable; last: () => { text: string; params: readonly unknown[] } | undefined } {
  let last: { text: string; params: readonly unknown[] } | undefined;
  const queryable: Queryable = {
    query(text, params) {
      last = { text, params: params ?? [] };
      return q.query(text, params);
    },
    transaction: (fn) => q.transaction(fn),
  };
  return { queryable, last: () => last };
}

/** EXPLAIN (ANALYZE, BUFFERS) of a captured statement, as text lines (vector literals abbreviated). */
export async function explainAnalyze(sql: SqlClient, statement: { text: string; params: readonly unknown[] }): Promise<string[]> {
  const { rows } = await sql.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`, statement.params);
  return rows.map((r) => r['QUERY PLAN'].replace(/'\[[^\]]{80,}\]'::vector/g, "'[…]'::vector"));
}
