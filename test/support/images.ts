/**
 * The container images of the backends, pinned: the same tags in compose.yaml (checked by
 * test/deploy/images.test.ts) and in the testcontainers setup (global-setup.ts).
 */

/** Postgres 17 with pgvector 0.8.0. */
export const PGVECTOR_IMAGE = 'pgvector/pgvector:0.8.0-pg17';

/** FalkorDB. */
export const FALKORDB_IMAGE = 'falkordb/falkordb:v4.10.3';
