/**
 * Running it in production (issue 14), over real HTTP and WebSocket on the run's backends:
 * JSON logs with the request id in every line of a request and no secret in clear; `/metrics`
 * scraped after real traffic, its counters equal to what was sent; its bearer token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestServer, wsClient, type TestServer } from '../support/server.ts';

const METRICS_TOKEN = 'metrics-token-0123456789';
let server: TestServer;

/** POSTs `query` with an explicit operationName. */
async function post(query: string, options: { key?: string; operationName?: string; requestId?: string; authorization?: string } = {}) {
  const response = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      ...(options.authorization ? { authorization: options.authorization } : {}),
      ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
    },
    body: JSON.stringify({ query, ...(options.operationName ? { operationName: options.operationName } : {}) }),
  });
  return { status: response.status, body: (await response.json()) as { data?: Record<string, any>; errors?: { extensions?: { code?: string } }[] } };
}

/** Scrapes /metrics and returns `series → value` (`name{labels}` as Prometheus prints it). */
async function scrape(): Promise<Map<string, number>> {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const series = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}

const value = (series: Map<string, number>, key: string) => series.get(key) ?? 0;

beforeAll(async () => {
  server = await startTestServer({ HIVEGRAPH_LOG_LEVEL: 'debug', HIVEGRAPH_METRICS_TOKEN: METRICS_TOKEN, HIVEGRAPH_RATE_LIMITS: 'standard=100000/1' });
});

afterAll(async () => {
  await server?.stop();
});

describe('logs', () => {
  it('are one JSON object per line, carry the request id in every line of a request, and never a key in clear', async () => {
    const leaked = 'hg_ThisIsNotARealKeyButLooksLikeOne0123456789ab';
    const authenticate = server.services.auth.authenticate;
    // A failing dependency whose error message quotes the caller's Authorization header.
    server.services.auth.authenticate = async (header) => {
      throw new Error(`auth backend failed while checking ${String(header)}`);
    };
    try {
      const answered = await post('query Me { me { handle } }', { authorization: `Bearer ${leaked}`, requestId: 'obs-log-1', operationName: 'Me' });
      expect(answered.body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      server.services.auth.authenticate = authenticate;
    }
    await post('query Me { me { handle } }', { key: ADMIN_KEY, requestId: 'obs-log-2', operationName: 'Me' });
    await new Promise((resolve) => setTimeout(resolve, 50));

    const records = server.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const record of records) {
      expect(record).toEqual(expect.objectContaining({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) }));
    }
    const first = records.filter((r) => r['requestId'] === 'obs-log-1');
    expect(first.map((r) => r['msg'])).toEqual(expect.arrayContaining(['unexpected error while executing a request', 'request']));
    expect(first.find((r) => r['msg'] === 'request')).toMatchObject({ level: 'debug', status: 500, operation: 'Me', errors: ['INTERNAL_SERVER_ERROR'] });
    expect(records.filter((r) => r['requestId'] === 'obs-log-2').map((r) => r['msg'])).toEqual(['request']);
    // Every line that is about one of these requests carries its id.
    for (const line of server.logs.filter((l) => l.includes('auth backend failed'))) expect(line).toContain('"requestId":"obs-log-1"');

    const text = server.logs.join('\n');
    expect(text).toContain('auth backend failed while checking Bearer [REDACTED]');
    expect(text).not.toContain(leaked);
    expect(text).not.toContain(ADMIN_KEY);
    expect(text).not.toContain(METRICS_TOKEN);
  });
});

describe('/metrics', () => {
  it('needs the bearer token when HIVEGRAPH_METRICS_TOKEN is set', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
  });

  it('counts the traffic sent: requests and latency by operation and outcome, errors by code, contributions, embedder, subscriptions', async () => {
    const before = await scrape();
    for (let i = 0; i < 3; i++) expect((await post('query ObsOk { me { handle } }', { key: ADMIN_KEY })).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await post('query ObsBad { nope }', { key: ADMIN_KEY })).body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await post('query ObsAnon { me { handle } }', { operationName: 'ObsAnon' })).status).toBe(401);

    // A live subscription, then a contribution: one event delivered to it.
    const client = wsClient(server, ADMIN_KEY);
    const received: unknown[] = [];
    const subscribed = new Promise<void>((resolve, reject) => {
      client.subscribe({ query: 'subscription ObsLive { events(types: [CONTRIBUTION_SUBMITTED]) { cursor type } }' }, { next: (v) => void received.push(v), error: reject, complete: () => undefined });
      client.on('connected', () => setTimeout(resolve, 300));
    });
    await subscribed;
    const during = await scrape();
    expect(value(during, 'hivegraph_subscriptions_open')).toBe(1);
    expect(value(during, 'hivegraph_requests_total{transport="ws",operation="ObsLive",outcome="ok"}')).toBe(1);

    const contributed = await post('mutation ObsContribute { contribute(input: { kind: "note", content: "Metrics count this contribution." }) { status } }', { key: ADMIN_KEY });
    const status = String(contributed.body.data?.['contribute']?.status);
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toHaveLength(1);
    const after = await scrape();
    await client.dispose();

    const delta = (key: string) => value(after, key) - value(before, key);
    expect(delta('hivegraph_requests_total{transport="http",operation="ObsOk",outcome="ok"}')).toBe(3);
    expect(delta('hivegraph_request_duration_seconds_count{operation="ObsOk",outcome="ok"}')).toBe(3);
    expect(delta('hivegraph_requests_total{transport="http",operation="ObsBad",outcome="error"}')).toBe(2);
    expect(delta('hivegraph_requests_total{transport="http",operation="ObsAnon",outcome="error"}')).toBe(1);
    expect(delta('hivegraph_requests_total{transport="http",operation="ObsContribute",outcome="ok"}')).toBe(1);
    expect(delta('hivegraph_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"}')).toBe(2);
    expect(delta('hivegraph_graphql_errors_total{code="UNAUTHENTICATED"}')).toBe(1);
    expect(delta(`hivegraph_contributions_total{outcome="${status}"}`)).toBe(1);
    expect(delta('hivegraph_events_delivered_total')).toBe(1);
    // The contribution was embedded (screening and storage), by the hashing embedder of the tests.
    expect(delta('hivegraph_embedder_duration_seconds_count{backend="hashing",outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(after.has('hivegraph_process_cpu_seconds_total')).toBe(true);
    if (server.sqlBackend === 'postgres') {
      expect(after.has('hivegraph_sql_pool_connections{state="in_use"}')).toBe(true);
      expect(after.has('hivegraph_sql_pool_connections{state="waiting"}')).toBe(true);
    }
    if (server.graph.projected) expect(after.has('hivegraph_graph_projection_lag')).toBe(true);
  });
});
