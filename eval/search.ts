/**
 * Runs the evaluation queries against `search` in one mode, one query at a time (so the
 * latencies are those of a lone caller), and maps the hits back to BEIR document ids.
 */
import type { BeirQuery } from './beir.ts';
import { throwIfErrors, type GraphQLClient } from './client.ts';

/** The API's search modes. */
export const SEARCH_MODES = ['HYBRID', 'VECTOR', 'TEXT'] as const;

/** One of {@link SEARCH_MODES}. */
export type SearchMode = (typeof SEARCH_MODES)[number];

const SEARCH = `query EvalSearch($query: String!, $mode: SearchMode!, $first: Int!, $filter: ArtifactFilter) {
  search(query: $query, mode: $mode, first: $first, filter: $filter) { score vectorRank textRank artifact { id } }
}`;

interface SearchData {
  search: { score: number; vectorRank: number | null; textRank: number | null; artifact: { id: string } }[];
}

/** What one mode's queries returned. */
export interface ModeRun {
  mode: SearchMode;
  /** Query id → BEIR document ids, best first (hits on artifacts outside the run are kept as `foreign:<id>`). */
  rankings: Map<string, string[]>;
  /** Client-side latency of each query (HTTP round trip; waits for a rate limit excluded), in ms, in query order. */
  latenciesMs: number[];
  /** Queries the server answered with an error (their ranking is empty). */
  failures: { queryId: string; message: string }[];
  /** Mean hits per query. */
  meanHits: number;
  /** Hits on artifacts this run did not create. */
  foreignHits: number;
  /** Among HYBRID hits: the share found by the vector leg, by the text leg (null for other modes). */
  legShare: { vector: number; text: number } | null;
}

/**
 * Sends a one-hit search in each mode, so a server without `search` (or a mode) fails before
 * any ingestion.
 * @throws Error naming what the server answered
 */
export async function probeSearch(client: GraphQLClient, modes: readonly SearchMode[]): Promise<void> {
  for (const mode of modes) {
    const response = await client.request<SearchData>(SEARCH, { query: 'probe', mode, first: 1 });
    throwIfErrors(response.errors, `search in mode ${mode} (does this server implement search?)`);
  }
}

/**
 * Runs every query in `mode` with `first` hits. The first query is sent once untimed before
 * the timed pass, so model warm-up does not land in the latencies.
 */
export async function runMode(
  client: GraphQLClient,
  queries: readonly BeirQuery[],
  mode: SearchMode,
  options: { first: number; artifactToDoc: ReadonlyMap<string, string>; filter?: Record<string, unknown>; onProgress?: (done: number) => void },
): Promise<ModeRun> {
  const run: ModeRun = { mode, rankings: new Map(), latenciesMs: [], failures: [], meanHits: 0, foreignHits: 0, legShare: null };
  const variables = (query: BeirQuery) => ({ query: query.text, mode, first: options.first, ...(options.filter ? { filter: options.filter } : {}) });
  if (queries[0]) await client.request<SearchData>(SEARCH, variables(queries[0]));
  let hits = 0;
  let vectorHits = 0;
  let textHits = 0;
  for (const [i, query] of queries.entries()) {
    const response = await client.request<SearchData>(SEARCH, variables(query));
    run.latenciesMs.push(client.lastAttemptMs());
    if (response.errors?.length || !response.data) {
      const error = response.errors?.[0];
      run.failures.push({ queryId: query.id, message: error ? `${error.extensions?.code ?? 'ERROR'}: ${error.message}` : 'no data' });
      run.rankings.set(query.id, []);
      continue;
    }
    const ranking: string[] = [];
    for (const hit of response.data.search) {
      const docId = options.artifactToDoc.get(hit.artifact.id);
      if (docId === undefined) run.foreignHits += 1;
      ranking.push(docId ?? `foreign:${hit.artifact.id}`);
      if (hit.vectorRank !== null) vectorHits += 1;
      if (hit.textRank !== null) textHits += 1;
    }
    hits += ranking.length;
    run.rankings.set(query.id, ranking);
    options.onProgress?.(i + 1);
  }
  run.meanHits = queries.length === 0 ? 0 : hits / queries.length;
  if (mode === 'HYBRID' && hits > 0) run.legShare = { vector: vectorHits / hits, text: textHits / hits };
  return run;
}
