-- Hybrid search: a vector per artifact (pgvector, cosine) and a weighted full-text vector.
--
-- The embedding column has no dimension here: the model registry sets it (vector(N)) on the
-- first start, from the embedder in use, and then builds the HNSW index
-- (src/store/repositories/embeddings.repo.ts). Changing model is `hivegraph reembed`.

-- Which models made the stored vectors. At most one is current (ACTIVE, or REEMBEDDING while
-- `hivegraph reembed` moves every artifact to it); earlier ones are RETIRED.
CREATE TABLE embedding_models (
  id smallint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
  backend text NOT NULL,
  model text NOT NULL,
  dimension integer NOT NULL CHECK (dimension BETWEEN 1 AND 16000),
  digest text NOT NULL UNIQUE CHECK (digest ~ '^sha256:[0-9a-f]{64}$'),
  state text NOT NULL CHECK (state IN ('ACTIVE', 'REEMBEDDING', 'RETIRED')),
  created_at timestamptz NOT NULL DEFAULT now(),
  activated_at timestamptz
);
CREATE UNIQUE INDEX embedding_models_one_current ON embedding_models ((true)) WHERE state <> 'RETIRED';

ALTER TABLE artifacts
  ADD COLUMN embedding vector,
  ADD COLUMN embedding_model_id smallint REFERENCES embedding_models (id),
  -- Title and name weigh above content. Content is indexed up to its first 256 Ki characters,
  -- which keeps every tsvector far below PostgreSQL's 1 MB limit.
  ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(name, '')), 'A') ||
    setweight(to_tsvector('english'::regconfig, left(content, 262144)), 'B')
  ) STORED;

CREATE INDEX artifacts_search_tsv_idx ON artifacts USING gin (search_tsv);
