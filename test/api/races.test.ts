/**
 * Races through the GraphQL API on the run's backends (issue 16): concurrent writers on one
 * record, all requests sent at once over real HTTP. The store's row locks and unique indexes
 * decide; the test checks that exactly one writer wins, every loser gets CONFLICT, and what
 * is stored (revisions, events, relationships, the contribution's status and artifact) is
 * the winner's and only the winner's.
 *
 *  - 50 concurrent `updateArtifact` with the same `expectedRevision` → one revision added;
 *  - `approveContribution` racing `rejectContribution` on one contribution (ROUNDS times) → one
 *    review; an approval creates exactly one artifact, a rejection none;
 *  - 20 concurrent `relate` of one (from, to, type) triple (ROUNDS times) → one relationship,
 *    one RELATIONSHIP_CREATED event, in SQL and in the graph projection.
 *
 * Runtime: ~25 s of tests on PGlite, less on Postgres (one server, ~300 requests; load average ~10).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, ok, type Actor } from '../support/actors.ts';
import { uniqueSuffix } from '../support/backends.ts';
import { ADMIN_KEY, gql, startTestServer, type TestServer } from '../support/server.ts';

const RUN = uniqueSuffix();
const UPDATERS = 50;
const RELATERS = 20;
const ROUNDS = 5;

const CREATE = 'mutation ($input: CreateArtifactInput!) { createArtifact(input: $input) { id revision } }';
const UPDATE = 'mutation ($id: ID!, $t: String, $r: Int) { updateArtifact(id: $id, input: { title: $t }, expectedRevision: $r) { id revision title } }';
const CONTRIBUTE = 'mutation ($input: ContributeInput!) { contribute(input: $input) { id status } }';
const APPROVE = 'mutation ($id: ID!) { approveContribution(id: $id, note: "race") { id status artifact { id } } }';
const REJECT = 'mutation ($id: ID!) { rejectContribution(id: $id, reason: "race") { id status artifact { id } } }';
const RELATE = 'mutation ($input: RelateInput!) { relate(input: $input) { id } }';

let server: TestServer;
let agent: Actor;
let reviewer: Actor;

beforeAll(async () => {
  server = await startTestServer();
  agent = await createActor(server, ADMIN_KEY, `race-agent-${RUN}`, 'AGENT');
  reviewer = await createActor(server, ADMIN_KEY, `race-reviewer-${RUN}`, 'REVIEWER');
});
afterAll(async () => server?.stop());

/** Codes of a batch of responses: 'OK' for a success, else the first error's code. */
function outcome(res: { body: { errors?: { extensions?: Record<string, unknown> }[] } }): string {
  return res.body.errors ? String(res.body.errors[0]?.extensions?.['code']) : 'OK';
}

function tally(codes: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const code of codes) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
}

async function createArtifact(title: string): Promise<string> {
  const data = await ok<{ createArtifact: { id: string; revision: number } }>(server, ADMIN_KEY, CREATE, {
    input: { kind: 'fact', title, content: `content of ${title}`, visibility: 'ORG' },
  });
  expect(data.createArtifact.revision).toBe(1);
  return data.createArtifact.id;
}

/** Events of `types` about artifact `id`, or about a relationship from it (the admin sees every event of the org). */
async function eventsAbout(id: string, types: string[]): Promise<number> {
  let after: string | null = null;
  let count = 0;
  for (;;) {
    const data: {
      events: { edges: { node: { artifactId: string | null; relationship: { from: { id: string } } | null } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    } = await ok(
      server,
      ADMIN_KEY,
      'query ($after: String, $types: [EventType!]) { events(after: $after, types: $types, first: 100) { edges { node { artifactId relationship { from { id } } } } pageInfo { hasNextPage endCursor } } }',
      { after, types },
    );
    count += data.events.edges.filter((edge) => edge.node.artifactId === id || edge.node.relationship?.from.id === id).length;
    if (!data.events.pageInfo.hasNextPage) return count;
    after = data.events.pageInfo.endCursor;
  }
}

describe('races', () => {
  it(`${UPDATERS} concurrent updateArtifact with the same expectedRevision: exactly one wins, the rest CONFLICT`, async () => {
    const id = await createArtifact(`race-update-${RUN}`);
    const responses = await Promise.all(
      Array.from({ length: UPDATERS }, (_, i) => gql(server, UPDATE, { key: ADMIN_KEY, variables: { id, t: `writer ${i}`, r: 1 } })),
    );
    const codes = responses.map(outcome);
    process.stdout.write(`[races] ${UPDATERS} updates at revision 1 on ${server.sqlBackend}: ${JSON.stringify(tally(codes))}\n`);
    expect(tally(codes)).toEqual({ OK: 1, CONFLICT: UPDATERS - 1 });
    const winner = responses.find((res) => !res.body.errors)!.body.data as { updateArtifact: { revision: number; title: string } };
    expect(winner.updateArtifact.revision).toBe(2);

    const stored = await ok<{ artifact: { revision: number; title: string; revisions: { edges: unknown[] } } }>(
      server,
      ADMIN_KEY,
      'query ($id: ID!) { artifact(id: $id) { revision title revisions(first: 100) { edges { cursor } } } }',
      { id },
    );
    expect(stored.artifact.revision).toBe(2);
    expect(stored.artifact.title, 'the stored title is the winner’s').toBe(winner.updateArtifact.title);
    expect(stored.artifact.revisions.edges, 'one revision for the create, one for the winner').toHaveLength(2);
    expect(await eventsAbout(id, ['ARTIFACT_UPDATED']), 'one ARTIFACT_UPDATED event').toBe(1);
  });

  it(`approveContribution racing rejectContribution (${ROUNDS} rounds): one review wins, the other is CONFLICT`, async () => {
    const seen: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const contributed = await ok<{ contribute: { id: string; status: string } }>(server, agent.key, CONTRIBUTE, {
        // ORG spelled out: the reviewers read the artifact (without it the agent's chain decides: PRIVATE).
        input: { kind: 'note', title: `race contribution ${round} ${RUN}`, content: `A plain note for race round ${round} of run ${RUN}.`, visibility: 'ORG' },
      });
      expect(contributed.contribute.status).toBe('PENDING');
      const id = contributed.contribute.id;
      // Alternate who sends first, and which reviewer sends which.
      const [approver, rejecter] = round % 2 === 0 ? [ADMIN_KEY, reviewer.key] : [reviewer.key, ADMIN_KEY];
      const sendApprove = () => gql(server, APPROVE, { key: approver, variables: { id } });
      const sendReject = () => gql(server, REJECT, { key: rejecter, variables: { id } });
      const [approved, rejected] =
        round % 2 === 0 ? await Promise.all([sendApprove(), sendReject()]) : await Promise.all([sendReject(), sendApprove()]).then(([r, a]) => [a, r]);
      const codes = [outcome(approved!), outcome(rejected!)];
      expect(codes.sort(), `round ${round}: one OK, one CONFLICT`).toEqual(['CONFLICT', 'OK']);
      const approveWon = outcome(approved!) === 'OK';
      seen.push(approveWon ? 'approve' : 'reject');

      const stored = await ok<{ node: { status: string; artifact: { id: string } | null } }>(
        server,
        ADMIN_KEY,
        'query ($id: ID!) { node(id: $id) { ... on Contribution { status artifact { id } } } }',
        { id },
      );
      expect(stored.node.status).toBe(approveWon ? 'APPROVED' : 'REJECTED');
      if (approveWon) {
        const artifactId = (approved!.body.data as { approveContribution: { artifact: { id: string } } }).approveContribution.artifact.id;
        expect(stored.node.artifact?.id).toBe(artifactId);
        expect(await eventsAbout(artifactId, ['ARTIFACT_CREATED']), 'one ARTIFACT_CREATED for the approval').toBe(1);
      } else {
        expect(stored.node.artifact, 'a rejection creates no artifact').toBeNull();
      }
    }
    const titles = await ok<{ artifacts: { edges: { node: { title: string } }[] } }>(server, ADMIN_KEY, '{ artifacts(first: 100) { edges { node { title } } } }');
    const approvedArtifacts = titles.artifacts.edges.filter((edge) => edge.node.title.startsWith('race contribution') && edge.node.title.endsWith(RUN));
    expect(approvedArtifacts, 'one artifact per approval, none per rejection').toHaveLength(seen.filter((s) => s === 'approve').length);
    process.stdout.write(`[races] approve vs reject on ${server.sqlBackend}: winners ${seen.join(', ')}\n`);
  });

  it(`${RELATERS} concurrent relate of one triple (${ROUNDS} rounds): one relationship, the rest CONFLICT`, async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const from = await createArtifact(`race-from-${round}-${RUN}`);
      const to = await createArtifact(`race-to-${round}-${RUN}`);
      const responses = await Promise.all(
        Array.from({ length: RELATERS }, () => gql(server, RELATE, { key: ADMIN_KEY, variables: { input: { fromId: from, toId: to, type: 'RACES' } } })),
      );
      expect(tally(responses.map(outcome)), `round ${round}`).toEqual({ OK: 1, CONFLICT: RELATERS - 1 });
      const stored = await ok<{ artifact: { relationships: { edges: { node: { id: string } }[] }; neighbors: { id: string }[] } }>(
        server,
        ADMIN_KEY,
        'query ($id: ID!) { artifact(id: $id) { relationships(first: 100) { edges { node { id } } } neighbors { id } } }',
        { id: from },
      );
      expect(stored.artifact.relationships.edges, 'one relationship stored').toHaveLength(1);
      expect(stored.artifact.neighbors.map((n) => n.id), 'the graph has one neighbour').toEqual([to]);
      expect(await eventsAbout(from, ['RELATIONSHIP_CREATED']), 'one RELATIONSHIP_CREATED').toBe(1);
    }
  });
});
