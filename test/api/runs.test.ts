/**
 * Workflow runs and context packages through the GraphQL API on the run's backends: the run
 * lifecycle and its legal transitions, steps, inputs/outputs with provenance and DERIVED_FROM
 * relationships (traversable), RUN_UPDATED events, survival across a restart, permissions,
 * and versioned context packages whose references obey visibility.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, createOrgAdmin, errorCode, ok, type Actor } from '../support/actors.ts';
import { uniqueSuffix } from '../support/backends.ts';
import { ADMIN_KEY, gql, startTestServer, type TestServer } from '../support/server.ts';

const RUN = uniqueSuffix().replace(/[^a-z0-9]/gi, '');
let n = 0;
const word = (p: string) => `${p}${RUN}x${++n}`.toLowerCase();

const CREATE = 'mutation ($t: String!, $v: Visibility, $run: ID) { createArtifact(input: { kind: "note", title: $t, content: $t, visibility: $v, runId: $run }) { id } }';
const RUN_FIELDS = `id name status manifest diagnostics startedAt finishedAt createdBy { handle }
  inputs { id } outputs { id } steps { position name status detail startedAt finishedAt }`;
const START = `mutation ($input: StartRunInput!) { startRun(input: $input) { ${RUN_FIELDS} } }`;
const COMPLETE = `mutation ($id: ID!, $status: RunStatus!, $out: [ID!], $diag: JSON) { completeRun(id: $id, status: $status, outputIds: $out, diagnostics: $diag) { ${RUN_FIELDS} } }`;
const SET_STATUS = `mutation ($id: ID!, $status: RunStatus!) { setRunStatus(id: $id, status: $status) { id status startedAt } }`;
const ADD_STEP = `mutation ($id: ID!, $input: RunStepInput!) { addRunStep(runId: $id, input: $input) { position name status detail startedAt finishedAt } }`;
const UPDATE_STEP = `mutation ($id: ID!, $pos: Int!, $status: RunStatus!, $detail: JSON) { updateRunStep(runId: $id, position: $pos, status: $status, detail: $detail) { position status detail finishedAt } }`;
const GET_RUN = `query ($id: ID!) { run(id: $id) { ${RUN_FIELDS} } }`;

interface RunData {
  id: string;
  name: string;
  status: string;
  manifest: unknown;
  diagnostics: unknown;
  startedAt: string | null;
  finishedAt: string | null;
  inputs: { id: string }[];
  outputs: { id: string }[];
  steps: { position: number; name: string; status: string; detail: unknown; startedAt: string | null; finishedAt: string | null }[];
}

let server: TestServer;
let member: Actor;
let other: Actor;
let agent: Actor;

async function create(key: string, title: string, visibility = 'ORG', run?: string): Promise<string> {
  return (await ok<{ createArtifact: { id: string } }>(server, key, CREATE, { t: title, v: visibility, run })).createArtifact.id;
}

beforeAll(async () => {
  server = await startTestServer({ HIVEGRAPH_RATE_LIMITS: 'default=100000/1' });
  member = await createActor(server, ADMIN_KEY, `runmember-${RUN}`, 'MEMBER');
  other = await createActor(server, ADMIN_KEY, `runother-${RUN}`, 'MEMBER');
  agent = await createActor(server, ADMIN_KEY, `runagent-${RUN}`, 'AGENT');
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('runs', () => {
  it('records a run from start to finish: inputs, steps, manifest, outputs with provenance, diagnostics; everything survives a restart', async () => {
    const inputs = [await create(member.key, word('in')), await create(member.key, word('in'))];
    const started = (await ok<{ startRun: RunData }>(server, member.key, START, {
      input: { name: 'nightly summary', inputIds: inputs, manifest: { model: 'gpt-x', params: { temperature: 0 } } },
    })).startRun;
    expect(started).toMatchObject({ name: 'nightly summary', status: 'RUNNING', manifest: { model: 'gpt-x', params: { temperature: 0 } }, outputs: [], steps: [] });
    expect(started.inputs.map((a) => a.id)).toEqual(inputs);
    expect(started.startedAt).not.toBeNull();

    const step1 = await ok<{ addRunStep: RunData['steps'][number] }>(server, member.key, ADD_STEP, { id: started.id, input: { name: 'fetch', detail: { rows: 10 } } });
    expect(step1.addRunStep).toMatchObject({ position: 1, name: 'fetch', status: 'RUNNING', detail: { rows: 10 } });
    await ok(server, member.key, UPDATE_STEP, { id: started.id, pos: 1, status: 'SUCCEEDED' });
    await ok(server, member.key, ADD_STEP, { id: started.id, input: { name: 'summarise', status: 'PENDING' } });
    expect(await errorCode(server, member.key, UPDATE_STEP, { id: started.id, pos: 2, status: 'SUCCEEDED' })).toBe('BAD_USER_INPUT');
    await ok(server, member.key, UPDATE_STEP, { id: started.id, pos: 2, status: 'RUNNING' });
    await ok(server, member.key, UPDATE_STEP, { id: started.id, pos: 2, status: 'FAILED', detail: { error: 'timeout' } });

    const madeInRun = await create(member.key, word('out'), 'ORG', started.id);
    const namedAtEnd = await create(member.key, word('out'));
    const done = (await ok<{ completeRun: RunData }>(server, member.key, COMPLETE, {
      id: started.id,
      status: 'SUCCEEDED',
      out: [namedAtEnd],
      diag: { warnings: 1 },
    })).completeRun;
    expect(done).toMatchObject({ status: 'SUCCEEDED', diagnostics: { warnings: 1 } });
    expect(done.finishedAt).not.toBeNull();
    expect(done.outputs.map((a) => a.id)).toEqual([madeInRun, namedAtEnd]);
    expect(done.steps.map((s) => [s.name, s.status])).toEqual([
      ['fetch', 'SUCCEEDED'],
      ['summarise', 'FAILED'],
    ]);

    // Outputs link back and derive from every input in the graph.
    for (const output of [madeInRun, namedAtEnd]) {
      const art = await ok<{ artifact: { producedBy: { id: string } | null; provenance: { runId: string | null }; neighbors: { id: string }[] } }>(
        server,
        member.key,
        'query ($id: ID!) { artifact(id: $id) { producedBy { id } provenance { runId } neighbors(types: ["DERIVED_FROM"], direction: OUT) { id } } }',
        { id: output },
      );
      expect(art.artifact.producedBy?.id).toBe(started.id);
      expect(art.artifact.provenance.runId).toBe(started.id);
      expect(art.artifact.neighbors.map((a) => a.id).sort()).toEqual([...inputs].sort());
    }

    const restarted = await server.restart();
    server = restarted;
    const again = (await ok<{ run: RunData }>(server, member.key, GET_RUN, { id: started.id })).run;
    expect(again).toEqual(done);
    const node = await ok<{ node: { id: string } | null }>(server, member.key, 'query ($id: ID!) { node(id: $id) { id ... on Run { status } } }', { id: started.id });
    expect(node.node?.id).toBe(started.id);
  });

  it.each([
    ['RUNNING → PENDING', 'RUNNING', 'PENDING'],
    ['RUNNING → RUNNING', 'RUNNING', 'RUNNING'],
    ['PENDING → SUCCEEDED', 'PENDING', 'SUCCEEDED'],
  ])('%s is BAD_USER_INPUT and changes nothing', async (_label, from, to) => {
    const run = (await ok<{ startRun: RunData }>(server, member.key, START, { input: { name: 'x', status: from } })).startRun;
    const mutation = to === 'SUCCEEDED' ? COMPLETE : SET_STATUS;
    expect(await errorCode(server, member.key, mutation, { id: run.id, status: to })).toBe('BAD_USER_INPUT');
    expect((await ok<{ run: RunData }>(server, member.key, GET_RUN, { id: run.id })).run.status).toBe(from);
  });

  it('a finished run cannot change, take steps or produce artifacts', async () => {
    const run = (await ok<{ startRun: RunData }>(server, member.key, START, { input: { name: 'short', status: 'PENDING' } })).startRun;
    await ok(server, member.key, SET_STATUS, { id: run.id, status: 'RUNNING' });
    await ok(server, member.key, SET_STATUS, { id: run.id, status: 'CANCELLED' });
    expect(await errorCode(server, member.key, SET_STATUS, { id: run.id, status: 'RUNNING' })).toBe('BAD_USER_INPUT');
    expect(await errorCode(server, member.key, ADD_STEP, { id: run.id, input: { name: 'late' } })).toBe('BAD_USER_INPUT');
    expect(await errorCode(server, member.key, CREATE, { t: 'late', v: 'ORG', run: run.id })).toBe('BAD_USER_INPUT');
  });

  it('permissions: AGENTs and READERs record no runs; only the creator or an ADMIN changes one; inputs must be visible', async () => {
    expect(await errorCode(server, agent.key, START, { input: { name: 'a' } })).toBe('FORBIDDEN');
    const run = (await ok<{ startRun: RunData }>(server, member.key, START, { input: { name: 'mine' } })).startRun;
    expect(await errorCode(server, other.key, ADD_STEP, { id: run.id, input: { name: 's' } })).toBe('FORBIDDEN');
    await ok(server, ADMIN_KEY, ADD_STEP, { id: run.id, input: { name: 's' } });
    const hidden = await create(other.key, word('hidden'), 'PRIVATE');
    expect(await errorCode(server, member.key, START, { input: { name: 'peek', inputIds: [hidden] } })).toBe('NOT_FOUND');
    expect(await errorCode(server, member.key, COMPLETE, { id: run.id, status: 'SUCCEEDED', out: [hidden] })).toBe('NOT_FOUND');
    // Inputs the reader cannot see are left out of the run.
    const secret = await create(member.key, word('secret'), 'PRIVATE');
    const withSecret = (await ok<{ startRun: RunData }>(server, member.key, START, { input: { name: 'private input', inputIds: [secret] } })).startRun;
    expect((await ok<{ run: RunData }>(server, other.key, GET_RUN, { id: withSecret.id })).run.inputs).toEqual([]);
  });

  it('status changes and steps emit RUN_UPDATED; runs are listed newest first', async () => {
    const before = await ok<{ events: { edges: { cursor: string }[] } }>(server, member.key, '{ events(first: 100, types: [RUN_UPDATED]) { edges { cursor } } }');
    const run = (await ok<{ startRun: RunData }>(server, member.key, START, { input: { name: 'evented', status: 'PENDING' } })).startRun;
    await ok(server, member.key, SET_STATUS, { id: run.id, status: 'RUNNING' });
    await ok(server, member.key, COMPLETE, { id: run.id, status: 'FAILED' });
    const after = before.events.edges.at(-1)?.cursor ?? null;
    const events = await ok<{ events: { edges: { node: { type: string; run: { id: string; status: string } | null } }[] } }>(
      server,
      other.key,
      'query ($after: String) { events(after: $after, types: [RUN_UPDATED]) { edges { node { type run { id status } } } } }',
      { after },
    );
    const mine = events.events.edges.filter((e) => e.node.run?.id === run.id);
    expect(mine).toHaveLength(3);
    const list = await ok<{ runs: { edges: { node: { id: string } }[] } }>(server, other.key, '{ runs(first: 3) { edges { node { id } } } }');
    expect(list.runs.edges[0]?.node.id).toBe(run.id);
  });
});

describe('context packages', () => {
  const PKG = `id name version description createdBy { handle } items { position kind note artifact { id } relationship { id } run { id }
    memory { uri source recordedBy recordedAt } }`;
  const CREATE_PKG = `mutation ($input: CreateContextPackageInput!) { createContextPackage(input: $input) { ${PKG} } }`;
  const ADD = `mutation ($name: String!, $items: [ContextItemInput!]!) { addToContextPackage(name: $name, items: $items) { ${PKG} } }`;

  it('bundles artifacts, relationships, runs and memory records; adding writes a new version; old versions stay', async () => {
    const a = await create(member.key, word('pa'));
    const b = await create(member.key, word('pb'));
    const rel = await ok<{ relate: { id: string } }>(server, member.key, 'mutation ($a: ID!, $b: ID!) { relate(input: { fromId: $a, toId: $b, type: "SUPPORTS" }) { id } }', { a, b });
    const run = (await ok<{ startRun: RunData }>(server, member.key, START, { input: { name: 'pkg run' } })).startRun;
    const name = word('pkg');
    const v1 = (await ok<{ createContextPackage: { id: string; version: number; items: { kind: string }[] } }>(server, member.key, CREATE_PKG, {
      input: {
        name,
        description: 'for the weekly review',
        items: [
          { artifactId: a, note: 'main source' },
          { relationshipId: rel.relate.id },
          { runId: run.id },
          { memory: { uri: 'mem0://user/7/memory/42', source: 'mem0', recordedBy: 'assistant-1', recordedAt: '2026-11-01T10:00:00.000Z' } },
        ],
      },
    })).createContextPackage;
    expect(v1.version).toBe(1);
    expect(v1.items.map((i) => i.kind)).toEqual(['ARTIFACT', 'RELATIONSHIP', 'RUN', 'MEMORY']);
    expect(await errorCode(server, member.key, CREATE_PKG, { input: { name } })).toBe('CONFLICT');

    const v2 = (await ok<{ addToContextPackage: { id: string; version: number; description: string; items: { position: number; kind: string; artifact: { id: string } | null; memory: { uri: string; recordedAt: string } | null }[] } }>(
      server,
      member.key,
      ADD,
      { name, items: [{ artifactId: b }] },
    )).addToContextPackage;
    expect(v2).toMatchObject({ version: 2, description: 'for the weekly review' });
    expect(v2.items.map((i) => [i.position, i.kind])).toEqual([
      [1, 'ARTIFACT'],
      [2, 'RELATIONSHIP'],
      [3, 'RUN'],
      [4, 'MEMORY'],
      [5, 'ARTIFACT'],
    ]);
    expect(v2.items[3]!.memory).toMatchObject({ uri: 'mem0://user/7/memory/42', recordedAt: '2026-11-01T10:00:00.000Z' });

    const latest = await ok<{ contextPackage: { version: number } }>(server, other.key, 'query ($n: String) { contextPackage(name: $n) { version } }', { n: name });
    expect(latest.contextPackage.version).toBe(2);
    const first = await ok<{ contextPackage: { items: unknown[] } }>(server, other.key, 'query ($n: String) { contextPackage(name: $n, version: 1) { items { kind } } }', { n: name });
    expect(first.contextPackage.items).toHaveLength(4);
    const versions = await ok<{ contextPackages: { edges: { node: { version: number } }[] } }>(server, member.key, 'query ($n: String) { contextPackages(name: $n) { edges { node { version } } } }', { n: name });
    expect(versions.contextPackages.edges.map((e) => e.node.version)).toEqual([2, 1]);
    const latestOnly = await ok<{ contextPackages: { edges: { node: { name: string; version: number } }[] } }>(server, member.key, '{ contextPackages(first: 100) { edges { node { name version } } } }');
    expect(latestOnly.contextPackages.edges.filter((e) => e.node.name === name).map((e) => e.node.version)).toEqual([2]);
  });

  it('references respect visibility: invisible ones cannot be added and are left out when read', async () => {
    const mine = await create(member.key, word('mine'), 'PRIVATE');
    const shared = await create(member.key, word('shared'), 'ORG');
    const name = word('vis');
    expect(await errorCode(server, other.key, CREATE_PKG, { input: { name, items: [{ artifactId: mine }] } })).toBe('NOT_FOUND');
    await ok(server, member.key, CREATE_PKG, { input: { name, items: [{ artifactId: mine }, { artifactId: shared }] } });
    const asOther = await ok<{ contextPackage: { items: { artifact: { id: string } | null }[] } }>(server, other.key, 'query ($n: String) { contextPackage(name: $n) { items { artifact { id } } } }', { n: name });
    expect(asOther.contextPackage.items.map((i) => i.artifact?.id)).toEqual([shared]);
  });

  it("a PUBLIC artifact of another org is BAD_USER_INPUT naming the item, and no package is stored (was a 500: issue 16's randomized ACL test)", async () => {
    const outsider = await createOrgAdmin(server, `pkg-org-${RUN}`);
    const foreign = (await ok<{ createArtifact: { id: string } }>(server, outsider.key, 'mutation ($input: CreateArtifactInput!) { createArtifact(input: $input) { id } }', {
      input: { kind: 'fact', content: `public elsewhere ${RUN}`, visibility: 'PUBLIC' },
    })).createArtifact.id;
    const shared = await create(member.key, word('own'), 'ORG');
    const name = word('foreign');
    const res = await gql(server, CREATE_PKG, { key: member.key, variables: { input: { name, items: [{ artifactId: shared }, { artifactId: foreign }] } } });
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.extensions?.['field']).toBe('items[1].artifactId');
    expect((await ok<{ contextPackage: unknown }>(server, member.key, 'query ($n: String) { contextPackage(name: $n) { id } }', { n: name })).contextPackage).toBeNull();
    const ownOnly = word('own-only');
    await ok(server, member.key, CREATE_PKG, { input: { name: ownOnly, items: [{ artifactId: shared }] } });
    const ADD = 'mutation ($n: String!, $items: [ContextItemInput!]!) { addToContextPackage(name: $n, items: $items) { version } }';
    expect(await errorCode(server, member.key, ADD, { n: ownOnly, items: [{ artifactId: foreign }] })).toBe('BAD_USER_INPUT');
    const latest = await ok<{ contextPackage: { version: number } }>(server, member.key, 'query ($n: String) { contextPackage(name: $n) { version } }', { n: ownOnly });
    expect(latest.contextPackage.version, 'no version 2 was written').toBe(1);
  });

  it.each([
    ['no reference', { name: 'x', items: [{ note: 'nothing' }] }],
    ['two references in one item', { name: 'x', items: [{ artifactId: null, memory: { uri: 'a:b' }, runId: null, note: null, relationshipId: null }, { memory: { uri: 'a:b' }, note: 'x', artifactId: 'QXJ0aWZhY3Q6MDAwMDAwMDAtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAw' }] }],
    ['a memory URI without a scheme', { name: 'x', items: [{ memory: { uri: 'just words' } }] }],
  ])('%s → BAD_USER_INPUT', async (_label, input) => {
    expect(await errorCode(server, member.key, CREATE_PKG, { input })).toBe('BAD_USER_INPUT');
  });
});
