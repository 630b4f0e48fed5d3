/**
 * The contribution thresholds are read one by one: HIVEGRAPH_NEAR_DUPLICATE_THRESHOLD set
 * alone takes effect (it used to be ignored unless HIVEGRAPH_INJECTION_THRESHOLD was set too),
 * and HIVEGRAPH_INJECTION_THRESHOLD set alone leaves the near-duplicate threshold at 0.92.
 * Real servers on the run's backends, through GraphQL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createActor, ok } from '../support/actors.ts';
import { uniqueSuffix } from '../support/backends.ts';
import { ADMIN_KEY, startTestServer, type TestServer } from '../support/server.ts';

const CONTRIBUTE = `mutation ($input: ContributeInput!) { contribute(input: $input) { flags nearDuplicates { similarity } } }`;
const CREATE = 'mutation ($c: String!) { createArtifact(input: { kind: "note", content: $c, visibility: ORG }) { id } }';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** Creates an ORG artifact, then contributes a text sharing about half its words; returns the contribution. */
async function contributeHalfCopy(s: TestServer): Promise<{ flags: string[]; nearDuplicates: { similarity: number }[] }> {
  const t = uniqueSuffix();
  const member = await createActor(s, ADMIN_KEY, `member-${t}`, 'MEMBER');
  const agent = await createActor(s, ADMIN_KEY, `agent-${t}`, 'AGENT');
  await ok(s, member.key, CREATE, { c: `rotate the ${t} signing key every ninety days and record each rotation in the audit log` });
  const c = await ok<{ contribute: { flags: string[]; nearDuplicates: { similarity: number }[] } }>(s, agent.key, CONTRIBUTE, {
    input: { kind: 'note', content: `rotate the ${t} signing key monthly then page whoever owns billing exports tomorrow`, visibility: 'ORG' },
  });
  return c.contribute;
}

describe('contribution thresholds, each variable alone', () => {
  it('HIVEGRAPH_NEAR_DUPLICATE_THRESHOLD alone lowers the near-duplicate bar', async () => {
    server = await startTestServer({ HIVEGRAPH_NEAR_DUPLICATE_THRESHOLD: '0.2' });
    const c = await contributeHalfCopy(server);
    expect(c.flags).toContain('near-duplicate');
    expect(c.nearDuplicates[0]!.similarity).toBeGreaterThanOrEqual(0.2);
    expect(c.nearDuplicates[0]!.similarity).toBeLessThan(0.92);
  });

  it('HIVEGRAPH_INJECTION_THRESHOLD alone keeps the near-duplicate bar at 0.92', async () => {
    server = await startTestServer({ HIVEGRAPH_INJECTION_THRESHOLD: '0.9' });
    const c = await contributeHalfCopy(server);
    expect(c.flags).not.toContain('near-duplicate');
    expect(c.nearDuplicates).toEqual([]);
  });
});
