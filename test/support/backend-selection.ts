/**
 * Which real backends the integration tests use, decided once per run by global-setup.ts in
 * this order: URLs from the environment → testcontainers when a Docker engine answers →
 * the embedded backends (PGlite, embedded graph store).
 */

/** The decision, shared with every test file through vitest's provide/inject. */
export interface BackendSelection {
  /** Where the servers came from. */
  source: 'environment' | 'testcontainers' | 'embedded';
  /** Postgres (with pgvector) to run server-mode tests against, if any. */
  databaseUrl?: string;
  /** FalkorDB to run server-mode tests against, if any. */
  falkordbUrl?: string;
  /** Why a server backend is absent (printed with skipped tests). */
  reason?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    backends: BackendSelection;
  }
}
