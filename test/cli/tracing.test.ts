/**
 * OpenTelemetry (issue 14): `hivegraph serve` as a user runs it. With OTEL_* set (the console
 * exporter, so no collector is needed) a request produces HTTP, express and GraphQL spans, and
 * on Postgres pg spans; with OTEL_* unset neither the SDK nor any instrumentation is loaded.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tracingEnabled } from '../../src/server/tracing.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/backends.ts';
import { output, startServe, stopServe, START_TIMEOUT_MS, tempDir, useCliProcesses, withTimeout } from '../support/cli-process.ts';

useCliProcesses();

const PROBE = fileURLToPath(new URL('../support/otel-import-probe.mjs', import.meta.url));
const KEY = 'tracing-admin-key-0123456789';

const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

/** serve's variables: a fresh embedded data directory, or a fresh database on the run's Postgres; a known admin key; the import probe preloaded. */
async function serveVars(extra: Record<string, string>): Promise<Record<string, string>> {
  const selection = backends();
  const db = selection.databaseUrl ? await createTestDatabase(selection.databaseUrl) : undefined;
  if (db) databases.push(db);
  return {
    HIVEGRAPH_DATA_DIR: await tempDir(),
    PORT: '0',
    HIVEGRAPH_BOOTSTRAP_ADMIN_KEY: KEY,
    NODE_OPTIONS: `--import=${PROBE}`,
    // No OTEL_* from the environment running the tests leaks in: each case sets its own.
    OTEL_TRACES_EXPORTER: '',
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
    ...(db ? { DATABASE_URL: db.url } : {}),
    ...extra,
  };
}

async function me(graphqlUrl: string): Promise<unknown> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ query: 'query TracedMe { me { handle } }' }),
  });
  return response.json();
}

describe('tracingEnabled', () => {
  it('is on for an OTLP endpoint or an explicit exporter, off otherwise', () => {
    expect(tracingEnabled({})).toBe(false);
    expect(tracingEnabled({ OTEL_SERVICE_NAME: 'hivegraph' })).toBe(false);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingEnabled({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(tracingEnabled({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(false);
    expect(tracingEnabled({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'console' })).toBe(false);
  });
});

describe('hivegraph serve with and without OTEL_*', () => {
  it('loads neither the OpenTelemetry SDK nor an instrumentation when OTEL_* is unset', { timeout: 180_000 }, async () => {
    const served = await startServe(await serveVars({}));
    expect(await me(served.graphqlUrl)).toEqual({ data: { me: { handle: 'admin' } } });
    await stopServe(served);
    expect(served.cli.stderr()).not.toContain('OTEL-MODULE-LOADED');
    expect(served.cli.stdout()).not.toMatch(/traceId/);
  });

  it('exports HTTP, express, GraphQL (and on Postgres pg) spans with OTEL_TRACES_EXPORTER=console', { timeout: 240_000 }, async () => {
    const served = await startServe(await serveVars({ OTEL_TRACES_EXPORTER: 'console', OTEL_SERVICE_NAME: 'hivegraph-test' }));
    expect(served.cli.stderr()).toContain('OTEL-MODULE-LOADED');
    expect(await me(served.graphqlUrl)).toEqual({ data: { me: { handle: 'admin' } } });
    const wanted = ["name: 'POST /graphql'", "name: 'query TracedMe'", "name: 'graphql.resolve me'", "'service.name': 'hivegraph-test'"];
    if (backends().databaseUrl) wanted.push("name: 'pg.query:");
    await withTimeout(
      (async () => {
        while (!wanted.every((w) => served.cli.stdout().includes(w))) await new Promise((resolve) => setTimeout(resolve, 200));
      })(),
      START_TIMEOUT_MS,
      () => `spans ${wanted.join(', ')}\n${output(served.cli)}`,
    );
    expect(served.cli.stdout()).toMatch(/middleware - graphqlEnvelope/);
    await stopServe(served);
  });
});
