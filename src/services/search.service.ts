/**
 * Search: hybrid (vector + full text, fused by RRF), vector-only and text-only search, the
 * nearest neighbours of an artifact, and near-duplicate detection for other services. Every
 * call is one SQL statement with the caller's visibility inside both legs.
 */
import type { Embedder } from '../embed/types.ts';
import { BadUserInputError, NotFoundError, ServiceUnavailableError } from '../shared/errors.ts';
import type { ArtifactRecord, SearchHitRecord } from '../store/records.ts';
import type { ArtifactFilterValues } from '../store/repositories/artifacts.repo.ts';
import { nearestArtifacts, searchArtifacts, similarArtifacts, type SearchLegs } from '../store/repositories/search.repo.ts';
import type { SqlClient } from '../store/types.ts';
import { embeddingText } from './embedding-models.ts';
import { contentDigest } from './validate.ts';
import type { Viewer } from './viewer.ts';

/** Longest accepted query text, in characters. */
export const MAX_QUERY_LENGTH = 2000;
/** Most hits one call returns. */
export const MAX_HITS = 100;

/** Tuning of the search statement (HIVEGRAPH_SEARCH_*). */
export interface SearchTuning {
  /** RRF constant k. */
  rrfK: number;
  /** Candidates per leg before fusion. */
  candidates: number;
}

/** A near-duplicate of a text, from {@link SearchService.nearDuplicates}. */
export interface NearDuplicate {
  artifact: ArtifactRecord;
  /** Cosine similarity of the embeddings (1 = same direction). */
  similarity: number;
  /** True when the content is byte-for-byte the same (equal content digests). */
  exact: boolean;
}

/** Search operations. */
export interface SearchService {
  /**
   * Visible artifacts matching `query`, best first.
   * @throws BAD_USER_INPUT for an empty or too long query, or `first` outside 1–100
   */
  search(viewer: Viewer, args: { query: string; mode: SearchLegs; filter: ArtifactFilterValues; first: number }): Promise<SearchHitRecord[]>;
  /**
   * The visible artifacts nearest to artifact `id`'s embedding, excluding itself.
   * @throws NOT_FOUND when `id` is absent, deleted or invisible
   */
  similar(viewer: Viewer, id: string, args: { first: number; filter: ArtifactFilterValues }): Promise<SearchHitRecord[]>;
  /**
   * Visible artifacts whose embedding is at least `threshold` cosine-similar to the text's
   * (default 0.95), most similar first — for de-duplicating contributions.
   */
  nearDuplicates(
    viewer: Viewer,
    text: { title?: string | null; content: string },
    options?: { threshold?: number; first?: number; filter?: ArtifactFilterValues },
  ): Promise<NearDuplicate[]>;
}

/** Creates the search service. */
export function createSearchService(deps: { sql: SqlClient; embedder: Embedder | undefined; tuning: SearchTuning }): SearchService {
  const { sql, tuning } = deps;

  async function embed(text: string): Promise<Float32Array> {
    if (!deps.embedder) throw new ServiceUnavailableError('Search needs an embedder, and none is open in this process.');
    return (await deps.embedder.embed([text]))[0]!;
  }

  function checkFirst(first: number): number {
    if (!Number.isInteger(first) || first < 1 || first > MAX_HITS) {
      throw new BadUserInputError(`first must be between 1 and ${MAX_HITS} (got ${first}).`, 'first');
    }
    return first;
  }

  return {
    async search(viewer, args) {
      const first = checkFirst(args.first);
      const text = args.query.trim();
      if (text === '') throw new BadUserInputError('query must not be empty.', 'query');
      if (text.length > MAX_QUERY_LENGTH) {
        throw new BadUserInputError(`query is ${text.length} characters; the limit is ${MAX_QUERY_LENGTH}.`, 'query');
      }
      const vector = args.mode === 'TEXT' ? undefined : await embed(text);
      return searchArtifacts(sql, viewer, { mode: args.mode, text, vector, filter: args.filter, first, ...tuning });
    },

    async similar(viewer, id, args) {
      const first = checkFirst(args.first);
      const hits = await similarArtifacts(sql, viewer, id, { first, filter: args.filter });
      if (hits === undefined) throw new NotFoundError('Artifact');
      return hits;
    },

    async nearDuplicates(viewer, text, options = {}) {
      const threshold = options.threshold ?? 0.95;
      if (!(threshold > 0 && threshold <= 1)) throw new BadUserInputError('threshold must be in (0, 1].', 'threshold');
      const first = checkFirst(options.first ?? 5);
      const vector = await embed(embeddingText(text.title ?? null, text.content));
      const hits = await nearestArtifacts(sql, viewer, vector, { first, maxDistance: 1 - threshold, filter: options.filter ?? {} });
      const digest = contentDigest(text.content);
      return hits.map((hit) => ({ artifact: hit.artifact, similarity: hit.score, exact: hit.artifact.contentDigest === digest }));
    },
  };
}
