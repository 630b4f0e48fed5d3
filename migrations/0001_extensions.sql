-- pgvector: the vector leg of hybrid search. On a managed Postgres, the role that runs
-- migrations must be allowed to create extensions (or the extension must already exist).
CREATE EXTENSION IF NOT EXISTS vector;
