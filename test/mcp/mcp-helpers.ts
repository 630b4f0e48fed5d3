/**
 * Shared by the MCP integration suites: a world of actors and artifacts made through the
 * GraphQL API, and a tool-call helper that parses the JSON a tool answers.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect } from 'vitest';
import { createActor, ok, type Actor } from '../support/actors.ts';
import { ADMIN_KEY } from '../support/server.ts';

/** The tools every installation ships. */
export const SHIPPED_TOOLS = ['contribute', 'get_artifact', 'list_contributions', 'neighbors', 'search', 'shortest_path'];

/** What the suites work with. */
export interface World {
  agent: Actor;
  member: Actor;
  reader: Actor;
  /** ORG artifacts the agent can see, related a → b → c. */
  runbook: string;
  middle: string;
  last: string;
  /** The member's PRIVATE artifact: invisible to the agent. */
  secret: string;
}

/** Creates actors (AGENT, MEMBER, READER) and artifacts through the API. */
export async function seedWorld(server: { graphqlUrl: string }, suffix: string): Promise<World> {
  const [agent, member, reader] = await Promise.all([
    createActor(server, ADMIN_KEY, `agent-${suffix}`, 'AGENT'),
    createActor(server, ADMIN_KEY, `member-${suffix}`, 'MEMBER'),
    createActor(server, ADMIN_KEY, `reader-${suffix}`, 'READER'),
  ]);
  const create = async (key: string, input: Record<string, unknown>) =>
    (await ok<{ createArtifact: { id: string } }>(server, key, 'mutation ($input: CreateArtifactInput!) { createArtifact(input: $input) { id } }', { input })).createArtifact.id;
  const runbook = await create(ADMIN_KEY, {
    kind: 'document',
    title: 'Zeppelin rollout runbook',
    content: 'How to roll out the zeppelin service: drain the blue pool, deploy green, watch error rates.',
    visibility: 'ORG',
  });
  const middle = await create(ADMIN_KEY, { kind: 'fact', title: 'Green pool', content: 'The green pool serves canary traffic.', visibility: 'ORG' });
  const last = await create(ADMIN_KEY, { kind: 'fact', title: 'Error budget', content: 'The error budget is 0.1% per week.', visibility: 'ORG' });
  const secret = await create(member.key, { kind: 'fact', title: 'Zeppelin private note', content: 'Zeppelin rollout secret plan.', visibility: 'PRIVATE' });
  const relate = 'mutation ($input: RelateInput!) { relate(input: $input) { id } }';
  await ok(server, ADMIN_KEY, relate, { input: { fromId: runbook, toId: middle, type: 'MENTIONS' } });
  await ok(server, ADMIN_KEY, relate, { input: { fromId: middle, toId: last, type: 'MENTIONS' } });
  return { agent, member, reader, runbook, middle, last, secret };
}

/** Calls a tool and returns whether it was an error and the JSON it answered. */
export async function callTool<T = any>(client: Client, name: string, args: Record<string, unknown>): Promise<{ isError: boolean; json: T; structured: unknown }> {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as { type: string; text: string }[];
  expect(content[0]?.type).toBe('text');
  return { isError: result.isError === true, json: JSON.parse(content[0]!.text) as T, structured: result.structuredContent };
}

/** A contribution as an ADMIN reads it through GraphQL. */
export async function readContribution(server: { graphqlUrl: string }, id: string) {
  const data = await ok<{ node: { status: string; sessionId: string | null; mcpClientId: string | null; contributor: { handle: string } } | null }>(
    server,
    ADMIN_KEY,
    'query ($id: ID!) { node(id: $id) { ... on Contribution { status sessionId mcpClientId contributor { handle } } } }',
    { id },
  );
  return data.node;
}
