/**
 * Search with the other two embedders a server can be configured with, end to end:
 *
 * - the OpenAI-compatible backend against a fake endpoint on 127.0.0.1: writes and searches
 *   work; when the endpoint fails, a write is SERVICE_UNAVAILABLE and leaves no trace, vector
 *   search is SERVICE_UNAVAILABLE and text search still answers; the API key never shows;
 * - the local all-MiniLM-L6-v2 model (installed by scripts/models.sh; CI installs it): a
 *   paraphrase with no word in common with its document is found by the vector leg.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DIR } from '../../src/config/config.ts';
import { errorCode, ok } from '../support/actors.ts';
import { describeIfAvailable } from '../support/backends.ts';
import { FakeOpenAI } from '../support/fake-openai.ts';
import { ADMIN_KEY, startTestServer, type TestServer } from '../support/server.ts';

const CREATE = 'mutation ($t: String!, $c: String!) { createArtifact(input: { kind: "note", title: $t, content: $c, visibility: ORG }) { id } }';
const SEARCH = 'query ($q: String!, $m: SearchMode) { search(query: $q, mode: $m, first: 3) { vectorRank textRank artifact { id title } } }';
const COUNT = '{ artifacts(first: 100) { edges { node { id } } } }';

describe('OpenAI-compatible embedder (fake endpoint)', () => {
  const fake = new FakeOpenAI();
  const apiKey = 'sk-test-secret-0123456789';
  let server: TestServer;

  beforeAll(async () => {
    await fake.start();
    server = await startTestServer({
      HIVEGRAPH_EMBEDDER: 'openai',
      HIVEGRAPH_EMBEDDING_URL: fake.baseUrl,
      HIVEGRAPH_EMBEDDING_MODEL: 'fake-embed-1',
      HIVEGRAPH_EMBEDDING_DIMENSION: '384',
      HIVEGRAPH_EMBEDDING_API_KEY: apiKey,
      HIVEGRAPH_EMBEDDING_TIMEOUT_MS: '1000',
    });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await fake.stop();
  });

  it('embeds writes and queries through the endpoint, with the key as bearer token', async () => {
    const created = await ok<{ createArtifact: { id: string } }>(server, ADMIN_KEY, CREATE, { t: 'Kafka consumer lag', c: 'Scale the consumer group when lag grows.' });
    const hits = await ok<{ search: { artifact: { id: string } }[] }>(server, ADMIN_KEY, SEARCH, { q: 'consumer lag', m: 'VECTOR' });
    expect(hits.search[0]?.artifact.id).toBe(created.createArtifact.id);
    expect(fake.requests.length).toBeGreaterThanOrEqual(2);
    expect(fake.requests.every((r) => r.authorization === `Bearer ${apiKey}`)).toBe(true);
    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { checks: { embedder: Record<string, unknown> } };
    expect(ready.checks.embedder).toMatchObject({ status: 'up', backend: 'openai', model: 'fake-embed-1', dimension: 384 });
    expect(JSON.stringify(ready)).not.toContain(apiKey);
  });

  it('when the endpoint fails: writes are SERVICE_UNAVAILABLE and leave no trace; vector search fails; text search answers', { timeout: 60_000 }, async () => {
    const before = (await ok<{ artifacts: { edges: unknown[] } }>(server, ADMIN_KEY, COUNT)).artifacts.edges.length;
    fake.always = { status: 503, body: { error: 'overloaded' } };
    try {
      expect(await errorCode(server, ADMIN_KEY, CREATE, { t: 'Lost?', c: 'This must not be stored half-way.' })).toBe('SERVICE_UNAVAILABLE');
      const after = (await ok<{ artifacts: { edges: unknown[] } }>(server, ADMIN_KEY, COUNT)).artifacts.edges.length;
      expect(after).toBe(before);
      expect(await errorCode(server, ADMIN_KEY, SEARCH, { q: 'consumer lag', m: 'HYBRID' })).toBe('SERVICE_UNAVAILABLE');
      const text = await ok<{ search: { artifact: { title: string } }[] }>(server, ADMIN_KEY, SEARCH, { q: 'consumer lag', m: 'TEXT' });
      expect(text.search.map((h) => h.artifact.title)).toEqual(['Kafka consumer lag']);
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(503);
    } finally {
      fake.always = undefined;
    }
    expect(server.logs.join('\n')).not.toContain(apiKey);
  });
});

const modelMissing = existsSync(path.join(DEFAULT_MODEL_DIR, 'onnx', 'model.onnx'))
  ? undefined
  : `the local model is not installed in ${DEFAULT_MODEL_DIR} (run \`bash scripts/models.sh\`)`;

describeIfAvailable('local all-MiniLM-L6-v2 embedder', modelMissing, () => {
  let server: TestServer;
  const docs: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer({ HIVEGRAPH_EMBEDDER: 'local' });
    const corpus: [string, string][] = [
      ['Rotating credentials', 'Change the database password every ninety days and store it in the vault.'],
      ['Cooking rice', 'Rinse the grains, add water, simmer covered for fifteen minutes.'],
      ['Football results', 'The home team won the match two goals to one after extra time.'],
    ];
    for (const [title, content] of corpus) {
      docs[title] = (await ok<{ createArtifact: { id: string } }>(server, ADMIN_KEY, CREATE, { t: title, c: content })).createArtifact.id;
    }
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('finds a document from a paraphrase that shares none of its words (vector leg), which full text cannot', async () => {
    const query = 'how often should secrets be renewed';
    const vector = await ok<{ search: { artifact: { id: string } }[] }>(server, ADMIN_KEY, SEARCH, { q: query, m: 'VECTOR' });
    expect(vector.search[0]?.artifact.id).toBe(docs['Rotating credentials']);
    const text = await ok<{ search: unknown[] }>(server, ADMIN_KEY, SEARCH, { q: query, m: 'TEXT' });
    expect(text.search).toEqual([]);
    const hybrid = await ok<{ search: { artifact: { id: string } }[] }>(server, ADMIN_KEY, SEARCH, { q: query, m: 'HYBRID' });
    expect(hybrid.search[0]?.artifact.id).toBe(docs['Rotating credentials']);
    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { checks: { embedder: Record<string, unknown> } };
    expect(ready.checks.embedder).toMatchObject({ status: 'up', backend: 'local', model: 'sentence-transformers/all-MiniLM-L6-v2', dimension: 384 });
  });

  it('similar ranks the semantically closest document first', async () => {
    const extra = (await ok<{ createArtifact: { id: string } }>(server, ADMIN_KEY, CREATE, {
      t: 'Secret rotation policy',
      c: 'API keys and passwords must be replaced regularly.',
    })).createArtifact.id;
    const similar = await ok<{ similar: { artifact: { id: string } }[] }>(server, ADMIN_KEY, 'query ($id: ID!) { similar(id: $id, first: 3) { artifact { id } } }', {
      id: extra,
    });
    expect(similar.similar[0]?.artifact.id).toBe(docs['Rotating credentials']);
  });
});
