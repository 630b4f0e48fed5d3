-- BM25 for the full-text leg (issue 19), in plain SQL so that PGlite (which loads no extension
-- beyond those it ships) and Postgres run the same statements.
--
-- 1. `search_tsv` stops being a generated column: a BEFORE trigger computes it, together with
--    `search_length` (the document's token count, BM25's |d|), from title, name and content.
--    The text now also carries the parts of identifiers, so that `server.keepAliveTimeout` is
--    found by `keepAliveTimeout`, `server` and `keep alive timeout` as well as whole.
-- 2. Term statistics, per org: how many live (not deleted) artifacts hold each lexeme
--    (`search_term_stats`), and how many live artifacts there are with their total length
--    (`search_doc_stats`, for the average length). Statement-level AFTER triggers keep them in
--    the transaction of every write: create, update, delete, restore, purge, snapshot import.
--    Each statistic is split over 8 shards (`pg_backend_pid() % 8`) that are summed when read,
--    so concurrent writers on different connections seldom wait on the same row; a shard may
--    go negative (a document counted on one connection and deleted on another), the sums are
--    exact.

-- The parts of identifier-like tokens of `t` — dotted, slashed or colon-separated names and
-- camelCase words — as extra words: `server.keepAliveTimeout` gives
-- 'server keepAliveTimeout server keep Alive Timeout', `keepAliveTimeout` 'keep Alive Timeout'.
-- Plain and hyphenated words (the parser splits those itself) give nothing.
CREATE FUNCTION hg_identifier_parts(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(concat_ws(' ', CASE WHEN dotted THEN parts END, CASE WHEN split <> parts THEN split END), ' '), '')
  FROM (
    SELECT parts, dotted, regexp_replace(parts, '([[:lower:][:digit:]])([[:upper:]])', '\1 \2', 'g') AS split
    FROM (
      SELECT regexp_replace(m[1], '[^[:alnum:]]+', ' ', 'g') AS parts, m[1] ~ '[[:alnum:]][.:/\\][[:alnum:]]' AS dotted
      FROM regexp_matches(t, '([[:alnum:]_$]+(?:[.:/\\-][[:alnum:]_$]+)*)', 'g') AS m
    ) AS tokens
  ) AS ids
  WHERE dotted OR split <> parts
$$;

-- The full-text document of an artifact: title and name (weight A) above content (weight B,
-- its first 256 Ki characters, which keeps every tsvector far below PostgreSQL's 1 MB limit),
-- each followed by its identifier parts.
CREATE FUNCTION hg_search_document(title text, name text, content text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector('english'::regconfig, head || ' ' || hg_identifier_parts(head)), 'A') ||
         setweight(to_tsvector('english'::regconfig, body || ' ' || hg_identifier_parts(body)), 'B')
  FROM (SELECT coalesce(title, '') || ' ' || coalesce(name, '') AS head, left(coalesce(content, ''), 262144) AS body) AS d
$$;

-- BM25's document length: the number of tokens (positions) of a tsvector. PostgreSQL keeps at
-- most 256 positions per lexeme, so a word repeated more often counts 256 times.
CREATE FUNCTION hg_tsvector_length(v tsvector) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(sum(greatest(cardinality(positions), 1)), 0)::integer FROM unnest(v)
$$;

-- How often the one-lexeme query `q` occurs in `v`, counting the positions whose weight has a
-- non-zero entry in `weights` ({D, C, B, A}, as ts_rank takes them): `{1,1,1,1}` all of them,
-- `{0,0,0,1}` those of weight A. Computed from ts_rank, which for one lexeme is
-- Σ_{j=1..n} w_j / j² / (π²/6) over its positions in order (src/backend/utils/adt/tsrank.c,
-- calc_rank_or): the positions that count come first here (weight A precedes the B text
-- in every search_tsv), so n = round(1 / (π²/6 − π²/6 · rank) − 1/2). One C call per lexeme
-- and document, where unnest(v) would build a row per lexeme of the document: at 100k
-- artifacts this is what keeps the BM25 leg as fast as ts_rank_cd was. Exact up to the 256
-- positions a lexeme keeps (tested in test/store/search-bm25.test.ts on both deployments).
CREATE FUNCTION hg_tsvector_tf(v tsvector, q tsquery, weights real[]) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT greatest(round(1 / greatest(1.64493406685 - 1.64493406685 * ts_rank(weights, v, q), 1e-9) - 0.5), 0)
$$;

ALTER TABLE artifacts ALTER COLUMN search_tsv DROP EXPRESSION;
ALTER TABLE artifacts ADD COLUMN search_length integer;

-- Computes the derived columns from the text; a direct write to them is replaced by what the
-- text says. Setting search_length to NULL asks for a recomputation (as below).
CREATE FUNCTION hg_artifacts_search_document() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.search_length IS NULL OR NEW.title IS DISTINCT FROM OLD.title
     OR NEW.name IS DISTINCT FROM OLD.name OR NEW.content IS DISTINCT FROM OLD.content THEN
    NEW.search_tsv := hg_search_document(NEW.title, NEW.name, NEW.content);
    NEW.search_length := hg_tsvector_length(NEW.search_tsv);
  ELSE
    NEW.search_tsv := OLD.search_tsv;
    NEW.search_length := OLD.search_length;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER artifacts_search_document BEFORE INSERT OR UPDATE ON artifacts
  FOR EACH ROW EXECUTE FUNCTION hg_artifacts_search_document();

-- Recompute every stored document (identifier parts, length); the GIN index follows.
UPDATE artifacts SET search_length = NULL;
ALTER TABLE artifacts ALTER COLUMN search_length SET NOT NULL, ALTER COLUMN search_tsv SET NOT NULL;

CREATE TABLE search_term_stats (
  org_id uuid NOT NULL,
  lexeme text NOT NULL,
  shard smallint NOT NULL,
  -- Live artifacts of the org whose search_tsv holds the lexeme, counted on this shard.
  docs integer NOT NULL,
  PRIMARY KEY (org_id, lexeme, shard)
);

CREATE TABLE search_doc_stats (
  org_id uuid NOT NULL,
  shard smallint NOT NULL,
  -- Live artifacts of the org, counted on this shard, and the sum of their search_length.
  docs bigint NOT NULL,
  total_length bigint NOT NULL,
  PRIMARY KEY (org_id, shard)
);

INSERT INTO search_term_stats (org_id, lexeme, shard, docs)
  SELECT a.org_id, l.lexeme, 0, count(*) FROM artifacts a CROSS JOIN LATERAL unnest(tsvector_to_array(a.search_tsv)) AS l (lexeme)
  WHERE a.deleted_at IS NULL GROUP BY a.org_id, l.lexeme;
INSERT INTO search_doc_stats (org_id, shard, docs, total_length)
  SELECT org_id, 0, count(*), sum(search_length) FROM artifacts WHERE deleted_at IS NULL GROUP BY org_id;

-- Keeps the statistics, once per statement, from the rows it inserted, changed or deleted.
-- Rows are upserted in key order, so two statements cannot deadlock on each other's rows.
CREATE FUNCTION hg_artifacts_search_stats() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  my_shard smallint := (pg_backend_pid() % 8)::smallint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    WITH changes AS (
      SELECT org_id, search_tsv AS tsv, search_length AS len, 1 AS sign FROM new_rows WHERE deleted_at IS NULL
    ), terms AS (
      INSERT INTO search_term_stats AS s (org_id, lexeme, shard, docs)
      SELECT c.org_id, l.lexeme, my_shard, sum(c.sign) FROM changes c CROSS JOIN LATERAL unnest(tsvector_to_array(c.tsv)) AS l (lexeme)
      GROUP BY c.org_id, l.lexeme HAVING sum(c.sign) <> 0 ORDER BY 1, 2
      ON CONFLICT (org_id, lexeme, shard) DO UPDATE SET docs = s.docs + excluded.docs
    )
    INSERT INTO search_doc_stats AS s (org_id, shard, docs, total_length)
    SELECT org_id, my_shard, sum(sign), sum(sign * len) FROM changes GROUP BY org_id ORDER BY 1
    ON CONFLICT (org_id, shard) DO UPDATE SET docs = s.docs + excluded.docs, total_length = s.total_length + excluded.total_length;
  ELSIF TG_OP = 'DELETE' THEN
    WITH changes AS (
      SELECT org_id, search_tsv AS tsv, search_length AS len, -1 AS sign FROM old_rows WHERE deleted_at IS NULL
    ), terms AS (
      INSERT INTO search_term_stats AS s (org_id, lexeme, shard, docs)
      SELECT c.org_id, l.lexeme, my_shard, sum(c.sign) FROM changes c CROSS JOIN LATERAL unnest(tsvector_to_array(c.tsv)) AS l (lexeme)
      GROUP BY c.org_id, l.lexeme HAVING sum(c.sign) <> 0 ORDER BY 1, 2
      ON CONFLICT (org_id, lexeme, shard) DO UPDATE SET docs = s.docs + excluded.docs
    )
    INSERT INTO search_doc_stats AS s (org_id, shard, docs, total_length)
    SELECT org_id, my_shard, sum(sign), sum(sign * len) FROM changes GROUP BY org_id ORDER BY 1
    ON CONFLICT (org_id, shard) DO UPDATE SET docs = s.docs + excluded.docs, total_length = s.total_length + excluded.total_length;
  ELSE
    -- Only rows whose document changed or that were deleted or restored count.
    WITH pairs AS (
      SELECT o.org_id AS old_org, o.search_tsv AS old_tsv, o.search_length AS old_len, o.deleted_at IS NULL AS old_live,
             n.org_id AS new_org, n.search_tsv AS new_tsv, n.search_length AS new_len, n.deleted_at IS NULL AS new_live
      FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE (o.deleted_at IS NULL) <> (n.deleted_at IS NULL) OR o.search_tsv <> n.search_tsv OR o.org_id <> n.org_id
    ), changes AS (
      SELECT old_org AS org_id, old_tsv AS tsv, old_len AS len, -1 AS sign FROM pairs WHERE old_live
      UNION ALL
      SELECT new_org, new_tsv, new_len, 1 FROM pairs WHERE new_live
    ), terms AS (
      INSERT INTO search_term_stats AS s (org_id, lexeme, shard, docs)
      SELECT c.org_id, l.lexeme, my_shard, sum(c.sign) FROM changes c CROSS JOIN LATERAL unnest(tsvector_to_array(c.tsv)) AS l (lexeme)
      GROUP BY c.org_id, l.lexeme HAVING sum(c.sign) <> 0 ORDER BY 1, 2
      ON CONFLICT (org_id, lexeme, shard) DO UPDATE SET docs = s.docs + excluded.docs
    )
    INSERT INTO search_doc_stats AS s (org_id, shard, docs, total_length)
    SELECT org_id, my_shard, sum(sign), sum(sign * len) FROM changes GROUP BY org_id HAVING sum(sign) <> 0 OR sum(sign * len) <> 0 ORDER BY 1
    ON CONFLICT (org_id, shard) DO UPDATE SET docs = s.docs + excluded.docs, total_length = s.total_length + excluded.total_length;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER artifacts_search_stats_insert AFTER INSERT ON artifacts
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hg_artifacts_search_stats();
CREATE TRIGGER artifacts_search_stats_update AFTER UPDATE ON artifacts
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hg_artifacts_search_stats();
CREATE TRIGGER artifacts_search_stats_delete AFTER DELETE ON artifacts
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION hg_artifacts_search_stats();
