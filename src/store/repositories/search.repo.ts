/**
 * Hybrid search as one SQL statement. Each leg — the vector leg (pgvector HNSW, cosine
 * distance) and the full-text leg (`search_tsv` GIN, BM25 over the org's term statistics) — applies the
 * caller's visibility and the {@link ArtifactFilterValues} in its WHERE clause, before its
 * LIMIT; Reciprocal Rank Fusion then merges the two ranked lists:
 *
 *   score(d) = Σ over legs containing d of 1 / (k + rank(d))
 *
 * With pgvector's iterative index scans (`hnsw.iterative_scan`, set per connection by the SQL
 * adaptors) the HNSW scan keeps going until the filtered LIMIT is filled, so a selective filter
 * still returns `candidates` rows (up to `hnsw.max_scan_tuples`). Relaxed order is restored by
 * ranking on the exact distance afterwards.
 */
import type { ArtifactRecord, SearchHitRecord } from '../records.ts';
import type { Queryable } from '../types.ts';
import { ARTIFACT_COLUMNS, artifactFilterSql, type ArtifactFilterValues } from './artifacts.repo.ts';
import { toVectorLiteral } from './embeddings.repo.ts';
import { SqlParams } from './sql-params.ts';
import { visibleArtifactSql, type VisibilityViewer } from './visibility.sql.ts';

/** Which legs run: both fused, or one alone. */
export type SearchLegs = 'HYBRID' | 'VECTOR' | 'TEXT';

/** The text search configuration of `search_tsv` (migrations/0007_search.sql). */
const TS_CONFIG = `'english'::regconfig`;

/** One search request, as the SQL needs it. */
export interface SearchRequest {
  mode: SearchLegs;
  /** The query text (the full-text leg). */
  text: string;
  /** The query's embedding (the vector leg; required unless mode is TEXT). */
  vector?: Float32Array | undefined;
  filter: ArtifactFilterValues;
  /** Hits returned. */
  first: number;
  /** Candidates each leg ranks before fusion (≥ first). */
  candidates: number;
  /** RRF constant k. */
  rrfK: number;
  /**
   * Which plain (syntax-free) queries the text leg matches: artifacts with ANY of the words, or
   * with ALL of them. Default: ANY in TEXT mode, ALL in HYBRID (see {@link usesWebSearchSyntax}).
   */
  textWords?: 'ANY' | 'ALL' | undefined;
}

type HitRow = ArtifactRecord & { hitScore: number; hitVectorRank: number | null; hitTextRank: number | null };

const HIT_COLUMNS = `f.score::float8 AS "hitScore", f.vector_rank::int AS "hitVectorRank", f.text_rank::int AS "hitTextRank"`;

function toHit({ hitScore, hitVectorRank, hitTextRank, ...artifact }: HitRow): SearchHitRecord {
  return { artifact, score: hitScore, vectorRank: hitVectorRank, textRank: hitTextRank };
}

/** WHERE conditions every leg shares: visibility, then the caller's filter. */
function legConditions(p: SqlParams, viewer: VisibilityViewer, filter: ArtifactFilterValues, extra: string[]): string {
  const where = [visibleArtifactSql('a', p, viewer, filter.includeDeleted === true), ...extra];
  artifactFilterSql('a', p, filter, where);
  return where.join(' AND ');
}

/** The vector leg CTE body: nearest visible artifacts to `vectorSql`, ranked by exact distance. */
function vectorLegSql(p: SqlParams, viewer: VisibilityViewer, filter: ArtifactFilterValues, vectorSql: string, limit: string, extra: string[] = []): string {
  const where = legConditions(p, viewer, filter, ['a.embedding IS NOT NULL', ...extra]);
  return `SELECT id, distance, row_number() OVER (ORDER BY distance, id) AS rank FROM (
      SELECT a.id, a.embedding <=> ${vectorSql} AS distance FROM artifacts a
      WHERE ${where}
      ORDER BY a.embedding <=> ${vectorSql} LIMIT ${limit}) nearest`;
}

/**
 * True when `text` uses web-search syntax (a "quoted phrase", an `or`, a `-exclusion`): then
 * it means what it says (`websearch_to_tsquery`) in every mode.
 *
 * Without syntax, the text leg treats the query as a bag of words, any of which matches (with
 * the identifier parts of {@link textStatsCtes}), ranked by BM25: requiring every word found
 * nothing for most natural-language questions. HYBRID keeps all-words for its text leg: an
 * any-word leg fused better on paraphrased questions (eval/fusion-sweep.ts) but scores every
 * match of every word, which made HYBRID p50 21.8x slower at 100k artifacts (docs/benchmarks.md,
 * "Cost of the BM25 leg").
 */
export function usesWebSearchSyntax(text: string): boolean {
  return /"|(^|\s)-\S|(^|\s)or(\s|$)/i.test(text);
}

/**
 * BM25 parameters of the full-text leg: k1 (term-frequency saturation), b (length
 * normalisation) and the weight of a title or name occurrence (weight A) against a content one
 * (BM25F-style: tf = 2·tf(title, name) + tf(content), one length per document). The textbook
 * values; see docs/benchmarks.md ("Retrieval quality") for what they measure.
 */
export const BM25 = { k1: 1.2, b: 0.75, titleWeight: 2 } as const;

/**
 * The query's scored terms and the org's corpus statistics, as CTEs before `text_leg`
 * (materialised: each candidate reads them). `text_terms` holds each distinct lexeme of the
 * query (its identifier parts included) with its BM25 IDF, `ln(1 + (N − df + 0.5) / (df + 0.5))`,
 * from `search_term_stats`; `text_corpus` the average document length from `search_doc_stats`
 * (migrations/0013_search_bm25.sql). The statistics are the viewer's org's, over its live
 * artifacts.
 */
function textStatsCtes(p: SqlParams, viewer: VisibilityViewer, query: string): string[] {
  const org = `${p.add(viewer.orgId)}::uuid`;
  return [
    `text_corpus AS MATERIALIZED (
      SELECT coalesce(sum(docs), 0)::float8 AS docs, coalesce(sum(total_length)::float8 / nullif(sum(docs), 0), 1) AS avg_length
      FROM search_doc_stats WHERE org_id = ${org})`,
    `text_terms AS MATERIALIZED (
      SELECT l.lexeme, ${LEXEME_QUERY('l.lexeme')} AS query, ln(1 + (greatest(c.docs - df.docs, 0) + 0.5) / (df.docs + 0.5)) AS idf
      FROM unnest(tsvector_to_array(to_tsvector(${TS_CONFIG}, ${query} || ' ' || hg_identifier_parts(${query})))) AS l (lexeme)
      CROSS JOIN text_corpus c
      CROSS JOIN LATERAL (SELECT coalesce(sum(s.docs), 0)::float8 AS docs FROM search_term_stats s WHERE s.org_id = ${org} AND s.lexeme = l.lexeme) AS df)`,
  ];
}

/** A lexeme (SQL text expression) as a one-operand tsquery, quoted so that no character is read as syntax. */
const LEXEME_QUERY = (lexeme: string) => `('''' || replace(replace(${lexeme}, '\\', '\\\\'), '''', '''''') || '''')::tsquery`;

/**
 * The BM25 score of artifact `a` for the query's `text_terms`: per query term present in its
 * `search_tsv`, IDF × tf·(k1 + 1) / (tf + k1·(1 − b + b·|d| / avg|d|)), summed. Term
 * frequencies come from `hg_tsvector_tf` (all positions, and those of weight A — title and
 * name — which count {@link BM25}.titleWeight times).
 */
function bm25ScoreSql(a: string): string {
  const { k1, b, titleWeight } = BM25;
  return `(SELECT coalesce(sum(t.idf * f.tf * ${k1 + 1} / (f.tf + ${k1} * (${1 - b} + ${b} * ${a}.search_length / c.avg_length))), 0)
      FROM text_terms t
      CROSS JOIN text_corpus c
      CROSS JOIN LATERAL (SELECT hg_tsvector_tf(${a}.search_tsv, t.query, '{1,1,1,1}') + ${titleWeight - 1} * hg_tsvector_tf(${a}.search_tsv, t.query, '{0,0,0,1}') AS tf) AS f)`;
}

/** The full-text leg CTE body: visible matches ranked by BM25 (needs {@link textStatsCtes}). */
function textLegSql(p: SqlParams, viewer: VisibilityViewer, filter: ArtifactFilterValues, query: string, limit: string, anyWord: boolean): string {
  // Any-word query: the query's own lexemes (and identifier parts) OR'ed.
  const tsquery = !anyWord
    ? `websearch_to_tsquery(${TS_CONFIG}, ${query})`
    : `(SELECT coalesce(string_agg(query::text, ' | ')::tsquery, ''::tsquery) FROM text_terms)`;
  const where = legConditions(p, viewer, filter, ['a.search_tsv @@ tq.query']);
  return `SELECT id, text_score, row_number() OVER (ORDER BY text_score DESC, id) AS rank FROM (
      SELECT a.id, ${bm25ScoreSql('a')} AS text_score
      FROM artifacts a CROSS JOIN (SELECT ${tsquery} AS query) AS tq
      WHERE ${where}
      ORDER BY text_score DESC, a.id LIMIT ${limit}) matches`;
}

/**
 * Runs a search in one statement and returns the hits, best first, with full artifact rows.
 * Only artifacts visible to `viewer` (and matching the filter) can appear, in any mode.
 */
export async function searchArtifacts(q: Queryable, viewer: VisibilityViewer, request: SearchRequest): Promise<SearchHitRecord[]> {
  const p = new SqlParams();
  const limit = p.add(Math.max(request.candidates, request.first));
  const ctes: string[] = [];
  let fused: string;
  if (request.mode !== 'TEXT') {
    if (!request.vector) throw new Error('searchArtifacts: a vector is required unless mode is TEXT');
    const vector = `${p.add(toVectorLiteral(request.vector))}::vector`;
    ctes.push(`vector_leg AS (${vectorLegSql(p, viewer, request.filter, vector, limit)})`);
  }
  if (request.mode !== 'VECTOR') {
    const query = `${p.add(request.text)}::text`;
    const anyWord = (request.textWords ?? (request.mode === 'TEXT' ? 'ANY' : 'ALL')) === 'ANY' && !usesWebSearchSyntax(request.text);
    ctes.push(...textStatsCtes(p, viewer, query), `text_leg AS (${textLegSql(p, viewer, request.filter, query, limit, anyWord)})`);
  }
  if (request.mode === 'HYBRID') {
    const k = p.add(request.rrfK);
    fused = `SELECT coalesce(v.id, t.id) AS id, v.rank AS vector_rank, t.rank AS text_rank,
        coalesce(1.0 / (${k}::int + v.rank), 0) + coalesce(1.0 / (${k}::int + t.rank), 0) AS score
      FROM vector_leg v FULL JOIN text_leg t ON t.id = v.id`;
  } else if (request.mode === 'VECTOR') {
    fused = `SELECT id, rank AS vector_rank, NULL::bigint AS text_rank, 1 - distance AS score FROM vector_leg`;
  } else {
    fused = `SELECT id, NULL::bigint AS vector_rank, rank AS text_rank, text_score / (1 + text_score) AS score FROM text_leg`;
  }
  ctes.push(`fused AS (${fused})`);
  const { rows } = await q.query<HitRow>(
    `WITH ${ctes.join(',\n')}
     SELECT ${ARTIFACT_COLUMNS('a')}, ${HIT_COLUMNS}
     FROM fused f JOIN artifacts a ON a.id = f.id
     ORDER BY f.score DESC, f.vector_rank ASC NULLS LAST, f.text_rank ASC NULLS LAST, a.id
     LIMIT ${p.add(request.first)}`,
    p.values,
  );
  return rows.map(toHit);
}

/**
 * The visible artifacts nearest to artifact `id`'s own vector, excluding itself, in one
 * statement. Returns undefined when `id` is absent, deleted or invisible to `viewer`, and []
 * when it has no vector yet.
 */
export async function similarArtifacts(
  q: Queryable,
  viewer: VisibilityViewer,
  id: string,
  options: { first: number; filter: ArtifactFilterValues },
): Promise<SearchHitRecord[] | undefined> {
  const p = new SqlParams();
  const idParam = `${p.add(id)}::uuid`;
  const source = `SELECT a.id, a.embedding FROM artifacts a WHERE a.id = ${idParam} AND ${visibleArtifactSql('a', p, viewer, false)}`;
  const vector = `(SELECT embedding FROM source)`;
  const leg = vectorLegSql(p, viewer, options.filter, vector, p.add(options.first), [`a.id <> ${idParam}`]);
  const { rows } = await q.query<HitRow & { sourceId: string }>(
    `WITH source AS (${source}),
     vector_leg AS (${leg}),
     fused AS (SELECT id, rank AS vector_rank, NULL::bigint AS text_rank, 1 - distance AS score FROM vector_leg)
     SELECT s.id AS "sourceId", hit.* FROM source s
     LEFT JOIN (
       SELECT ${ARTIFACT_COLUMNS('a')}, ${HIT_COLUMNS} FROM fused f JOIN artifacts a ON a.id = f.id
     ) hit ON ${vector} IS NOT NULL
     ORDER BY hit."hitVectorRank"`,
    p.values,
  );
  if (rows.length === 0) return undefined;
  return rows.filter((row) => row.id != null).map(({ sourceId: _sourceId, ...row }) => toHit(row));
}

/**
 * Visible artifacts whose vector lies within `maxDistance` (cosine distance) of `vector`,
 * nearest first: the near-duplicate probe. One statement.
 */
export async function nearestArtifacts(
  q: Queryable,
  viewer: VisibilityViewer,
  vector: Float32Array,
  options: { first: number; maxDistance: number; filter?: ArtifactFilterValues },
): Promise<SearchHitRecord[]> {
  const p = new SqlParams();
  const vectorSql = `${p.add(toVectorLiteral(vector))}::vector`;
  const leg = vectorLegSql(p, viewer, options.filter ?? {}, vectorSql, p.add(options.first));
  const { rows } = await q.query<HitRow>(
    `WITH vector_leg AS (${leg}),
     fused AS (SELECT id, rank AS vector_rank, NULL::bigint AS text_rank, 1 - distance AS score
               FROM vector_leg WHERE distance <= ${p.add(options.maxDistance)})
     SELECT ${ARTIFACT_COLUMNS('a')}, ${HIT_COLUMNS} FROM fused f JOIN artifacts a ON a.id = f.id
     ORDER BY f.vector_rank`,
    p.values,
  );
  return rows.map(toHit);
}
