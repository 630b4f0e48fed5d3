/**
 * The reference every search mode is compared with in the same run: a plain, well-known BM25
 * engine over the same documents and queries — MiniSearch (BM25+, its default k1 1.2, b 0.7,
 * d 0.5) with Porter stemming (`stemmer`) and Lucene's English stop words, title and text as
 * two fields of equal weight, any query word matching (OR), as a BEIR BM25 baseline searches.
 * It runs in this process and never touches the server.
 */
import MiniSearch from 'minisearch';
import { stemmer } from 'stemmer';
import type { BeirDoc, BeirQuery } from './beir.ts';
import type { Ranking } from './metrics.ts';

/** What the reference is, for reports. */
export const REFERENCE_NAME = 'MiniSearch 7.2 BM25+ (Porter stemmer, Lucene English stop words)';

/** Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET, the stop list of BM25 baselines (Anserini, Elasticsearch `_english_`). */
const STOP_WORDS = new Set(
  'a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with'.split(' '),
);

/** Lower-cases, drops stop words and stems one token (null drops it). */
function processTerm(term: string): string | null {
  const lower = term.toLowerCase();
  if (lower.length === 0 || STOP_WORDS.has(lower)) return null;
  return stemmer(lower);
}

/** A built reference index. */
export interface ReferenceBm25 {
  readonly documents: number;
  /** The first `first` document ids for each query, best first. */
  rank(queries: readonly BeirQuery[], first: number): { rankings: Map<string, Ranking>; latenciesMs: number[] };
}

/** Indexes `docs` (the documents the server was given, nothing else). */
export async function buildReferenceBm25(docs: AsyncIterable<BeirDoc>): Promise<ReferenceBm25> {
  const index = new MiniSearch<BeirDoc>({
    fields: ['title', 'text'],
    idField: 'id',
    processTerm,
    searchOptions: { combineWith: 'OR', processTerm },
  });
  let documents = 0;
  for await (const doc of docs) {
    index.add(doc);
    documents += 1;
  }
  return {
    documents,
    rank(queries, first) {
      const rankings = new Map<string, Ranking>();
      const latenciesMs: number[] = [];
      for (const query of queries) {
        const started = performance.now();
        const hits = index.search(query.text);
        latenciesMs.push(performance.now() - started);
        rankings.set(query.id, hits.slice(0, first).map((hit) => String(hit.id)));
      }
      return { rankings, latenciesMs };
    },
  };
}
