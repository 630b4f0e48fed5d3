/**
 * The visibility rule against a randomized world, through the GraphQL API: two orgs, users of
 * random roles, groups with random memberships, artifacts with random owners, visibilities,
 * shares and soft deletes. For every user, everything `artifacts` pages through (first: 7,
 * following endCursor) must be exactly the set the rule gives, newest first, with no
 * duplicates; `artifact(id)` and `node(id)` must agree with the rule on a sample of ids; then
 * random mutations (membership removed and added, re-shares, ORG→PRIVATE, PUBLIC→ORG, delete,
 * restore) are applied and everything is checked again.
 *
 * Every read path of ARCHITECTURE.md's access model is checked per user against the rule, for
 * every artifact: lookup (`artifact`, `node`), lists (`artifacts`, with and without
 * includeDeleted), search in the three modes, `similar`, `neighbors` (1–3 hops over random
 * relationships), `shortestPath`, `events` (artifact and relationship events), and context
 * packages — the bundle an agent exports knowledge through (items the caller cannot see are
 * left out; the operator's `hivegraph export` is the whole installation, no viewer). Each
 * verdict "artifact X is (not) in what user U got from path P" counts as one check; the
 * suite asserts at least 10,000 of them (about 30,000 with the defaults) and prints the count
 * by path. Runtime: ~1–2 min on either deployment.
 *
 * About half the artifacts are created without a visibility, so the precedence chain decides
 * (issue 15): writers get random default visibilities and random sharing rules (match fields
 * codebase / tag / kind, priorities, GROUP rules naming groups their owner belongs to). The
 * expected visibility of those comes from the chain as written out below (the owner's
 * highest-priority matching rule, ties to the most specific, then the oldest; else the
 * owner's default), never from src; every read path above is then checked against it. The
 * mutations also add a catch-all PUBLIC rule and a PUBLIC default for those owners, which must
 * change no existing artifact.
 *
 * The whole world and every mutation is planned up front from one seed, so a failure replays:
 * the seed is printed and named in every test; set HIVEGRAPH_TEST_SEED to reuse it. The
 * expected results come from the rule written out below (ARCHITECTURE.md, "Access model"),
 * never from src.
 */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, createOrgAdmin, ok, type Actor } from '../support/actors.ts';
import { uniqueSuffix } from '../support/backends.ts';
import { ADMIN_KEY, gql, startTestServer, type TestServer } from '../support/server.ts';

type Role = 'ADMIN' | 'REVIEWER' | 'MEMBER' | 'AGENT' | 'READER';
type GroupRole = 'MEMBER' | 'ADMIN';
type Visibility = 'PRIVATE' | 'GROUP' | 'ORG' | 'PUBLIC';
type WriteOutcome = 'OK' | 'FORBIDDEN' | 'NOT_FOUND';

const ROLES: readonly Role[] = ['ADMIN', 'REVIEWER', 'MEMBER', 'AGENT', 'READER'];
const WRITING_ROLES: readonly Role[] = ['ADMIN', 'REVIEWER', 'MEMBER'];
const VISIBILITIES: readonly Visibility[] = ['PRIVATE', 'GROUP', 'ORG', 'PUBLIC'];
const ORG_NAMES = ['A', 'B'] as const;

const RANDOM_USERS = 12;
const GROUPS = 6;
const ARTIFACTS = 60;
const DELETED_SHARE = 0.1;
const PAGE_SIZE = 7;
/** artifact(id) and node(id) are asked for every artifact, in a shuffled order. */
const SAMPLE_SIZE = ARTIFACTS;
const RANDOM_WRITES = 40;
const RELATIONSHIPS = 90;
const RELATION_TYPES = ['CITES', 'DEPENDS_ON'] as const;
const PACKAGES = 6;
const PATH_PAIRS = 30;
const SIMILAR_ANCHORS = 4;
const MAX_PATH_DEPTH = 6;
/** Every (user, artifact, read path) verdict compared with the rule; the test asserts the total. */
const MIN_CHECKS = 10_000;

// ---------------------------------------------------------------------------------------------
// Seeded randomness.
// ---------------------------------------------------------------------------------------------

function seedFromEnv(): number {
  const raw = process.env['HIVEGRAPH_TEST_SEED'];
  if (raw === undefined || raw.trim() === '') return randomInt(0, 2 ** 31);
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`HIVEGRAPH_TEST_SEED must be a non-negative integer, got "${raw}"`);
  return seed;
}

const SEED = seedFromEnv();

/** mulberry32: small, fast, good enough for test data. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    int,
    chance: (p: number) => next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(items.length)]!;
    },
    shuffle<T>(items: readonly T[]): T[] {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i -= 1) {
        const j = int(i + 1);
        [copy[i], copy[j]] = [copy[j]!, copy[i]!];
      }
      return copy;
    },
  };
}

const rng = prng(SEED);

// ---------------------------------------------------------------------------------------------
// The world, by index (ids are only known once it is created), and the rule.
// ---------------------------------------------------------------------------------------------

interface PlanUser {
  label: string;
  org: number;
  role: Role;
}
interface PlanGroup {
  label: string;
  org: number;
  /** Creates the group and so becomes its first ADMIN. */
  creator: number;
}
interface PlanArtifact {
  label: string;
  org: number;
  owner: number;
  kind: string;
  codebase: string | null;
  /** Tags besides `random` and the label. */
  tags: string[];
  /** Created without a visibility: the chain decides. */
  viaChain: boolean;
}
interface PlanRule {
  owner: number;
  codebase: string | null;
  tag: string | null;
  kind: string | null;
  priority: number;
  visibility: Visibility;
  groups: number[];
}

/** What changes: memberships and each artifact's visibility, shares and deletion. */
interface State {
  /** group index → user index → group role */
  members: Map<number, Map<number, GroupRole>>;
  artifacts: { visibility: Visibility; groups: Set<number>; deleted: boolean }[];
}

const users: PlanUser[] = [];
const groups: PlanGroup[] = [];
const artifacts: PlanArtifact[] = [];
const rules: PlanRule[] = [];
/** Each user's defaultVisibility (PRIVATE unless the plan changes it). */
const defaults = new Map<number, Visibility>();

function cloneState(state: State): State {
  return {
    members: new Map([...state.members].map(([g, m]) => [g, new Map(m)])),
    artifacts: state.artifacts.map((a) => ({ ...a, groups: new Set(a.groups) })),
  };
}

/** The visibility rule of a live artifact. */
function seesLive(state: State, u: number, a: number): boolean {
  const user = users[u]!;
  const artifact = artifacts[a]!;
  const { visibility, groups: shared } = state.artifacts[a]!;
  if (visibility === 'PUBLIC') return true;
  if (user.org !== artifact.org) return false;
  if (visibility === 'ORG') return true;
  if (artifact.owner === u) return true;
  return visibility === 'GROUP' && [...shared].some((g) => state.members.get(g)?.has(u) === true);
}

/** Whether `artifacts` lists artifact `a` to user `u` (`includeDeleted` as given). */
function lists(state: State, u: number, a: number, includeDeleted: boolean): boolean {
  if (!state.artifacts[a]!.deleted) return seesLive(state, u, a);
  if (!includeDeleted) return false;
  const user = users[u]!;
  const artifact = artifacts[a]!;
  const ownerOrOrgAdmin = artifact.owner === u || (user.role === 'ADMIN' && user.org === artifact.org);
  return ownerOrOrgAdmin && seesLive(state, u, a);
}

/** The answer to a write (update / share / delete) on artifact `a` by user `u`. */
function writeOutcome(state: State, u: number, a: number): WriteOutcome {
  if (!lists(state, u, a, false)) return 'NOT_FOUND';
  const user = users[u]!;
  if (!WRITING_ROLES.includes(user.role)) return 'FORBIDDEN';
  if (artifacts[a]!.owner === u) return 'OK';
  if (user.role === 'ADMIN' && user.org === artifacts[a]!.org) return 'OK';
  return 'FORBIDDEN';
}

/** Live and visible: what every read path may return to `u`. */
const visible = (state: State, u: number, a: number) => lists(state, u, a, false);

/** Hops from `root` to every artifact reachable over relationships (either way) through artifacts `u` sees live. */
function distancesFrom(state: State, u: number, root: number): Map<number, number> {
  const distance = new Map<number, number>([[root, 0]]);
  let frontier = [root];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const n of frontier) {
      for (const r of relationships) {
        const m = r.from === n ? r.to : r.to === n ? r.from : -1;
        if (m < 0 || distance.has(m) || !visible(state, u, m)) continue;
        distance.set(m, distance.get(n)! + 1);
        next.push(m);
      }
    }
    frontier = next;
  }
  return distance;
}

/** Whether `u` sees an event about artifact `a`: events are an org's feed, and the artifact must be visible to them (deleted or not). */
const seesArtifactEvent = (state: State, u: number, a: number) => users[u]!.org === artifacts[a]!.org && seesLive(state, u, a);

function describeArtifact(state: State, a: number): string {
  const s = state.artifacts[a]!;
  const shared = s.visibility === 'GROUP' ? `[${[...s.groups].map((g) => groups[g]!.label).join(',')}]` : '';
  return `${artifacts[a]!.label} ${s.visibility}${shared}@${ORG_NAMES[artifacts[a]!.org]} by ${users[artifacts[a]!.owner]!.label}${s.deleted ? ' DELETED' : ''}`;
}

// ---------------------------------------------------------------------------------------------
// The plan.
// ---------------------------------------------------------------------------------------------

// Users 0 and 1 are the ADMINs each org starts with; then random users in random orgs.
users.push({ label: 'u00', org: 0, role: 'ADMIN' }, { label: 'u01', org: 1, role: 'ADMIN' });
for (let i = 0; i < RANDOM_USERS; i += 1) {
  users.push({ label: `u${String(users.length).padStart(2, '0')}`, org: rng.int(2), role: rng.pick(ROLES) });
}
const usersOf = (org: number) => users.map((_, i) => i).filter((i) => users[i]!.org === org);
const writersOf = (org: number) => usersOf(org).filter((i) => WRITING_ROLES.includes(users[i]!.role));

const initial: State = { members: new Map(), artifacts: [] };

// Groups: at least one per org (GROUP visibility needs one), created by a random writer.
for (let g = 0; g < GROUPS; g += 1) {
  const org = g < 2 ? g : rng.int(2);
  const creator = rng.pick(writersOf(org));
  groups.push({ label: `g${g}`, org, creator });
  const members = new Map<number, GroupRole>([[creator, 'ADMIN']]);
  for (const u of usersOf(org)) {
    if (u !== creator && rng.chance(0.45)) members.set(u, rng.chance(0.3) ? 'ADMIN' : 'MEMBER');
  }
  initial.members.set(g, members);
}
const groupsOf = (org: number) => groups.map((_, i) => i).filter((i) => groups[i]!.org === org);

// The chain's inputs: random defaults and rules for the writers, created in this order.
const CODEBASES = ['cb0', 'cb1'] as const;
const RULE_TAGS = ['t0', 't1', 't2'] as const;
const KINDS = ['fact', 'decision'] as const;
const writers = users.map((_, i) => i).filter((i) => WRITING_ROLES.includes(users[i]!.role));
for (const w of writers) {
  if (rng.chance(0.5)) defaults.set(w, rng.pick(['PRIVATE', 'ORG', 'PUBLIC'] as const));
  const ownGroups = groupsOf(users[w]!.org).filter((g) => initial.members.get(g)!.has(w));
  for (let r = rng.int(4); r > 0; r -= 1) {
    let visibility = rng.pick(VISIBILITIES);
    if (visibility === 'GROUP' && ownGroups.length === 0) visibility = 'ORG';
    const groupsOfRule = visibility === 'GROUP' ? rng.shuffle(ownGroups).slice(0, 1 + rng.int(Math.min(2, ownGroups.length))) : [];
    rules.push({
      owner: w,
      codebase: rng.chance(0.5) ? rng.pick(CODEBASES) : null,
      tag: rng.chance(0.5) ? rng.pick(RULE_TAGS) : null,
      kind: rng.chance(0.4) ? rng.pick(KINDS) : null,
      priority: rng.int(3),
      visibility,
      groups: groupsOfRule,
    });
  }
}

/** The chain, written out: the owner's highest-priority matching rule (ties: most specific, then oldest), else their default. */
function chainDecides(artifact: PlanArtifact): { visibility: Visibility; groups: Set<number>; byRule: boolean } {
  const specificity = (r: PlanRule) => [r.codebase, r.tag, r.kind].filter((f) => f !== null).length;
  const matching = rules
    .map((rule, index) => ({ rule, index }))
    .filter(
      ({ rule }) =>
        rule.owner === artifact.owner &&
        (rule.codebase === null || rule.codebase === artifact.codebase) &&
        (rule.tag === null || artifact.tags.includes(rule.tag)) &&
        (rule.kind === null || rule.kind === artifact.kind),
    )
    .sort((x, y) => y.rule.priority - x.rule.priority || specificity(y.rule) - specificity(x.rule) || x.index - y.index);
  const winner = matching[0]?.rule;
  if (winner) return { visibility: winner.visibility, groups: new Set(winner.groups), byRule: true };
  return { visibility: defaults.get(artifact.owner) ?? 'PRIVATE', groups: new Set(), byRule: false };
}

// Artifacts: random writer owners, visibilities and shares (or the chain), created in this order.
let ruleDecided = 0;
for (let a = 0; a < ARTIFACTS; a += 1) {
  const owner = rng.pick(writers);
  const org = users[owner]!.org;
  const artifact: PlanArtifact = {
    label: `a${String(a).padStart(2, '0')}`,
    org,
    owner,
    kind: rng.pick(KINDS),
    codebase: rng.chance(0.8) ? rng.pick(CODEBASES) : null,
    tags: RULE_TAGS.filter(() => rng.chance(0.35)),
    viaChain: rng.chance(0.5),
  };
  artifacts.push(artifact);
  if (artifact.viaChain) {
    const { visibility, groups: shared, byRule } = chainDecides(artifact);
    if (byRule) ruleDecided += 1;
    initial.artifacts.push({ visibility, groups: shared, deleted: false });
    continue;
  }
  const visibility = rng.pick(VISIBILITIES);
  const shared = new Set<number>();
  if (visibility === 'GROUP') {
    const candidates = rng.shuffle(groupsOf(org));
    for (const g of candidates.slice(0, 1 + rng.int(Math.min(3, candidates.length)))) shared.add(g);
  }
  initial.artifacts.push({ visibility, groups: shared, deleted: false });
}

// Relationships inside each org, each made by a user allowed to change `from` who sees `to`
// (before any delete): the graph the traversal checks walk.
interface PlanRelationship {
  from: number;
  to: number;
  type: string;
  by: number;
}
const relationships: PlanRelationship[] = [];
{
  const triples = new Set<string>();
  for (let attempt = 0; relationships.length < RELATIONSHIPS && attempt < RELATIONSHIPS * 20; attempt += 1) {
    const from = rng.int(ARTIFACTS);
    const to = rng.int(ARTIFACTS);
    const type = rng.pick(RELATION_TYPES);
    if (from === to || artifacts[from]!.org !== artifacts[to]!.org || triples.has(`${from}/${to}/${type}`)) continue;
    const allowed = users.map((_, i) => i).filter((u) => writeOutcome(initial, u, from) === 'OK' && seesLive(initial, u, to));
    if (allowed.length === 0) continue;
    triples.add(`${from}/${to}/${type}`);
    relationships.push({ from, to, type, by: rng.pick(allowed) });
  }
}

// Soft deletes: ~10%, each by a random user the rule lets delete it (its owner or an org ADMIN).
const deletions: { artifact: number; by: number }[] = [];
for (const a of rng.shuffle(artifacts.map((_, i) => i)).slice(0, Math.round(ARTIFACTS * DELETED_SHARE))) {
  const by = rng.pick(users.map((_, i) => i).filter((u) => writeOutcome(initial, u, a) === 'OK'));
  deletions.push({ artifact: a, by });
  initial.artifacts[a]!.deleted = true;
}

// Context packages: each made by a random writer, referencing every artifact of its org it sees then.
const packages: { label: string; creator: number; items: number[] }[] = [];
for (let p = 0; p < PACKAGES; p += 1) {
  const creator = rng.pick(users.map((_, i) => i).filter((u) => WRITING_ROLES.includes(users[u]!.role)));
  // A package references artifacts of its own org only (a PUBLIC one of the other org is BAD_USER_INPUT).
  const items = artifacts.map((_, a) => a).filter((a) => lists(initial, creator, a, false) && artifacts[a]!.org === users[creator]!.org);
  packages.push({ label: `p${p}`, creator, items });
}

// Random writes (updateArtifact of the title only, so visibility never changes): by anyone, to anything.
const randomWrites = Array.from({ length: RANDOM_WRITES }, (_, i) => ({
  n: i,
  user: rng.int(users.length),
  artifact: rng.int(artifacts.length),
}));

// Mutations, each by a user the rule allows, applied to a copy of the state.
type Mutation =
  | { kind: 'removeGroupMember'; group: number; user: number; by: number }
  | { kind: 'addGroupMember'; group: number; user: number; role: GroupRole; by: number }
  | { kind: 'shareArtifact'; artifact: number; visibility: Visibility; groups: number[]; by: number }
  | { kind: 'deleteArtifact'; artifact: number; by: number }
  | { kind: 'restoreArtifact'; artifact: number; by: number }
  /** Rules and defaults apply at creation only: these change no state. */
  | { kind: 'widenRuleAndDefault'; by: number };

const after = cloneState(initial);
const mutations: { description: string; mutation: Mutation }[] = [];
const live = (state: State) => artifacts.map((_, i) => i).filter((a) => !state.artifacts[a]!.deleted);
const allowedWriters = (state: State, a: number) => users.map((_, i) => i).filter((u) => writeOutcome(state, u, a) === 'OK');
const orgAdmin = (org: number) => org; // users 0 and 1

function plan(description: string, mutation: Mutation): void {
  mutations.push({ description, mutation });
  switch (mutation.kind) {
    case 'removeGroupMember':
      after.members.get(mutation.group)!.delete(mutation.user);
      break;
    case 'addGroupMember':
      after.members.get(mutation.group)!.set(mutation.user, mutation.role);
      break;
    case 'shareArtifact':
      after.artifacts[mutation.artifact]!.visibility = mutation.visibility;
      after.artifacts[mutation.artifact]!.groups = new Set(mutation.groups);
      break;
    case 'deleteArtifact':
      after.artifacts[mutation.artifact]!.deleted = true;
      break;
    case 'restoreArtifact':
      after.artifacts[mutation.artifact]!.deleted = false;
      break;
    case 'widenRuleAndDefault':
      break;
  }
}

{
  // 1. Remove a member from a group (prefer one whose membership matters: a GROUP artifact shares it).
  const memberships = [...after.members].flatMap(([g, m]) => [...m.keys()].map((u) => ({ g, u })));
  const mattering = memberships.filter(({ g }) => live(after).some((a) => after.artifacts[a]!.visibility === 'GROUP' && after.artifacts[a]!.groups.has(g)));
  const { g, u } = rng.pick(mattering.length > 0 ? mattering : memberships);
  plan(`remove ${users[u]!.label} from ${groups[g]!.label}`, { kind: 'removeGroupMember', group: g, user: u, by: orgAdmin(groups[g]!.org) });

  // 2. Share a GROUP artifact with one more group of its org (or make an artifact GROUP).
  const extendable = live(after).filter(
    (a) => after.artifacts[a]!.visibility === 'GROUP' && groupsOf(artifacts[a]!.org).some((x) => !after.artifacts[a]!.groups.has(x)),
  );
  if (extendable.length > 0) {
    const a = rng.pick(extendable);
    const extra = rng.pick(groupsOf(artifacts[a]!.org).filter((x) => !after.artifacts[a]!.groups.has(x)));
    const by = rng.pick(allowedWriters(after, a));
    plan(`share ${artifacts[a]!.label} also with ${groups[extra]!.label} (by ${users[by]!.label})`, {
      kind: 'shareArtifact',
      artifact: a,
      visibility: 'GROUP',
      groups: [...after.artifacts[a]!.groups, extra],
      by,
    });
  } else {
    const a = rng.pick(live(after));
    const g = rng.pick(groupsOf(artifacts[a]!.org));
    const by = rng.pick(allowedWriters(after, a));
    plan(`share ${artifacts[a]!.label} with ${groups[g]!.label} only (by ${users[by]!.label})`, { kind: 'shareArtifact', artifact: a, visibility: 'GROUP', groups: [g], by });
  }

  // 3. ORG → PRIVATE.
  const orgWide = live(after).filter((a) => after.artifacts[a]!.visibility === 'ORG');
  if (orgWide.length > 0) {
    const a = rng.pick(orgWide);
    const by = rng.pick(allowedWriters(after, a));
    plan(`${artifacts[a]!.label} ORG → PRIVATE (by ${users[by]!.label})`, { kind: 'shareArtifact', artifact: a, visibility: 'PRIVATE', groups: [], by });
  }

  // 4. PUBLIC → ORG (the other org loses it).
  const everywhere = live(after).filter((a) => after.artifacts[a]!.visibility === 'PUBLIC');
  if (everywhere.length > 0) {
    const a = rng.pick(everywhere);
    const by = rng.pick(allowedWriters(after, a));
    plan(`${artifacts[a]!.label} PUBLIC → ORG (by ${users[by]!.label})`, { kind: 'shareArtifact', artifact: a, visibility: 'ORG', groups: [], by });
  }

  // 5. Add a member (MEMBER or ADMIN) to a group.
  const candidates = groups.flatMap((group, g) => usersOf(group.org).filter((u) => !after.members.get(g)!.has(u)).map((u) => ({ g, u })));
  if (candidates.length > 0) {
    const { g, u } = rng.pick(candidates);
    const role: GroupRole = rng.chance(0.5) ? 'ADMIN' : 'MEMBER';
    plan(`add ${users[u]!.label} to ${groups[g]!.label} as ${role}`, { kind: 'addGroupMember', group: g, user: u, role, by: orgAdmin(groups[g]!.org) });
  }

  // 6. Delete one more, restore one that was deleted (by its owner).
  const doomed = rng.pick(live(after));
  const deleter = rng.pick(allowedWriters(after, doomed));
  plan(`delete ${artifacts[doomed]!.label} (by ${users[deleter]!.label})`, { kind: 'deleteArtifact', artifact: doomed, by: deleter });
  const revived = rng.pick(deletions).artifact;
  plan(`restore ${artifacts[revived]!.label} (by its owner ${users[artifacts[revived]!.owner]!.label})`, {
    kind: 'restoreArtifact',
    artifact: revived,
    by: artifacts[revived]!.owner,
  });

  // 7. Every owner of a chain-made artifact adds a top-priority catch-all PUBLIC rule and makes PUBLIC their default: nothing existing changes.
  for (const owner of [...new Set(artifacts.filter((a) => a.viaChain).map((a) => a.owner))]) {
    plan(`${users[owner]!.label} adds a catch-all PUBLIC rule (priority 99) and defaultVisibility PUBLIC`, { kind: 'widenRuleAndDefault', by: owner });
  }
}

/** Up to SAMPLE_SIZE artifacts for `u`: visible ones, invisible ones of its org, deleted ones and other-org ones. */
function sampleFor(state: State, u: number): number[] {
  const all = rng.shuffle(artifacts.map((_, i) => i));
  const buckets = [
    all.filter((a) => !state.artifacts[a]!.deleted && seesLive(state, u, a)),
    all.filter((a) => !state.artifacts[a]!.deleted && !seesLive(state, u, a) && artifacts[a]!.org === users[u]!.org),
    all.filter((a) => state.artifacts[a]!.deleted),
    all.filter((a) => artifacts[a]!.org !== users[u]!.org),
  ];
  const chosen = new Set<number>();
  for (const bucket of buckets) for (const a of bucket.slice(0, SAMPLE_SIZE / 4)) chosen.add(a);
  for (const a of all) if (chosen.size < SAMPLE_SIZE) chosen.add(a);
  return [...chosen];
}

const PHASES = [
  { name: 'before mutations', state: initial, samples: users.map((_, u) => sampleFor(initial, u)) },
  { name: 'after mutations', state: after, samples: users.map((_, u) => sampleFor(after, u)) },
] as const;

// ---------------------------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------------------------

const LIST = `query ($first: Int!, $after: String, $includeDeleted: Boolean) {
  artifacts(first: $first, after: $after, filter: { includeDeleted: $includeDeleted }) {
    edges { cursor node { id deletedAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface ListPage {
  artifacts: { edges: { cursor: string; node: { id: string; deletedAt: string | null } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

describe(`visibility, randomized (seed ${SEED})`, () => {
  let server: TestServer;
  const actors: Actor[] = [];
  const groupIds: string[] = [];
  const artifactIds: string[] = [];
  const labelOfId = new Map<string, number>();
  const relationshipIds: string[] = [];
  const packageIds: string[] = [];
  /** Verdicts compared with the rule, by read path. */
  const checks: Record<string, number> = {};
  const count = (path: string, n: number) => {
    checks[path] = (checks[path] ?? 0) + n;
  };
  const startedAt = Date.now();
  const replay = `seed ${SEED}; replay with HIVEGRAPH_TEST_SEED=${SEED}`;

  const userDesc = (u: number) => `${users[u]!.label} (${users[u]!.role} of org ${ORG_NAMES[users[u]!.org]})`;

  beforeAll(async () => {
    process.stdout.write(`[visibility-random] seed ${SEED} (set HIVEGRAPH_TEST_SEED=${SEED} to replay)\n`);
    server = await startTestServer();
    const serverUpAt = Date.now();

    // Users: the two org ADMINs, then the random ones (made by their org's ADMIN).
    const me = await ok<{ me: { id: string } }>(server, ADMIN_KEY, '{ me { id } }');
    actors[0] = { id: me.me.id, handle: 'admin', role: 'ADMIN', key: ADMIN_KEY };
    actors[1] = await createOrgAdmin(server, `otherorg-${uniqueSuffix()}`);
    await Promise.all(
      users.slice(2).map(async (user, i) => {
        actors[i + 2] = await createActor(server, actors[user.org]!.key, `${user.label}-${user.role.toLowerCase()}`, user.role);
      }),
    );

    // Groups, created by their creator (who becomes group ADMIN), members added by the org ADMIN.
    await Promise.all(
      groups.map(async (group, g) => {
        const created = await ok<{ createGroup: { id: string } }>(
          server,
          actors[group.creator]!.key,
          'mutation ($name: String!) { createGroup(input: { name: $name }) { id } }',
          { name: group.label },
        );
        groupIds[g] = created.createGroup.id;
      }),
    );
    await Promise.all(
      [...initial.members].flatMap(([g, members]) =>
        [...members]
          .filter(([u]) => u !== groups[g]!.creator)
          .map(([u, role]) => addMember(orgAdmin(groups[g]!.org), g, u, role)),
      ),
    );

    // The chain's inputs: defaults, and each owner's rules one at a time, so they are created
    // (and so aged, for the oldest-wins tie) in plan order; owners in parallel.
    await Promise.all(
      [...defaults].map(([w, visibility]) =>
        ok(server, actors[w]!.key, 'mutation ($v: Visibility) { updateMe(input: { defaultVisibility: $v }) { id } }', { v: visibility }),
      ),
    );
    await Promise.all(
      writers.map(async (w) => {
        for (const { owner: _owner, groups: ruleGroups, ...fields } of rules.filter((r) => r.owner === w)) {
          await ok(server, actors[w]!.key, 'mutation ($input: SetSharingRuleInput!) { setSharingRule(input: $input) { id } }', {
            input: { ...fields, groupIds: ruleGroups.map((g) => groupIds[g]!) },
          });
        }
      }),
    );

    // Artifacts, one at a time so that creation order is known.
    for (const [a, artifact] of artifacts.entries()) {
      const s = initial.artifacts[a]!;
      const created = await ok<{ createArtifact: { id: string; visibility: string; visibilitySource: string; sharedWithGroups: { id: string }[] } }>(
        server,
        actors[artifact.owner]!.key,
        'mutation ($input: CreateArtifactInput!) { createArtifact(input: $input) { id visibility visibilitySource sharedWithGroups { id } } }',
        {
          input: {
            kind: artifact.kind,
            title: artifact.label,
            content: `content of ${artifact.label}`,
            tags: ['random', artifact.label, ...artifact.tags],
            codebase: artifact.codebase,
            ...(artifact.viaChain ? {} : { visibility: s.visibility }),
            ...(!artifact.viaChain && s.visibility === 'GROUP' ? { sharedWithGroupIds: [...s.groups].map((g) => groupIds[g]!) } : {}),
          },
        },
      );
      const made = created.createArtifact;
      expect(
        { visibility: made.visibility, groups: made.sharedWithGroups.map((g) => g.id).sort(), explicit: made.visibilitySource === 'EXPLICIT' },
        `${describeArtifact(initial, a)} (${artifact.viaChain ? 'by the chain' : 'explicit'}; ${replay})`,
      ).toEqual({ visibility: s.visibility, groups: [...s.groups].map((g) => groupIds[g]!).sort(), explicit: !artifact.viaChain });
      artifactIds[a] = made.id;
      labelOfId.set(made.id, a);
    }
    await Promise.all(
      relationships.map(async (r, i) => {
        const related = await ok<{ relate: { id: string } }>(server, actors[r.by]!.key, 'mutation ($input: RelateInput!) { relate(input: $input) { id } }', {
          input: { fromId: artifactIds[r.from], toId: artifactIds[r.to], type: r.type },
        });
        relationshipIds[i] = related.relate.id;
      }),
    );
    await Promise.all(
      deletions.map(({ artifact, by }) => ok(server, actors[by]!.key, 'mutation ($id: ID!) { deleteArtifact(id: $id) { id } }', { id: artifactIds[artifact] })),
    );

    for (const pkg of packages) {
      const created = await ok<{ createContextPackage: { id: string } }>(
        server,
        actors[pkg.creator]!.key,
        'mutation ($input: CreateContextPackageInput!) { createContextPackage(input: $input) { id } }',
        { input: { name: `${pkg.label}-${uniqueSuffix()}`, items: pkg.items.map((a) => ({ artifactId: artifactIds[a] })) } },
      );
      packageIds.push(created.createContextPackage.id);
    }

    const counts = (org: number) => `${usersOf(org).length} users (${usersOf(org).map((u) => users[u]!.role).join(' ')}), ${groupsOf(org).length} groups`;
    process.stdout.write(
      `[visibility-random] SQL=${server.sqlBackend}, graph=${server.graphBackend}; org A: ${counts(0)}; org B: ${counts(1)}; ` +
        `${ARTIFACTS} artifacts (${artifacts.filter((a) => a.viaChain).length} by the chain, ${ruleDecided} of them by one of ${rules.length} rules, ${defaults.size} defaults set; ${deletions.length} deleted), ${relationships.length} relationships, ${packages.length} context packages; server up in ${serverUpAt - startedAt} ms, world built in ${Date.now() - serverUpAt} ms\n`,
    );
  });

  afterAll(async () => {
    const total = Object.values(checks).reduce((sum, n) => sum + n, 0);
    process.stdout.write(`[visibility-random] seed ${SEED}: ${total} checks (${JSON.stringify(checks)}), total ${Date.now() - startedAt} ms\n`);
    await server?.stop();
  });

  function addMember(by: number, g: number, u: number, role: GroupRole) {
    return ok(server, actors[by]!.key, 'mutation ($g: ID!, $u: ID!, $r: GroupRole) { addGroupMember(groupId: $g, userId: $u, role: $r) { id } }', {
      g: groupIds[g],
      u: actors[u]!.id,
      r: role,
    });
  }

  const nameOf = (id: string) => {
    const a = labelOfId.get(id);
    return a === undefined ? `unknown ${id}` : artifacts[a]!.label;
  };

  /** Pages through `artifacts` as user `u`; returns the ids in order and checks the page mechanics. */
  async function pageThrough(u: number, includeDeleted: boolean): Promise<{ ids: string[]; deletedIds: Set<string> }> {
    const ids: string[] = [];
    const deletedIds = new Set<string>();
    let cursor: string | null = null;
    for (let page = 0; ; page += 1) {
      expect(page, `more pages than artifacts for ${userDesc(u)}`).toBeLessThan(ARTIFACTS);
      const data: ListPage = await ok<ListPage>(server, actors[u]!.key, LIST, { first: PAGE_SIZE, after: cursor, includeDeleted });
      const { edges, pageInfo } = data.artifacts;
      for (const edge of edges) {
        ids.push(edge.node.id);
        if (edge.node.deletedAt !== null) deletedIds.add(edge.node.id);
      }
      if (!pageInfo.hasNextPage) {
        expect(edges.length, 'the last page is not longer than first').toBeLessThanOrEqual(PAGE_SIZE);
        if (page > 0) expect(edges.length, 'a page after one that said hasNextPage is not empty').toBeGreaterThan(0);
        expect(pageInfo.endCursor).toBe(edges.at(-1)?.cursor ?? null);
        return { ids, deletedIds };
      }
      expect(edges, 'a page with hasNextPage is full').toHaveLength(PAGE_SIZE);
      expect(pageInfo.endCursor).toBe(edges.at(-1)!.cursor);
      cursor = pageInfo.endCursor;
    }
  }

  for (const phase of PHASES) {
    const { state } = phase;
    describe(phase.name, () => {
      if (phase.name === 'after mutations') {
        it(`applies ${mutations.length} mutations (${replay}): ${mutations.map((m) => m.description).join('; ')}`, async () => {
          for (const { mutation } of mutations) {
            const by = actors[mutation.by]!.key;
            switch (mutation.kind) {
              case 'removeGroupMember':
                await ok(server, by, 'mutation ($g: ID!, $u: ID!) { removeGroupMember(groupId: $g, userId: $u) { id } }', {
                  g: groupIds[mutation.group],
                  u: actors[mutation.user]!.id,
                });
                break;
              case 'addGroupMember':
                await addMember(mutation.by, mutation.group, mutation.user, mutation.role);
                break;
              case 'shareArtifact': {
                const data = await ok<{ shareArtifact: { visibility: string; sharedWithGroups: { id: string }[] } }>(
                  server,
                  by,
                  'mutation ($id: ID!, $v: Visibility!, $g: [ID!]) { shareArtifact(id: $id, visibility: $v, groupIds: $g) { visibility sharedWithGroups { id } } }',
                  { id: artifactIds[mutation.artifact], v: mutation.visibility, g: mutation.groups.map((g) => groupIds[g]!) },
                );
                expect(data.shareArtifact.visibility).toBe(mutation.visibility);
                expect(data.shareArtifact.sharedWithGroups.map((g) => g.id).sort()).toEqual(mutation.groups.map((g) => groupIds[g]!).sort());
                break;
              }
              case 'deleteArtifact':
                await ok(server, by, 'mutation ($id: ID!) { deleteArtifact(id: $id) { id } }', { id: artifactIds[mutation.artifact] });
                break;
              case 'restoreArtifact':
                await ok(server, by, 'mutation ($id: ID!) { restoreArtifact(id: $id) { id } }', { id: artifactIds[mutation.artifact] });
                break;
              case 'widenRuleAndDefault':
                await ok(server, by, 'mutation { setSharingRule(input: { visibility: PUBLIC, priority: 99 }) { id } updateMe(input: { defaultVisibility: PUBLIC }) { id } }');
                break;
            }
          }
        });
      }

      for (const [u] of users.entries()) {
        it(`${userDesc(u)}: artifacts pages (first ${PAGE_SIZE}) through exactly the visible ones, newest first (${replay})`, async () => {
          const { ids, deletedIds } = await pageThrough(u, false);
          expect(deletedIds.size, 'no deleted artifact without includeDeleted').toBe(0);
          expect(new Set(ids).size, `duplicate ids across pages: ${ids.map(nameOf).join(' ')}`).toBe(ids.length);
          // Creation order is index order, so newest first is descending index.
          const expected = artifacts.map((_, a) => a).filter((a) => lists(state, u, a, false)).reverse();
          const describeAll = (list: number[]) => list.map((a) => describeArtifact(state, a));
          expect(describeAll(ids.map((id) => labelOfId.get(id) ?? -1))).toEqual(describeAll(expected));
          count('artifacts', ARTIFACTS);
        });

        it(`${userDesc(u)}: includeDeleted adds exactly the deleted ones they own or administer, newest first (${replay})`, async () => {
          const { ids, deletedIds } = await pageThrough(u, true);
          expect(new Set(ids).size, `duplicate ids across pages: ${ids.map(nameOf).join(' ')}`).toBe(ids.length);
          const expected = artifacts.map((_, a) => a).filter((a) => lists(state, u, a, true)).reverse();
          const describeAll = (list: number[]) => list.map((a) => describeArtifact(state, a));
          expect(describeAll(ids.map((id) => labelOfId.get(id) ?? -1))).toEqual(describeAll(expected));
          const expectedDeleted = expected.filter((a) => state.artifacts[a]!.deleted).map((a) => artifacts[a]!.label);
          expect([...deletedIds].map(nameOf).sort(), 'deletedAt is set on exactly the deleted ones').toEqual(expectedDeleted.sort());
          count('artifacts includeDeleted', ARTIFACTS);
        });

        it(`${userDesc(u)}: search in every mode returns exactly the visible ones (first 100; every content has the word) (${replay})`, async () => {
          for (const includeDeleted of [false, true]) {
            const expected = artifacts.map((_, a) => a).filter((a) => lists(state, u, a, includeDeleted));
            expect(expected.length, 'the check needs every visible artifact in one answer').toBeLessThanOrEqual(100);
            const describeAll = (list: number[]) => list.map((a) => describeArtifact(state, a)).sort();
            for (const mode of ['HYBRID', 'VECTOR', 'TEXT']) {
              const data = await ok<{ search: { artifact: { id: string } }[] }>(
                server,
                actors[u]!.key,
                'query ($m: SearchMode, $f: ArtifactFilter) { search(query: "content", mode: $m, filter: $f, first: 100) { artifact { id } } }',
                { m: mode, f: { includeDeleted } },
              );
              const found = data.search.map((hit) => labelOfId.get(hit.artifact.id) ?? -1);
              const what = `${mode}${includeDeleted ? ' includeDeleted' : ''}`;
              expect(describeAll(found), what).toEqual(describeAll(expected));
              count(`search ${mode}`, ARTIFACTS);
            }
          }
        });

        it(`${userDesc(u)}: artifact(id) and node(id) on ${phase.samples[u]!.length} sampled ids follow the rule (${replay})`, async () => {
          const sample = phase.samples[u]!;
          const actual: string[] = [];
          for (let start = 0; start < sample.length; start += 10) {
            const chunk = sample.slice(start, start + 10);
            const query = `query (${chunk.map((_, i) => `$i${i}: ID!`).join(', ')}) {\n${chunk
              .map((_, i) => `  a${i}: artifact(id: $i${i}) { id }\n  n${i}: node(id: $i${i}) { __typename id }`)
              .join('\n')}\n}`;
            const variables = Object.fromEntries(chunk.map((a, i) => [`i${i}`, artifactIds[a]!]));
            const data = await ok<Record<string, { id: string; __typename?: string } | null>>(server, actors[u]!.key, query, variables);
            chunk.forEach((a, i) => {
              const byArtifact = data[`a${i}`];
              const byNode = data[`n${i}`];
              if (byArtifact) expect(byArtifact.id).toBe(artifactIds[a]);
              if (byNode) expect(byNode).toEqual({ __typename: 'Artifact', id: artifactIds[a] });
              actual.push(`${describeArtifact(state, a)}: artifact ${byArtifact ? 'visible' : 'null'}, node ${byNode ? 'visible' : 'null'}`);
            });
          }
          const expected = sample.map((a) => {
            const seen = lists(state, u, a, false) ? 'visible' : 'null';
            return `${describeArtifact(state, a)}: artifact ${seen}, node ${seen}`;
          });
          expect(actual).toEqual(expected);
          count('artifact(id)', sample.length);
          count('node(id)', sample.length);
        });

        it(`${userDesc(u)}: similar(id) from visible anchors returns exactly the other visible ones; invisible anchors are NOT_FOUND (${replay})`, async () => {
          const pick = prng(SEED + 7919 * (u + 1) + (phase.name === 'after mutations' ? 1 : 0));
          const seen = pick.shuffle(artifacts.map((_, a) => a).filter((a) => visible(state, u, a))).slice(0, SIMILAR_ANCHORS);
          const unseen = pick.shuffle(artifacts.map((_, a) => a).filter((a) => !visible(state, u, a))).slice(0, 2);
          const describeAll = (list: number[]) => list.map((a) => describeArtifact(state, a)).sort();
          for (const anchor of seen) {
            const data = await ok<{ similar: { artifact: { id: string } }[] }>(server, actors[u]!.key, 'query ($id: ID!) { similar(id: $id, first: 100) { artifact { id } } }', {
              id: artifactIds[anchor],
            });
            const found = data.similar.map((hit) => labelOfId.get(hit.artifact.id) ?? -1);
            const expected = artifacts.map((_, a) => a).filter((a) => a !== anchor && visible(state, u, a));
            expect(describeAll(found), `similar to ${describeArtifact(state, anchor)}`).toEqual(describeAll(expected));
            count('similar', ARTIFACTS);
          }
          for (const anchor of unseen) {
            const res = await gql(server, 'query ($id: ID!) { similar(id: $id) { artifact { id } } }', { key: actors[u]!.key, variables: { id: artifactIds[anchor] } });
            expect(res.body.errors?.[0]?.extensions?.['code'], `similar to invisible ${describeArtifact(state, anchor)}`).toBe('NOT_FOUND');
            count('similar', 1);
          }
        });

        it(`${userDesc(u)}: neighbors (1–3 hops) of every visible artifact are exactly the ones reachable through visible artifacts, nearest first (${replay})`, async () => {
          const pick = prng(SEED + 104729 * (u + 1) + (phase.name === 'after mutations' ? 1 : 0));
          const roots = artifacts.map((_, a) => a).filter((a) => visible(state, u, a));
          const actual: string[] = [];
          const expected: string[] = [];
          for (let start = 0; start < roots.length; start += 15) {
            const chunk = roots.slice(start, start + 15).map((a) => ({ a, depth: 1 + pick.int(3) }));
            const query = `query (${chunk.map((_, i) => `$i${i}: ID!`).join(', ')}) {\n${chunk
              .map(({ depth }, i) => `  a${i}: artifact(id: $i${i}) { neighbors(depth: ${depth}, first: 100) { id } }`)
              .join('\n')}\n}`;
            const variables = Object.fromEntries(chunk.map(({ a }, i) => [`i${i}`, artifactIds[a]!]));
            const data = await ok<Record<string, { neighbors: { id: string }[] } | null>>(server, actors[u]!.key, query, variables);
            chunk.forEach(({ a, depth }, i) => {
              const distance = distancesFrom(state, u, a);
              const got = (data[`a${i}`]?.neighbors ?? []).map((n) => labelOfId.get(n.id) ?? -1);
              const hops = got.map((m) => distance.get(m) ?? Infinity);
              const what = `${describeArtifact(state, a)} depth ${depth}`;
              expect(hops, `${what}: nearest first`).toEqual([...hops].sort((x, y) => x - y));
              actual.push(`${what}: ${got.map((m) => artifacts[m]?.label ?? 'unknown').sort().join(' ')}`);
              const want = [...distance].filter(([m, d]) => m !== a && d <= depth).map(([m]) => artifacts[m]!.label);
              expected.push(`${what}: ${want.sort().join(' ')}`);
            });
          }
          expect(actual).toEqual(expected);
          count('neighbors', roots.length * ARTIFACTS);
        });

        it(`${userDesc(u)}: shortestPath between ${PATH_PAIRS} random pairs is a shortest path through visible artifacts, or null when there is none (${replay})`, async () => {
          const pick = prng(SEED + 1299709 * (u + 1) + (phase.name === 'after mutations' ? 1 : 0));
          // Half the pairs among what the user sees (so most have paths), half among all.
          const seen = artifacts.map((_, a) => a).filter((a) => visible(state, u, a));
          const pairs = Array.from({ length: PATH_PAIRS }, (_, i) => {
            const pool = i % 2 === 0 && seen.length >= 2 ? seen : artifacts.map((_, a) => a);
            const from = pick.pick(pool);
            let to = pick.pick(pool);
            while (to === from) to = pick.pick(pool);
            return { from, to };
          });
          const actual: string[] = [];
          const expected: string[] = [];
          for (let start = 0; start < pairs.length; start += 10) {
            const chunk = pairs.slice(start, start + 10);
            const query = `query (${chunk.map((_, i) => `$f${i}: ID!, $t${i}: ID!`).join(', ')}) {\n${chunk
              .map((_, i) => `  p${i}: shortestPath(from: $f${i}, to: $t${i}, maxDepth: ${MAX_PATH_DEPTH}) { id }`)
              .join('\n')}\n}`;
            const variables = Object.fromEntries(chunk.flatMap(({ from, to }, i) => [[`f${i}`, artifactIds[from]!], [`t${i}`, artifactIds[to]!]]));
            const data = await ok<Record<string, { id: string }[] | null>>(server, actors[u]!.key, query, variables);
            chunk.forEach(({ from, to }, i) => {
              const what = `${describeArtifact(state, from)} → ${describeArtifact(state, to)}`;
              const path = data[`p${i}`]?.map((n) => labelOfId.get(n.id) ?? -1) ?? null;
              const hops = visible(state, u, from) && visible(state, u, to) ? distancesFrom(state, u, from).get(to) : undefined;
              expected.push(`${what}: ${hops !== undefined && hops <= MAX_PATH_DEPTH ? `${hops} hops` : 'null'}`);
              if (path === null) {
                actual.push(`${what}: null`);
                return;
              }
              // A path: from…to, consecutive artifacts related, every one visible and live.
              const related = (x: number, y: number) => relationships.some((r) => (r.from === x && r.to === y) || (r.from === y && r.to === x));
              const steps = path.slice(1).every((m, k) => related(path[k]!, m));
              const allVisible = path.every((m) => m >= 0 && visible(state, u, m));
              const ends = path[0] === from && path.at(-1) === to;
              actual.push(`${what}: ${ends && steps && allVisible ? `${path.length - 1} hops` : `not a visible path: ${path.map((m) => (m >= 0 ? describeArtifact(state, m) : 'unknown')).join(' / ')}`}`);
            });
          }
          expect(actual).toEqual(expected);
          // Each pair is a verdict; every artifact on a returned path is one more.
          count('shortestPath', pairs.length + actual.reduce((sum, line) => sum + (line.endsWith(' hops') ? Number(line.split(': ').at(-1)!.split(' ')[0]) + 1 : 0), 0));
        });

        it(`${userDesc(u)}: events list exactly the artifact and relationship events of what they may see (${replay})`, async () => {
          const artifactEvents = new Set<number>();
          const relationshipEvents = new Set<string>();
          let after: string | null = null;
          for (let page = 0; ; page += 1) {
            expect(page, 'events end').toBeLessThan(100);
            const data: {
              events: { edges: { node: { type: string; artifactId: string | null; relationshipId: string | null } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
            } = await ok(
              server,
              actors[u]!.key,
              'query ($after: String) { events(after: $after, first: 100, types: [ARTIFACT_CREATED, ARTIFACT_UPDATED, ARTIFACT_DELETED, RELATIONSHIP_CREATED]) { edges { node { type artifactId relationshipId } } pageInfo { hasNextPage endCursor } } }',
              { after },
            );
            for (const { node } of data.events.edges) {
              if (node.type === 'RELATIONSHIP_CREATED') relationshipEvents.add(node.relationshipId ?? 'none');
              else artifactEvents.add(labelOfId.get(node.artifactId ?? '') ?? -1);
            }
            if (!data.events.pageInfo.hasNextPage) break;
            after = data.events.pageInfo.endCursor;
          }
          const describeAll = (list: number[]) => list.map((a) => describeArtifact(state, a)).sort();
          const expectedArtifacts = artifacts.map((_, a) => a).filter((a) => seesArtifactEvent(state, u, a));
          expect(describeAll([...artifactEvents]), 'artifacts with events').toEqual(describeAll(expectedArtifacts));
          const describeRel = (r: number) => `${describeArtifact(state, relationships[r]!.from)} -${relationships[r]!.type}-> ${describeArtifact(state, relationships[r]!.to)}`;
          const expectedRels = relationships.map((_, r) => r).filter((r) => seesArtifactEvent(state, u, relationships[r]!.from) && seesArtifactEvent(state, u, relationships[r]!.to));
          const gotRels = [...relationshipEvents].map((id) => relationshipIds.indexOf(id));
          expect(gotRels.map((r) => (r >= 0 ? describeRel(r) : 'unknown')).sort(), 'relationship events').toEqual(expectedRels.map(describeRel).sort());
          count('events', ARTIFACTS + relationships.length);
        });

        it(`${userDesc(u)}: context packages show exactly the items they may see, and other orgs' packages not at all (${replay})`, async () => {
          const query = `query (${packageIds.map((_, i) => `$p${i}: ID!`).join(', ')}) {\n${packageIds
            .map((_, i) => `  p${i}: node(id: $p${i}) { ... on ContextPackage { items { artifact { id } } } }`)
            .join('\n')}\n}`;
          const data = await ok<Record<string, { items: { artifact: { id: string } | null }[] } | null>>(
            server,
            actors[u]!.key,
            query,
            Object.fromEntries(packageIds.map((id, i) => [`p${i}`, id])),
          );
          const actual: string[] = [];
          const expected: string[] = [];
          packages.forEach((pkg, i) => {
            const what = `${pkg.label} of ${users[pkg.creator]!.label}@${ORG_NAMES[users[pkg.creator]!.org]}`;
            const got = data[`p${i}`];
            actual.push(`${what}: ${got ? got.items.map((item) => (item.artifact ? nameOf(item.artifact.id) : 'null')).sort().join(' ') : 'absent'}`);
            const same = users[pkg.creator]!.org === users[u]!.org;
            expected.push(`${what}: ${same ? pkg.items.filter((a) => visible(state, u, a)).map((a) => artifacts[a]!.label).sort().join(' ') : 'absent'}`);
            count('context packages', pkg.items.length);
          });
          expect(actual).toEqual(expected);
        });
      }

      it(`${RANDOM_WRITES} random updateArtifact calls by random users answer OK / FORBIDDEN / NOT_FOUND as the rule says (${replay})`, async () => {
        const actual: string[] = [];
        const expected: string[] = [];
        for (const write of randomWrites) {
          const what = `#${write.n} ${userDesc(write.user)} updates ${describeArtifact(state, write.artifact)}`;
          const res = await gql(server, 'mutation ($id: ID!, $t: String) { updateArtifact(id: $id, input: { title: $t }) { id } }', {
            key: actors[write.user]!.key,
            variables: { id: artifactIds[write.artifact], t: `${artifacts[write.artifact]!.label} (${phase.name} write #${write.n})` },
          });
          actual.push(`${what} → ${res.body.errors ? String(res.body.errors[0]?.extensions?.['code']) : 'OK'}`);
          expected.push(`${what} → ${writeOutcome(state, write.user, write.artifact)}`);
        }
        expect(actual).toEqual(expected);
      });
    });
  }

  it(`made at least ${MIN_CHECKS} visibility checks across every read path (${replay})`, () => {
    const total = Object.values(checks).reduce((sum, n) => sum + n, 0);
    for (const path of ['artifact(id)', 'node(id)', 'artifacts', 'search TEXT', 'search VECTOR', 'search HYBRID', 'similar', 'neighbors', 'shortestPath', 'events', 'context packages']) {
      expect.soft(checks[path] ?? 0, `checks of ${path}`).toBeGreaterThan(0);
    }
    expect(total).toBeGreaterThanOrEqual(MIN_CHECKS);
  });
});
