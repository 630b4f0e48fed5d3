/**
 * Sharing rules and default visibility (issue 15), through the GraphQL API on the run's
 * deployment: every step of the precedence chain (explicit → session override → the owner's
 * rule → the owner's default), every tie-break between rules, each match field, the group
 * membership check, rules never widening an existing artifact, the session override's TTL
 * (an injected clock, no sleeps), batches and the contribution pipeline, and who sees rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, errorCode, ok, type Actor } from '../support/actors.ts';
import { uniqueSuffix } from '../support/backends.ts';
import { ADMIN_KEY, gql, startTestServer, type TestServer } from '../support/server.ts';

const RUN = uniqueSuffix().replace(/[^a-z0-9]/gi, '').toLowerCase();
const TTL_SECONDS = 60;

const ARTIFACT = `id visibility visibilitySource sharedWithGroups { id }
  revisions(first: 5) { edges { node { revision change visibilitySource sharingRuleId } } }`;
const CREATE = `mutation ($input: CreateArtifactInput!) { createArtifact(input: $input) { ${ARTIFACT} } }`;
const CREATE_MANY = `mutation ($inputs: [CreateArtifactInput!]!) { createArtifacts(inputs: $inputs) { ${ARTIFACT} } }`;
const READ = 'query ($id: ID!) { artifact(id: $id) { id visibility visibilitySource } }';
const RULE_FIELDS = 'id codebase tag kind hasApiKey apiKey { id } visibility sharedWithGroups { id } priority owner { id } createdAt';
const SET_RULE = `mutation ($input: SetSharingRuleInput!) { setSharingRule(input: $input) { ${RULE_FIELDS} } }`;
const DELETE_RULE = 'mutation ($id: ID!) { deleteSharingRule(id: $id) }';
const RULES = `{ sharingRules { ${RULE_FIELDS} } }`;
const SESSION = 'mutation ($s: String!, $v: Visibility, $g: [ID!]) { setSessionVisibility(sessionId: $s, visibility: $v, groupIds: $g) }';
const UPDATE_ME = 'mutation ($input: UpdateMeInput!) { updateMe(input: $input) { id displayName defaultVisibility } }';
const CONTRIBUTION = `id status visibility visibilitySource artifact { ${ARTIFACT} }`;
const CONTRIBUTE = `mutation ($input: ContributeInput!) { contribute(input: $input) { ${CONTRIBUTION} } }`;
const CONTRIBUTE_MANY = `mutation ($inputs: [ContributeInput!]!) { contributeMany(inputs: $inputs) { ${CONTRIBUTION} } }`;
const APPROVE = `mutation ($id: ID!) { approveContribution(id: $id) { ${CONTRIBUTION} } }`;

interface Revision {
  revision: number;
  change: string;
  visibilitySource: string | null;
  sharingRuleId: string | null;
}
interface Made {
  id: string;
  visibility: string;
  visibilitySource: string;
  sharedWithGroups: { id: string }[];
  revisions: { edges: { node: Revision }[] };
}
interface Rule {
  id: string;
  codebase: string | null;
  tag: string | null;
  kind: string | null;
  hasApiKey: boolean;
  apiKey: { id: string } | null;
  visibility: string;
  sharedWithGroups: { id: string }[];
  priority: number;
  owner: { id: string };
}
interface Contribution {
  id: string;
  status: string;
  visibility: string;
  visibilitySource: string;
  artifact: Made | null;
}

let server: TestServer;
let now = Date.UTC(2026, 11, 1, 12, 0, 0);
let n = 0;
/** A codebase no other test uses: rules keyed on it match only this test's artifacts. */
const codebase = () => `github.com/rules/${RUN}-${++n}`;

/** A user of their own (so their rules and default touch no other test) with a key. */
async function user(role = 'MEMBER'): Promise<Actor> {
  return createActor(server, ADMIN_KEY, `r${RUN}-${++n}`.slice(0, 60), role);
}

async function create(key: string, input: Record<string, unknown>): Promise<Made> {
  return (await ok<{ createArtifact: Made }>(server, key, CREATE, { input: { kind: 'fact', content: `content ${++n}`, ...input } })).createArtifact;
}

async function setRule(key: string, input: Record<string, unknown>): Promise<Rule> {
  return (await ok<{ setSharingRule: Rule }>(server, key, SET_RULE, { input })).setSharingRule;
}

async function group(owner: Actor, members: Actor[] = []): Promise<string> {
  const id = (await ok<{ createGroup: { id: string } }>(server, owner.key, 'mutation ($n: String!) { createGroup(input: { name: $n }) { id } }', { n: `g${RUN}-${++n}` }))
    .createGroup.id;
  for (const m of members) await ok(server, owner.key, 'mutation ($g: ID!, $u: ID!) { addGroupMember(groupId: $g, userId: $u) { id } }', { g: id, u: m.id });
  return id;
}

/** The CREATED revision's record of how the visibility was decided. */
function firstRevision(made: Made): Revision {
  const created = made.revisions.edges.map((e) => e.node).find((r) => r.revision === 1);
  expect(created, 'revision 1 is listed').toBeDefined();
  return created!;
}

/** Visibility, source and (revision 1) rule id, the way the assertions compare them. */
function decided(made: Made): { visibility: string; source: string; ruleId: string | null; groups: string[] } {
  const first = firstRevision(made);
  expect(first.change).toBe('CREATED');
  expect(first.visibilitySource, 'revision 1 records the source').toBe(made.visibilitySource);
  return { visibility: made.visibility, source: made.visibilitySource, ruleId: first.sharingRuleId, groups: made.sharedWithGroups.map((g) => g.id).sort() };
}

async function sees(key: string, id: string): Promise<boolean> {
  return (await ok<{ artifact: { id: string } | null }>(server, key, READ, { id })).artifact !== null;
}

beforeAll(async () => {
  server = await startTestServer({ HIVEGRAPH_SESSION_OVERRIDE_TTL: String(TTL_SECONDS) }, { clock: () => now });
});

afterAll(async () => {
  await server?.stop();
});

describe('the precedence chain, step by step', () => {
  it('without rules or overrides an artifact gets the owner’s defaultVisibility (PRIVATE unless changed): DEFAULT', async () => {
    const owner = await user();
    const me = await ok<{ me: { defaultVisibility: string } }>(server, owner.key, '{ me { defaultVisibility } }');
    expect(me.me.defaultVisibility).toBe('PRIVATE');
    expect(decided(await create(owner.key, {}))).toEqual({ visibility: 'PRIVATE', source: 'DEFAULT', ruleId: null, groups: [] });

    const updated = await ok<{ updateMe: { defaultVisibility: string; displayName: string } }>(server, owner.key, UPDATE_ME, {
      input: { defaultVisibility: 'ORG', displayName: 'Rule Tester' },
    });
    expect(updated.updateMe).toMatchObject({ defaultVisibility: 'ORG', displayName: 'Rule Tester' });
    const made = await create(owner.key, {});
    expect(decided(made)).toEqual({ visibility: 'ORG', source: 'DEFAULT', ruleId: null, groups: [] });
    const other = await user();
    expect(await sees(other.key, made.id)).toBe(true);
  });

  it('a matching rule beats the default: RULE, with the rule’s id in revision 1', async () => {
    const owner = await user();
    const cb = codebase();
    const rule = await setRule(owner.key, { codebase: cb, visibility: 'ORG' });
    expect(rule).toMatchObject({ codebase: cb, tag: null, kind: null, hasApiKey: false, apiKey: null, visibility: 'ORG', priority: 0, owner: { id: owner.id } });
    expect(decided(await create(owner.key, { codebase: cb }))).toEqual({ visibility: 'ORG', source: 'RULE', ruleId: rule.id, groups: [] });
    // Not matching: the default.
    expect(decided(await create(owner.key, { codebase: codebase() }))).toEqual({ visibility: 'PRIVATE', source: 'DEFAULT', ruleId: null, groups: [] });
  });

  it('a session override beats rules and the default: SESSION; it decides only its setter’s artifacts', async () => {
    const owner = await user();
    const cb = codebase();
    await setRule(owner.key, { codebase: cb, visibility: 'ORG' });
    const session = `sess-${RUN}-${++n}`;
    expect((await ok<{ setSessionVisibility: boolean }>(server, owner.key, SESSION, { s: session, v: 'PUBLIC' })).setSessionVisibility).toBe(true);
    expect(decided(await create(owner.key, { codebase: cb, sessionId: session }))).toEqual({ visibility: 'PUBLIC', source: 'SESSION', ruleId: null, groups: [] });
    // Another session id of the same user: the rule.
    expect(decided(await create(owner.key, { codebase: cb, sessionId: `${session}-other` }))).toMatchObject({ source: 'RULE', visibility: 'ORG' });
    // Another user naming the same session id is not affected by it.
    const other = await user();
    expect(decided(await create(other.key, { codebase: cb, sessionId: session }))).toEqual({ visibility: 'PRIVATE', source: 'DEFAULT', ruleId: null, groups: [] });
    // A null visibility clears it.
    await ok(server, owner.key, SESSION, { s: session, v: null });
    expect(decided(await create(owner.key, { codebase: cb, sessionId: session }))).toMatchObject({ source: 'RULE', visibility: 'ORG' });
  });

  it('an explicit visibility beats everything and behaves exactly as before: EXPLICIT', async () => {
    const owner = await user();
    const cb = codebase();
    await setRule(owner.key, { codebase: cb, visibility: 'PUBLIC', priority: 100 });
    await ok(server, owner.key, UPDATE_ME, { input: { defaultVisibility: 'PUBLIC' } });
    const session = `sess-${RUN}-${++n}`;
    await ok(server, owner.key, SESSION, { s: session, v: 'ORG' });
    const made = await create(owner.key, { codebase: cb, sessionId: session, visibility: 'PRIVATE' });
    expect(decided(made)).toEqual({ visibility: 'PRIVATE', source: 'EXPLICIT', ruleId: null, groups: [] });
    expect(await sees((await user()).key, made.id)).toBe(false);
    const g = await group(owner);
    expect(decided(await create(owner.key, { codebase: cb, visibility: 'GROUP', sharedWithGroupIds: [g] }))).toEqual({ visibility: 'GROUP', source: 'EXPLICIT', ruleId: null, groups: [g] });
    // As before: groups without GROUP visibility are refused, and now also groups without a visibility.
    expect(await errorCode(server, owner.key, CREATE, { input: { kind: 'fact', content: 'x', visibility: 'ORG', sharedWithGroupIds: [g] } })).toBe('BAD_USER_INPUT');
    expect(await errorCode(server, owner.key, CREATE, { input: { kind: 'fact', content: 'x', sharedWithGroupIds: [g] } })).toBe('BAD_USER_INPUT');
  });

  it('a session override expires after HIVEGRAPH_SESSION_OVERRIDE_TTL (injected clock); setting it again restarts the TTL', async () => {
    const owner = await user();
    const session = `sess-${RUN}-${++n}`;
    await ok(server, owner.key, SESSION, { s: session, v: 'ORG' });
    now += (TTL_SECONDS - 1) * 1000;
    expect(decided(await create(owner.key, { sessionId: session }))).toMatchObject({ source: 'SESSION', visibility: 'ORG' });
    now += 1000;
    expect(decided(await create(owner.key, { sessionId: session }))).toMatchObject({ source: 'DEFAULT', visibility: 'PRIVATE' });
    await ok(server, owner.key, SESSION, { s: session, v: 'PUBLIC' });
    now += (TTL_SECONDS - 1) * 1000;
    expect(decided(await create(owner.key, { sessionId: session }))).toMatchObject({ source: 'SESSION', visibility: 'PUBLIC' });
    now += 1000;
    expect(decided(await create(owner.key, { sessionId: session }))).toMatchObject({ source: 'DEFAULT' });
  });

  it('a GROUP session override shares with its groups, and is passed over once its setter left one', async () => {
    const owner = await user();
    const peer = await user();
    const g = await group(owner, [peer]);
    const session = `sess-${RUN}-${++n}`;
    await ok(server, owner.key, SESSION, { s: session, v: 'GROUP', g: [g] });
    const made = await create(owner.key, { sessionId: session });
    expect(decided(made)).toEqual({ visibility: 'GROUP', source: 'SESSION', ruleId: null, groups: [g] });
    expect(await sees(peer.key, made.id)).toBe(true);
    await ok(server, ADMIN_KEY, 'mutation ($g: ID!, $u: ID!) { removeGroupMember(groupId: $g, userId: $u) { id } }', { g, u: owner.id });
    expect(decided(await create(owner.key, { sessionId: session }))).toMatchObject({ source: 'DEFAULT', visibility: 'PRIVATE' });
  });
});

describe('which rule wins', () => {
  it('the highest priority, even over a more specific rule', async () => {
    const owner = await user();
    const cb = codebase();
    await setRule(owner.key, { codebase: cb, tag: 'x', kind: 'fact', visibility: 'PRIVATE', priority: 1 });
    const broad = await setRule(owner.key, { codebase: cb, visibility: 'ORG', priority: 2 });
    expect(decided(await create(owner.key, { codebase: cb, tags: ['x'] }))).toMatchObject({ source: 'RULE', ruleId: broad.id, visibility: 'ORG' });
  });

  it('equal priority: the most specific (most match fields set)', async () => {
    const owner = await user();
    const cb = codebase();
    await setRule(owner.key, { codebase: cb, visibility: 'PRIVATE', priority: 5 });
    const specific = await setRule(owner.key, { codebase: cb, tag: 'deploy', visibility: 'ORG', priority: 5 });
    await setRule(owner.key, { codebase: cb, kind: 'decision', visibility: 'PUBLIC', priority: 5 });
    expect(decided(await create(owner.key, { codebase: cb, tags: ['deploy'] }))).toMatchObject({ ruleId: specific.id, visibility: 'ORG' });
    const both = await setRule(owner.key, { codebase: cb, tag: 'deploy', kind: 'decision', visibility: 'PRIVATE', priority: 5 });
    expect(decided(await create(owner.key, { codebase: cb, kind: 'decision', tags: ['deploy'] }))).toMatchObject({ ruleId: both.id, visibility: 'PRIVATE' });
  });

  it('equal priority and specificity: the oldest — also after the newer one is edited', async () => {
    const owner = await user();
    const cb = codebase();
    const older = await setRule(owner.key, { codebase: cb, tag: 'a', visibility: 'ORG' });
    const newer = await setRule(owner.key, { codebase: cb, tag: 'b', visibility: 'PUBLIC' });
    expect(decided(await create(owner.key, { codebase: cb, tags: ['b', 'a'] }))).toMatchObject({ ruleId: older.id, visibility: 'ORG' });
    // Editing the older rule keeps its age: it still wins the tie.
    await setRule(owner.key, { id: older.id, codebase: cb, tag: 'a', visibility: 'PRIVATE' });
    expect(decided(await create(owner.key, { codebase: cb, tags: ['a', 'b'] }))).toMatchObject({ ruleId: older.id, visibility: 'PRIVATE' });
    await ok(server, owner.key, DELETE_RULE, { id: older.id });
    expect(decided(await create(owner.key, { codebase: cb, tags: ['a', 'b'] }))).toMatchObject({ ruleId: newer.id, visibility: 'PUBLIC' });
  });

  it('every set match field must hold: codebase, tag among the tags, kind, the calling API key', async () => {
    const owner = await user();
    const cb = codebase();
    const second = await ok<{ createApiKey: { key: string; apiKey: { id: string } } }>(
      server,
      ADMIN_KEY,
      'mutation ($u: ID!) { createApiKey(input: { userId: $u, name: "second" }) { key apiKey { id } } }',
      { u: owner.id },
    );
    const rule = await setRule(owner.key, { codebase: cb, tag: 't1', kind: 'decision', apiKeyId: second.createApiKey.apiKey.id, visibility: 'ORG' });
    expect(rule).toMatchObject({ hasApiKey: true, apiKey: { id: second.createApiKey.apiKey.id } });
    const all = { codebase: cb, tags: ['t0', 't1'], kind: 'decision' };
    expect(decided(await create(second.createApiKey.key, all))).toMatchObject({ source: 'RULE', ruleId: rule.id });
    for (const [what, input, key] of [
      ['another key', all, owner.key],
      ['another codebase', { ...all, codebase: codebase() }, second.createApiKey.key],
      ['no such tag', { ...all, tags: ['t0'] }, second.createApiKey.key],
      ['another kind', { ...all, kind: 'fact' }, second.createApiKey.key],
      ['no codebase', { tags: all.tags, kind: all.kind }, second.createApiKey.key],
    ] as const) {
      expect(decided(await create(key, input)).source, what).toBe('DEFAULT');
    }
  });

  it('rules are per owner: another user’s rule never decides my artifact', async () => {
    const owner = await user();
    const other = await user();
    const cb = codebase();
    await setRule(other.key, { codebase: cb, visibility: 'PUBLIC', priority: 1000 });
    expect(decided(await create(owner.key, { codebase: cb })).source).toBe('DEFAULT');
  });
});

describe('groups and widening', () => {
  it('a rule may only name groups its owner belongs to (FORBIDDEN; unknown: NOT_FOUND); nothing is written', async () => {
    const owner = await user();
    const outsider = await user();
    const foreign = await group(outsider);
    const before = await ok<{ sharingRules: Rule[] }>(server, owner.key, RULES);
    expect(await errorCode(server, owner.key, SET_RULE, { input: { visibility: 'GROUP', groupIds: [foreign] } })).toBe('FORBIDDEN');
    const missing = Buffer.from('Group:00000000-0000-4000-8000-000000000000').toString('base64url');
    expect(await errorCode(server, owner.key, SET_RULE, { input: { visibility: 'GROUP', groupIds: [missing] } })).toBe('NOT_FOUND');
    expect(await errorCode(server, owner.key, SESSION, { s: 'x', v: 'GROUP', g: [foreign] })).toBe('FORBIDDEN');
    expect((await ok<{ sharingRules: Rule[] }>(server, owner.key, RULES)).sharingRules).toEqual(before.sharingRules);
    // Their own group is fine, and the artifact is shared with it.
    const mine = await group(owner, [outsider]);
    const cb = codebase();
    const rule = await setRule(owner.key, { codebase: cb, visibility: 'GROUP', groupIds: [mine] });
    expect(rule.sharedWithGroups).toEqual([{ id: mine }]);
    const made = await create(owner.key, { codebase: cb });
    expect(decided(made)).toEqual({ visibility: 'GROUP', source: 'RULE', ruleId: rule.id, groups: [mine] });
    expect(await sees(outsider.key, made.id)).toBe(true);
  });

  it('a rule naming a group its owner has since left is passed over (the next rule, else the default)', async () => {
    const owner = await user();
    const cb = codebase();
    const g = await group(owner);
    await setRule(owner.key, { codebase: cb, visibility: 'GROUP', groupIds: [g], priority: 10 });
    const fallback = await setRule(owner.key, { codebase: cb, visibility: 'ORG', priority: 1 });
    await ok(server, ADMIN_KEY, 'mutation ($g: ID!, $u: ID!) { removeGroupMember(groupId: $g, userId: $u) { id } }', { g, u: owner.id });
    expect(decided(await create(owner.key, { codebase: cb }))).toMatchObject({ ruleId: fallback.id, visibility: 'ORG' });
  });

  it('rules never widen an existing artifact: new, changed or deleted rules leave it as it was', async () => {
    const owner = await user();
    const other = await user();
    const cb = codebase();
    const before = await create(owner.key, { codebase: cb });
    expect(decided(before)).toMatchObject({ source: 'DEFAULT', visibility: 'PRIVATE' });
    const rule = await setRule(owner.key, { codebase: cb, visibility: 'PUBLIC' });
    await ok(server, owner.key, UPDATE_ME, { input: { defaultVisibility: 'PUBLIC' } });
    expect(await sees(other.key, before.id)).toBe(false);
    const read = await ok<{ artifact: { visibility: string; visibilitySource: string } }>(server, owner.key, READ, { id: before.id });
    expect(read.artifact).toMatchObject({ visibility: 'PRIVATE', visibilitySource: 'DEFAULT' });
    // An artifact the rule decided keeps its visibility when the rule changes or goes.
    const ruled = await create(owner.key, { codebase: cb });
    expect(decided(ruled)).toMatchObject({ source: 'RULE', visibility: 'PUBLIC' });
    await setRule(owner.key, { id: rule.id, codebase: cb, visibility: 'PRIVATE' });
    await ok(server, owner.key, DELETE_RULE, { id: rule.id });
    expect(await sees(other.key, ruled.id)).toBe(true);
    // shareArtifact makes the current visibility EXPLICIT; revision 1 keeps the creation's record.
    const shared = await ok<{ shareArtifact: Made }>(server, owner.key, `mutation ($id: ID!) { shareArtifact(id: $id, visibility: ORG) { ${ARTIFACT} } }`, { id: ruled.id });
    expect(shared.shareArtifact.visibilitySource).toBe('EXPLICIT');
    expect(firstRevision(shared.shareArtifact)).toMatchObject({ visibilitySource: 'RULE', sharingRuleId: rule.id });
  });
});

describe('batches and contributions go through the chain', () => {
  it('createArtifacts decides each item on its own: explicit, session, rule, default', async () => {
    const owner = await user();
    const cb = codebase();
    const rule = await setRule(owner.key, { codebase: cb, tag: 'ruled', visibility: 'ORG' });
    const session = `sess-${RUN}-${++n}`;
    await ok(server, owner.key, SESSION, { s: session, v: 'PUBLIC' });
    const made = (
      await ok<{ createArtifacts: Made[] }>(server, owner.key, CREATE_MANY, {
        inputs: [
          { kind: 'fact', content: `b1 ${RUN}`, codebase: cb, tags: ['ruled'], visibility: 'PRIVATE' },
          { kind: 'fact', content: `b2 ${RUN}`, codebase: cb, tags: ['ruled'], sessionId: session },
          { kind: 'fact', content: `b3 ${RUN}`, codebase: cb, tags: ['ruled'] },
          { kind: 'fact', content: `b4 ${RUN}`, codebase: cb },
        ],
      })
    ).createArtifacts;
    expect(made.map(decided)).toEqual([
      { visibility: 'PRIVATE', source: 'EXPLICIT', ruleId: null, groups: [] },
      { visibility: 'PUBLIC', source: 'SESSION', ruleId: null, groups: [] },
      { visibility: 'ORG', source: 'RULE', ruleId: rule.id, groups: [] },
      { visibility: 'PRIVATE', source: 'DEFAULT', ruleId: null, groups: [] },
    ]);
  });

  it('contribute decides when submitted (the agent’s rule, session, default) and approval applies it', async () => {
    const agent = await user('AGENT');
    const reviewer = await user('REVIEWER');
    const cb = codebase();
    const rule = await setRule(agent.key, { codebase: cb, visibility: 'ORG' });
    const submitted = (await ok<{ contribute: Contribution }>(server, agent.key, CONTRIBUTE, { input: { kind: 'note', content: `c1 ${RUN} ${++n}`, codebase: cb } })).contribute;
    expect(submitted).toMatchObject({ status: 'PENDING', visibility: 'ORG', visibilitySource: 'RULE', artifact: null });
    const approved = (await ok<{ approveContribution: Contribution }>(server, reviewer.key, APPROVE, { id: submitted.id })).approveContribution;
    expect(decided(approved.artifact!)).toEqual({ visibility: 'ORG', source: 'RULE', ruleId: rule.id, groups: [] });
    // Without a rule: the contributor's default (PRIVATE), no longer ORG.
    const plain = (await ok<{ contribute: Contribution }>(server, agent.key, CONTRIBUTE, { input: { kind: 'note', content: `c2 ${RUN} ${++n}` } })).contribute;
    expect(plain).toMatchObject({ visibility: 'PRIVATE', visibilitySource: 'DEFAULT' });
    // Explicit, as before.
    const explicit = (await ok<{ contribute: Contribution }>(server, agent.key, CONTRIBUTE, { input: { kind: 'note', content: `c3 ${RUN} ${++n}`, codebase: cb, visibility: 'PUBLIC' } })).contribute;
    expect(explicit).toMatchObject({ visibility: 'PUBLIC', visibilitySource: 'EXPLICIT' });
  });

  it('contributeMany: each item through the chain; auto-approval creates the artifacts with it', async () => {
    const agent = await user('AGENT');
    const cb = codebase();
    const kind = `k${RUN}${++n}`.slice(0, 60);
    await ok(server, ADMIN_KEY, 'mutation ($k: String!) { setAutoApproveRule(input: { kind: $k, enabled: true }) { kind } }', { k: kind });
    const rule = await setRule(agent.key, { kind, tag: 'shared', visibility: 'ORG' });
    const session = `sess-${RUN}-${++n}`;
    await ok(server, agent.key, SESSION, { s: session, v: 'PUBLIC' });
    const items = (
      await ok<{ contributeMany: Contribution[] }>(server, agent.key, CONTRIBUTE_MANY, {
        inputs: [
          { kind, content: `m1 ${RUN}`, codebase: cb, tags: ['shared'] },
          { kind, content: `m2 ${RUN}`, codebase: cb, tags: ['shared'], sessionId: session },
          { kind, content: `m3 ${RUN}`, codebase: cb },
        ],
      })
    ).contributeMany;
    expect(items.map((c) => c.status)).toEqual(['APPROVED', 'APPROVED', 'APPROVED']);
    expect(items.map((c) => decided(c.artifact!))).toEqual([
      { visibility: 'ORG', source: 'RULE', ruleId: rule.id, groups: [] },
      { visibility: 'PUBLIC', source: 'SESSION', ruleId: null, groups: [] },
      { visibility: 'PRIVATE', source: 'DEFAULT', ruleId: null, groups: [] },
    ]);
  });
});

describe('who sees and changes rules; validation', () => {
  it('the owner sees their own rules; another member does not (node null, changes NOT_FOUND); an ADMIN sees and deletes any', async () => {
    const owner = await user();
    const other = await user();
    const rule = await setRule(owner.key, { codebase: codebase(), visibility: 'ORG' });
    const ids = async (key: string) => (await ok<{ sharingRules: Rule[] }>(server, key, RULES)).sharingRules.map((r) => r.id);
    expect(await ids(owner.key)).toEqual([rule.id]);
    expect(await ids(other.key)).not.toContain(rule.id);
    expect(await ids(ADMIN_KEY)).toContain(rule.id);
    const node = 'query ($id: ID!) { node(id: $id) { ... on SharingRule { id visibility } } }';
    expect((await ok<{ node: unknown }>(server, other.key, node, { id: rule.id })).node).toBeNull();
    expect((await ok<{ node: unknown }>(server, owner.key, node, { id: rule.id })).node).toEqual({ id: rule.id, visibility: 'ORG' });
    expect(await errorCode(server, other.key, SET_RULE, { input: { id: rule.id, visibility: 'PUBLIC' } })).toBe('NOT_FOUND');
    expect(await errorCode(server, other.key, DELETE_RULE, { id: rule.id })).toBe('NOT_FOUND');
    expect((await ok<{ deleteSharingRule: boolean }>(server, ADMIN_KEY, DELETE_RULE, { id: rule.id })).deleteSharingRule).toBe(true);
    expect(await ids(owner.key)).toEqual([]);
    expect(await errorCode(server, owner.key, DELETE_RULE, { id: rule.id })).toBe('NOT_FOUND');
  });

  it('refuses bad input with BAD_USER_INPUT, another user’s key with NOT_FOUND, a READER with FORBIDDEN', async () => {
    const owner = await user();
    const other = await user();
    const g = await group(owner);
    const otherKey = await ok<{ createApiKey: { apiKey: { id: string } } }>(server, ADMIN_KEY, 'mutation ($u: ID!) { createApiKey(input: { userId: $u, name: "k" }) { apiKey { id } } }', { u: other.id });
    for (const input of [
      { visibility: 'GROUP' },
      { visibility: 'ORG', groupIds: [g] },
      { visibility: 'ORG', kind: '1bad kind' },
      { visibility: 'ORG', tag: '' },
      { visibility: 'ORG', codebase: 'two\nlines' },
      { visibility: 'ORG', priority: 2_000_000 },
      { visibility: 'ORG', apiKeyId: g },
    ]) {
      expect(await errorCode(server, owner.key, SET_RULE, { input }), JSON.stringify(input)).toBe('BAD_USER_INPUT');
    }
    expect(await errorCode(server, owner.key, SET_RULE, { input: { visibility: 'ORG', apiKeyId: otherKey.createApiKey.apiKey.id } })).toBe('NOT_FOUND');
    expect(await errorCode(server, owner.key, UPDATE_ME, { input: { defaultVisibility: 'GROUP' } })).toBe('BAD_USER_INPUT');
    expect(await errorCode(server, owner.key, UPDATE_ME, { input: {} })).toBe('BAD_USER_INPUT');
    expect(await errorCode(server, owner.key, SESSION, { s: '  ', v: 'ORG' })).toBe('BAD_USER_INPUT');
    expect(await errorCode(server, owner.key, SESSION, { s: 's', v: 'GROUP' })).toBe('BAD_USER_INPUT');
    expect(await errorCode(server, owner.key, SESSION, { s: 's', v: 'ORG', g: [g] })).toBe('BAD_USER_INPUT');
    const reader = await user('READER');
    expect(await errorCode(server, reader.key, SET_RULE, { input: { visibility: 'ORG' } })).toBe('FORBIDDEN');
    expect(await errorCode(server, reader.key, SESSION, { s: 's', v: 'ORG' })).toBe('FORBIDDEN');
    expect((await ok<{ sharingRules: Rule[] }>(server, owner.key, RULES)).sharingRules).toEqual([]);
  });

  it('updateMe: displayName null clears it; defaultVisibility is kept when omitted', async () => {
    const owner = await user();
    await ok(server, owner.key, UPDATE_ME, { input: { displayName: 'Someone', defaultVisibility: 'ORG' } });
    const cleared = await ok<{ updateMe: { displayName: string | null; defaultVisibility: string } }>(server, owner.key, UPDATE_ME, { input: { displayName: null } });
    expect(cleared.updateMe).toMatchObject({ displayName: null, defaultVisibility: 'ORG' });
    const res = await gql(server, 'query ($id: ID!) { node(id: $id) { ... on User { defaultVisibility } } }', { key: ADMIN_KEY, variables: { id: owner.id } });
    expect(res.body.data).toEqual({ node: { defaultVisibility: 'ORG' } });
  });
});
