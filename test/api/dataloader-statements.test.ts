/**
 * N+1 guard: a list of artifacts with every related field costs a small, fixed number of SQL
 * statements — the same for 10 artifacts as for 100 — because every to-one and to-many field
 * loads through a per-request DataLoader. The statements are snapshotted, so a new query
 * shape shows up as a diff.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../support/actors.ts';
import { ADMIN_KEY, startTestServer, type TestServer } from '../support/server.ts';

const QUERY = `query ($first: Int!) {
  artifacts(first: $first, filter: { tags: ["n-plus-one"] }) {
    edges { node {
      id name
      owner { handle groups { name } }
      collection { name createdBy { handle } }
      sharedWithGroups { name members { role user { handle displayName } } }
      revisions(first: 5) { edges { node { revision change changedBy { handle } } } }
    } }
  }
}`;

describe('DataLoader batching', () => {
  let server: TestServer;
  let statements: string[] = [];
  let recording = false;

  beforeAll(async () => {
    server = await startTestServer({}, { onStatement: (text) => recording && statements.push(text) });
    const viewer = await server.services.auth.authenticate(`Bearer ${ADMIN_KEY}`);
    const groups = await Promise.all(['g-one', 'g-two', 'g-three'].map((name) => server.services.groups.create(viewer, name)));
    const collections = await Promise.all(['c-one', 'c-two'].map((name) => server.services.collections.create(viewer, { name })));
    for (let i = 0; i < 100; i += 1) {
      const shared = i % 2 === 0;
      const artifact = await server.services.artifacts.create(viewer, {
        kind: 'fact',
        name: `n1-${i}`,
        content: `artifact ${i}`,
        tags: ['n-plus-one'],
        collectionId: collections[i % 2]!.id,
        visibility: shared ? 'GROUP' : 'ORG',
        sharedWithGroupIds: shared ? [groups[i % 3]!.id, groups[(i + 1) % 3]!.id] : [],
      });
      if (i % 10 === 0) await server.services.artifacts.update(viewer, artifact.id, { content: `artifact ${i} v2` });
    }
    // The graph projector works in the background on its own statements: keep them out of the count.
    await server.services.projector.drain();
    await server.services.projector.stop();
  }, 180_000);
  afterAll(async () => server?.stop());

  async function countFor(first: number): Promise<string[]> {
    statements = [];
    recording = true;
    const data = await ok<{ artifacts: { edges: unknown[] } }>(server, ADMIN_KEY, QUERY, { first });
    recording = false;
    expect(data.artifacts.edges).toHaveLength(first);
    // The API key lookup is authentication, not resolution: leave it out of the count, and so the
    // server's background work that may run meanwhile on a busy machine (usage flush, event
    // pruning and fan-out, the start-up embedding backfill).
    const background = [
      /FROM api_keys k JOIN users u/,
      /UPDATE api_keys SET last_used_at/,
      /api_key_usage/,
      /DELETE FROM events/,
      /FROM events e/,
      /FROM api_keys WHERE id = ANY/,
      /embedding_model_id IS DISTINCT FROM/,
    ];
    return statements.filter((s) => !background.some((re) => re.test(s)));
  }

  it('resolves 100 artifacts with owner, groups, collection, shares, members and revisions in a fixed number of statements', async () => {
    const hundred = await countFor(100);
    const ten = await countFor(10);
    process.stdout.write(`[dataloader] statements for 100 artifacts: ${hundred.length}; for 10: ${ten.length}\n`);
    expect(hundred.length).toBe(ten.length);
    expect(hundred.length).toBeLessThanOrEqual(10);
    // Sorted: batches of one level dispatch in an order that depends on backend latency.
    const shapes = hundred.map((s) => s.replace(/\s+/g, ' ').trim()).sort();
    expect(shapes).toMatchSnapshot();
  });
});
