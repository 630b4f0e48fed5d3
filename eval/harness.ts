/**
 * The evaluation run: reads a BEIR dataset, ingests its corpus through the GraphQL API of a
 * server (started in this process, or an existing one), runs every query in each search mode
 * and scores the rankings with nDCG@10 and recall@100. `eval/run.ts` is its command line;
 * tests call {@link runEval} directly.
 */
import { randomBytes } from 'node:crypto';
import { gitInfo, machineInfo, summarize, type LatencyStats, type MachineInfo } from '../bench/lib/harness.ts';
import { openBeirDataset, type BeirDoc, type BeirQuery } from './beir.ts';
import { createGraphQLClient, fetchReadiness, throwIfErrors, type GraphQLClient } from './client.ts';
import type { EmbeddedServer } from './embedded.ts';
import { ingestDocuments } from './ingest.ts';
import { evaluateRun, hasRelevant } from './metrics.ts';
import { buildReferenceBm25, REFERENCE_NAME } from './reference-bm25.ts';
import { probeSearch, runMode, type SearchMode } from './search.ts';

/** Options of {@link runEval}. */
export interface EvalOptions {
  /** The BEIR dataset directory. */
  dataset: string;
  /** Which qrels file: `qrels/<split>.tsv` (default `test`). */
  split?: string;
  /** An existing server's base URL (e.g. `http://127.0.0.1:4000`); with `key`. Unset: start one in this process. */
  url?: string;
  key?: string;
  /** HIVEGRAPH_EMBEDDER for the in-process server. */
  embedder?: string;
  /** Modes to evaluate, in order. */
  modes: readonly SearchMode[];
  /** Evaluate only the first N queries that have relevant judgements. */
  maxQueries?: number;
  /** Ingest at most N documents: every document judged for the evaluated queries, then others in corpus order. */
  maxDocs?: number;
  /** createArtifact mutations per request (default 30) and requests in flight (default 4). */
  batchSize?: number;
  concurrency?: number;
  /** Environment for the in-process server (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Progress and notices (default: none). */
  log?: (line: string) => void;
  /** Also run the reference BM25 engine on the same documents and queries (default true). */
  reference?: boolean;
}

/** Metrics and timings of one mode. */
export interface ModeResult {
  mode: SearchMode;
  ndcgAt10: number;
  recallAt100: number;
  latencyMs: LatencyStats;
  failures: { queryId: string; message: string }[];
  meanHits: number;
  foreignHits: number;
  legShare: { vector: number; text: number } | null;
  /** Means by query type (`metadata.type` in queries.jsonl), when the dataset gives types. */
  byQueryType: Record<string, { queries: number; ndcgAt10: number; recallAt100: number }>;
  perQuery: Record<string, { ndcgAt10: number; recallAt100: number }>;
  /** The first 10 document ids each query returned (for inspection). */
  top10: Record<string, string[]>;
  /** nDCG@10 ÷ the reference BM25's, measured in the same run (null without a reference). */
  ratioToReference: number | null;
}

/** The reference BM25 engine's scores on the same documents and queries (eval/reference-bm25.ts). */
export interface ReferenceResult {
  name: string;
  documents: number;
  ndcgAt10: number;
  recallAt100: number;
  latencyMs: LatencyStats;
  byQueryType: ModeResult['byQueryType'];
  perQuery: ModeResult['perQuery'];
}

/** Everything a run measured (written as JSON by the CLI). */
export interface EvalResult {
  benchmark: 'eval';
  startedAt: string;
  finishedAt: string;
  totalSeconds: number;
  git: { commit: string; dirty: boolean };
  machine: MachineInfo;
  options: Record<string, unknown>;
  dataset: {
    name: string;
    dir: string;
    split: string;
    corpusDocs: number;
    ingestedDocs: number;
    skippedDocs: { id: string; reason: string }[];
    queries: number;
    judgements: number;
    judgedDocsMissingFromCorpus: number;
    queriesWithoutText: number;
  };
  server: { mode: 'in-process' | 'external'; url: string; sql: string; graph: string; embedder: string; readiness: unknown };
  /** `org`: searches see the whole org; `evalRun`: the org held other artifacts, so searches filter on this run's metadata. */
  scope: 'org' | 'evalRun';
  runId: string;
  ingest: { docs: number; seconds: number; docsPerSecond: number; requests: number; batchSize: number; concurrency: number; clipped: number; titleAsContent: number };
  /** The reference BM25 run (absent with `reference: false`). */
  reference?: ReferenceResult;
  modes: ModeResult[];
}

const FIRST = 100;

/**
 * Runs the evaluation end to end.
 * @throws BeirFormatError for a bad dataset (before anything is sent to a server)
 * @throws ServerUnreachableError / KeyRejectedError / StartupError when the server cannot be used
 */
export async function runEval(options: EvalOptions): Promise<EvalResult> {
  const log = options.log ?? (() => {});
  const startedAt = new Date();
  const t0 = performance.now();
  const split = options.split ?? 'test';
  const dataset = await openBeirDataset(options.dataset, { split });

  // Queries: those with a relevant judgement, in file order, optionally the first N.
  let queries: BeirQuery[] = dataset.queries.filter((q) => hasRelevant(dataset.qrels.get(q.id)!));
  if (options.maxQueries !== undefined) queries = queries.slice(0, options.maxQueries);
  const qrels = new Map(queries.map((q) => [q.id, dataset.qrels.get(q.id)!]));
  const judged = new Set<string>();
  for (const judgements of qrels.values()) for (const id of judgements.keys()) judged.add(id);

  // Pass 1 validates the whole corpus before anything is sent, and sizes the selection.
  let corpusDocs = 0;
  const judgedPresent = new Set<string>();
  for await (const doc of dataset.corpus()) {
    corpusDocs += 1;
    if (judged.has(doc.id)) judgedPresent.add(doc.id);
  }
  const othersBudget = options.maxDocs === undefined ? Number.POSITIVE_INFINITY : Math.max(0, options.maxDocs - judgedPresent.size);
  const planned = judgedPresent.size + Math.min(corpusDocs - judgedPresent.size, othersBudget);
  if (options.maxDocs !== undefined && judgedPresent.size > options.maxDocs) {
    log(`note: the ${queries.length} queries judge ${judgedPresent.size} documents, more than --max-docs ${options.maxDocs}; all of them are ingested (lower --max-queries for fewer)`);
  }
  const missing = [...judged].filter((id) => !judgedPresent.has(id)).length;
  if (missing > 0) log(`note: ${missing} judged document(s) are not in corpus.jsonl (they still count in the ideal ranking)`);
  log(`dataset ${dataset.name}: ${corpusDocs} documents (ingesting ${planned}), ${queries.length} queries with relevant judgements`);

  let embedded: EmbeddedServer | undefined;
  try {
    let url: string;
    let key: string;
    if (options.url !== undefined) {
      url = options.url;
      key = options.key ?? '';
    } else {
      log(`starting an in-process server${options.embedder ? ` (HIVEGRAPH_EMBEDDER=${options.embedder})` : ''}…`);
      // Imported here so runs against --url (and the CLI's usage errors) never load the server.
      const { startEmbeddedServer } = await import('./embedded.ts');
      embedded = await startEmbeddedServer({ ...(options.embedder ? { embedder: options.embedder } : {}), ...(options.env ? { env: options.env } : {}) });
      url = embedded.url;
      key = embedded.key;
    }
    const readiness = await fetchReadiness(url);
    const client = createGraphQLClient({
      graphqlUrl: new URL('/graphql', url).toString(),
      key,
      onRateLimited: (s) => log(`rate limited: waiting ${s} s`),
    });
    await probeSearch(client, options.modes);
    const backend = describeBackends(readiness);
    log(`server ${url}: sql ${backend.sql}, graph ${backend.graph}, embedder ${backend.embedder}`);

    const runId = randomBytes(4).toString('hex');
    const existing = await client.request<{ artifacts: { edges: unknown[] } }>('{ artifacts(first: 1) { edges { cursor } } }');
    throwIfErrors(existing.errors, 'listing artifacts');
    const scope = (existing.data?.artifacts.edges.length ?? 0) > 0 ? 'evalRun' : 'org';
    if (scope === 'evalRun') log(`note: the org already holds artifacts; searches filter on metadata {"evalRun":"${runId}"}`);

    const batchSize = options.batchSize ?? 30;
    const concurrency = options.concurrency ?? 4;
    let lastReport = 0;
    const ingestStart = performance.now();
    const ingest = await ingestDocuments(client, selectDocs(dataset.corpus(), judged, othersBudget), {
      runId,
      dataset: dataset.name,
      total: planned,
      batchSize,
      concurrency,
      onProgress: (done) => {
        const now = performance.now();
        if (now - lastReport < 2000 && done < planned) return;
        lastReport = now;
        const seconds = (now - ingestStart) / 1000;
        log(`ingest: ${done}/${planned} docs (${(done / Math.max(seconds, 1e-9)).toFixed(1)} docs/s)`);
      },
    });
    log(`ingested ${ingest.ingested} docs in ${ingest.seconds.toFixed(1)} s (${ingest.docsPerSecond.toFixed(1)} docs/s, ${ingest.requests} requests)`);
    if (ingest.skipped.length > 0) {
      log(`skipped ${ingest.skipped.length} doc(s), e.g. ${ingest.skipped.slice(0, 3).map((s) => `${s.id}: ${s.reason}`).join('; ')}`);
    }

    let reference: ReferenceResult | undefined;
    if (options.reference !== false) {
      // The same documents the server holds: the same selection, less what ingest skipped.
      const skipped = new Set(ingest.skipped.map((s) => s.id));
      const engine = await buildReferenceBm25(
        (async function* () {
          for await (const doc of selectDocs(dataset.corpus(), judged, othersBudget)) if (!skipped.has(doc.id)) yield doc;
        })(),
      );
      const run = engine.rank(queries, FIRST);
      const metrics = evaluateRun(run.rankings, qrels, { ndcgK: 10, recallK: FIRST });
      const perQuery: ModeResult['perQuery'] = {};
      for (const [queryId, m] of metrics.perQuery) perQuery[queryId] = { ndcgAt10: m.ndcg, recallAt100: m.recall };
      reference = {
        name: REFERENCE_NAME,
        documents: engine.documents,
        ndcgAt10: metrics.ndcg,
        recallAt100: metrics.recall,
        latencyMs: summarize(run.latenciesMs),
        byQueryType: meansByType(queries, perQuery),
        perQuery,
      };
      log(`reference BM25: nDCG@10 ${metrics.ndcg.toFixed(4)}, recall@100 ${metrics.recall.toFixed(4)} (${REFERENCE_NAME}, ${engine.documents} docs)`);
    }

    const modes: ModeResult[] = [];
    for (const mode of options.modes) {
      const run = await runMode(client, queries, mode, {
        first: FIRST,
        artifactToDoc: ingest.artifactToDoc,
        ...(scope === 'evalRun' ? { filter: { metadata: { evalRun: runId } } } : {}),
      });
      // As BEIR's evaluation does by default: a document never counts as a result for a query of the same id.
      for (const [queryId, ranking] of run.rankings) run.rankings.set(queryId, ranking.filter((id) => id !== queryId));
      const metrics = evaluateRun(run.rankings, qrels, { ndcgK: 10, recallK: FIRST });
      const perQuery: ModeResult['perQuery'] = {};
      for (const [queryId, m] of metrics.perQuery) perQuery[queryId] = { ndcgAt10: m.ndcg, recallAt100: m.recall };
      const top10: ModeResult['top10'] = {};
      for (const [queryId, ranking] of run.rankings) top10[queryId] = ranking.slice(0, 10);
      modes.push({
        mode,
        ndcgAt10: metrics.ndcg,
        recallAt100: metrics.recall,
        latencyMs: summarize(run.latenciesMs),
        failures: run.failures,
        meanHits: run.meanHits,
        foreignHits: run.foreignHits,
        legShare: run.legShare,
        byQueryType: meansByType(queries, perQuery),
        perQuery,
        top10,
        ratioToReference: reference && reference.ndcgAt10 > 0 ? metrics.ndcg / reference.ndcgAt10 : null,
      });
      log(`${mode}: nDCG@10 ${metrics.ndcg.toFixed(4)}, recall@100 ${metrics.recall.toFixed(4)}${run.failures.length ? `, ${run.failures.length} failed queries` : ''}`);
    }

    return {
      benchmark: 'eval',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      totalSeconds: (performance.now() - t0) / 1000,
      git: gitInfo(),
      machine: machineInfo(),
      options: { ...options, key: undefined, env: undefined, log: undefined },
      dataset: {
        name: dataset.name,
        dir: dataset.dir,
        split,
        corpusDocs,
        ingestedDocs: ingest.ingested,
        skippedDocs: ingest.skipped,
        queries: queries.length,
        judgements: [...qrels.values()].reduce((n, j) => n + j.size, 0),
        judgedDocsMissingFromCorpus: missing,
        queriesWithoutText: dataset.queriesWithoutText.length,
      },
      server: { mode: embedded ? 'in-process' : 'external', url, ...backend, readiness },
      scope,
      runId,
      ingest: {
        docs: ingest.ingested,
        seconds: ingest.seconds,
        docsPerSecond: ingest.docsPerSecond,
        requests: ingest.requests,
        batchSize,
        concurrency,
        clipped: ingest.clipped,
        titleAsContent: ingest.titleAsContent,
      },
      ...(reference ? { reference } : {}),
      modes,
    };
  } finally {
    await embedded?.close();
  }
}

/** Mean metrics per query type; empty when no query has a type. */
function meansByType(queries: readonly BeirQuery[], perQuery: ModeResult['perQuery']): ModeResult['byQueryType'] {
  const sums: ModeResult['byQueryType'] = {};
  for (const query of queries) {
    const m = perQuery[query.id];
    if (query.type === undefined || !m) continue;
    const s = (sums[query.type] ??= { queries: 0, ndcgAt10: 0, recallAt100: 0 });
    s.queries += 1;
    s.ndcgAt10 += m.ndcgAt10;
    s.recallAt100 += m.recallAt100;
  }
  for (const s of Object.values(sums)) {
    s.ndcgAt10 /= s.queries;
    s.recallAt100 /= s.queries;
  }
  return sums;
}

/** Every judged document, then other documents in corpus order while `othersBudget` lasts. */
async function* selectDocs(corpus: AsyncIterable<BeirDoc>, judged: ReadonlySet<string>, othersBudget: number): AsyncGenerator<BeirDoc> {
  let others = 0;
  for await (const doc of corpus) {
    if (judged.has(doc.id)) yield doc;
    else if (others < othersBudget) {
      others += 1;
      yield doc;
    }
  }
}

/** Backend names from a /readyz body (`unknown` where absent). */
function describeBackends(readiness: Record<string, unknown>): { sql: string; graph: string; embedder: string } {
  const checks = (readiness['checks'] ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const name = (check: Record<string, unknown> | undefined) => {
    if (!check) return 'unknown';
    const backend = typeof check['backend'] === 'string' ? check['backend'] : 'unknown';
    const model = typeof check['model'] === 'string' ? ` (${check['model']})` : '';
    return `${backend}${model}`;
  };
  return { sql: name(checks['sql']), graph: name(checks['graph']), embedder: name(checks['embedder']) };
}
