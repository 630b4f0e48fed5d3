/**
 * Ranking metrics, defined as pytrec_eval (trec_eval) and therefore BEIR compute them:
 *
 * - nDCG@k: DCG@k = Σ_{i=1..k} rel_i / log2(i + 1) with the graded relevance itself as gain
 *   (trec_eval's `ndcg_cut`, not the 2^rel − 1 variant), divided by the DCG@k of the ideal
 *   ordering of the query's judgements.
 * - recall@k: relevant documents (relevance > 0) in the first k, divided by all relevant ones.
 *
 * A ranking lists document ids best first; a document without a judgement has relevance 0.
 * Pure functions, no I/O.
 */

/** Document ids, best first. */
export type Ranking = readonly string[];

/** One query's graded judgements: document id → relevance (≤ 0 means not relevant). */
export type Judgements = ReadonlyMap<string, number>;

/** Per-query and mean metrics of one run. */
export interface RunMetrics {
  /** Queries evaluated: those with at least one relevant judgement. */
  queries: number;
  /** Mean nDCG@`ndcgK` over the evaluated queries. */
  ndcg: number;
  /** Mean recall@`recallK` over the evaluated queries. */
  recall: number;
  ndcgK: number;
  recallK: number;
  /** Each evaluated query's values, by query id. */
  perQuery: Map<string, { ndcg: number; recall: number }>;
}

/** Gain of a judgement: the relevance when positive, else 0. */
function gain(relevance: number | undefined): number {
  return relevance !== undefined && relevance > 0 ? relevance : 0;
}

/** The first occurrence of each id, in order (a run must not count a document twice). */
function distinct(ranking: Ranking): string[] {
  return [...new Set(ranking)];
}

/**
 * Discounted cumulative gain of `gains` (best first) over the first `k`:
 * Σ gains[i] / log2(i + 2) for i = 0..k−1.
 */
export function dcg(gains: readonly number[], k: number): number {
  let sum = 0;
  const n = Math.min(k, gains.length);
  for (let i = 0; i < n; i += 1) sum += gains[i]! / Math.log2(i + 2);
  return sum;
}

/**
 * nDCG@k of one ranking against one query's judgements, in [0, 1]. The ideal DCG comes from
 * the judgements alone (also documents the ranking never returned); 0 when the query has no
 * relevant document. A ranking shorter than `k` simply contributes nothing after its end.
 */
export function ndcgAtK(ranking: Ranking, judgements: Judgements, k: number): number {
  const ideal = dcg(
    [...judgements.values()].map(gain).filter((g) => g > 0).sort((a, b) => b - a),
    k,
  );
  if (ideal === 0) return 0;
  return dcg(distinct(ranking).map((id) => gain(judgements.get(id))), k) / ideal;
}

/**
 * recall@k of one ranking: relevant documents among the first `k` over all relevant
 * documents of the query (relevance > 0); 0 when there is none.
 */
export function recallAtK(ranking: Ranking, judgements: Judgements, k: number): number {
  let relevant = 0;
  for (const relevance of judgements.values()) if (gain(relevance) > 0) relevant += 1;
  if (relevant === 0) return 0;
  let found = 0;
  for (const id of distinct(ranking).slice(0, k)) if (gain(judgements.get(id)) > 0) found += 1;
  return found / relevant;
}

/** Arithmetic mean; 0 for no values. */
export function mean(values: Iterable<number>): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    sum += v;
    n += 1;
  }
  return n === 0 ? 0 : sum / n;
}

/** Whether a query has at least one relevant judgement (only those are evaluated). */
export function hasRelevant(judgements: Judgements): boolean {
  for (const relevance of judgements.values()) if (gain(relevance) > 0) return true;
  return false;
}

/**
 * Evaluates a run: nDCG@`ndcgK` and recall@`recallK` for every query of `qrels` that has a
 * relevant document, averaged over those queries. A query missing from `rankings` counts as
 * an empty ranking (0 for both); queries without a relevant judgement are left out, as
 * trec_eval leaves out queries absent from the qrels.
 */
export function evaluateRun(
  rankings: ReadonlyMap<string, Ranking>,
  qrels: ReadonlyMap<string, Judgements>,
  options: { ndcgK?: number; recallK?: number } = {},
): RunMetrics {
  const ndcgK = options.ndcgK ?? 10;
  const recallK = options.recallK ?? 100;
  const perQuery = new Map<string, { ndcg: number; recall: number }>();
  for (const [queryId, judgements] of qrels) {
    if (!hasRelevant(judgements)) continue;
    const ranking = rankings.get(queryId) ?? [];
    perQuery.set(queryId, { ndcg: ndcgAtK(ranking, judgements, ndcgK), recall: recallAtK(ranking, judgements, recallK) });
  }
  const values = [...perQuery.values()];
  return {
    queries: perQuery.size,
    ndcg: mean(values.map((v) => v.ndcg)),
    recall: mean(values.map((v) => v.recall)),
    ndcgK,
    recallK,
    perQuery,
  };
}
