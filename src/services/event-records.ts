/**
 * The records an event is about (its artifact or a relationship's ends, the relationship, the
 * contribution, the run, the actor), read **once per fetched batch for every subscriber** of
 * the feed, and what one subscriber may read of them.
 *
 * A delivery carries the shared records and a short `readable` string, one character per
 * visibility-checked record; two subscribers with the same string get the same answers from
 * their loaders, which is what lets the server execute a subscription document once for all
 * of them (src/server/subscription-executor.ts).
 */
import { getArtifactsWithSharesByIds } from '../store/repositories/artifacts.repo.ts';
import { getOrgContributionsByIds } from '../store/repositories/contributions.repo.ts';
import { getUsersByIds } from '../store/repositories/identity.repo.ts';
import { getOrgRelationshipsByIds } from '../store/repositories/relationships.repo.ts';
import { getRunsByIds } from '../store/repositories/runs.repo.ts';
import type { ArtifactRecord, ContributionRecord, EventRecord, RelationshipRecord, RunRecord, UserRecord } from '../store/records.ts';
import type { SqlClient } from '../store/types.ts';
import { canReadArtifact, canReadContribution, type EventViewer } from './event-visibility.ts';

/** The records of one batch of events, read without visibility (decided per subscriber). */
export interface EventRecords {
  /** Unique per read: executions are shared only between deliveries of the same read. */
  readonly readId: number;
  readonly artifacts: ReadonlyMap<string, { artifact: ArtifactRecord; groupIds: readonly string[] }>;
  readonly relationships: ReadonlyMap<string, RelationshipRecord>;
  readonly contributions: ReadonlyMap<string, ContributionRecord>;
  readonly runs: ReadonlyMap<string, RunRecord>;
  readonly users: ReadonlyMap<string, UserRecord>;
}

/** One event for one subscriber: the event, the shared records, and what it may read of them. */
export interface EventDelivery {
  readonly event: EventRecord;
  readonly records: EventRecords;
  /**
   * One character per visibility-checked record of the event ('1' readable, '0' not), in the
   * order of {@link readableRecords}; equal strings mean equal visibility decisions.
   */
  readonly readable: string;
}

/** What a delivery's subscriber may read, by id; null where absent or not readable. */
export interface ReadableRecords {
  artifacts: [string, ArtifactRecord | null][];
  relationship: [string, RelationshipRecord | null] | undefined;
  contribution: [string, ContributionRecord | null] | undefined;
  run: [string, RunRecord | null] | undefined;
  actor: [string, UserRecord | null] | undefined;
}

let reads = 0;

const artifactIdsOf = (e: EventRecord): string[] => {
  const ids: string[] = [];
  for (const id of [e.artifactId, e.fromArtifactId, e.toArtifactId]) if (id !== null && !ids.includes(id)) ids.push(id);
  return ids;
};

const idsOf = (events: readonly EventRecord[], pick: (e: EventRecord) => string | null): string[] => [
  ...new Set(events.map(pick).filter((id): id is string => id !== null)),
];

/**
 * Reads the records of `events` (all of one org): one statement per kind present in the
 * batch, at most five, however many subscribers will receive them.
 */
export async function readEventRecords(sql: SqlClient, orgId: string, events: readonly EventRecord[]): Promise<EventRecords> {
  const artifactIds = [...new Set(events.flatMap(artifactIdsOf))];
  const relationshipIds = idsOf(events, (e) => e.relationshipId);
  const contributionIds = idsOf(events, (e) => e.contributionId);
  const runIds = idsOf(events, (e) => e.runId);
  const userIds = idsOf(events, (e) => e.actorId);
  const [artifacts, relationships, contributions, runs, users] = await Promise.all([
    artifactIds.length > 0 ? getArtifactsWithSharesByIds(sql, artifactIds) : [],
    relationshipIds.length > 0 ? getOrgRelationshipsByIds(sql, orgId, relationshipIds) : [],
    contributionIds.length > 0 ? getOrgContributionsByIds(sql, orgId, contributionIds) : [],
    runIds.length > 0 ? getRunsByIds(sql, orgId, runIds) : [],
    userIds.length > 0 ? getUsersByIds(sql, orgId, userIds) : [],
  ]);
  const byId = <T extends { id: string }>(rows: readonly (T | undefined)[]) => new Map(rows.filter((r): r is T => r !== undefined).map((r) => [r.id, r]));
  return {
    readId: ++reads,
    artifacts: new Map(artifacts.map((a) => [a.artifact.id, a])),
    relationships: byId(relationships),
    contributions: byId(contributions),
    runs: byId(runs),
    users: byId(users),
  };
}

function artifactReadable(viewer: EventViewer, records: EventRecords, id: string): boolean {
  const found = records.artifacts.get(id);
  return found !== undefined && canReadArtifact(viewer, found.artifact, found.groupIds);
}

/** The `readable` string of {@link EventDelivery} for `viewer`. */
export function readableFor(viewer: EventViewer, event: EventRecord, records: EventRecords): string {
  let readable = '';
  for (const id of artifactIdsOf(event)) readable += artifactReadable(viewer, records, id) ? '1' : '0';
  if (event.relationshipId !== null) {
    const r = records.relationships.get(event.relationshipId);
    readable += r && artifactReadable(viewer, records, r.fromId) && artifactReadable(viewer, records, r.toId) ? '1' : '0';
  }
  if (event.contributionId !== null) {
    const c = records.contributions.get(event.contributionId);
    readable += c && canReadContribution(viewer, c) ? '1' : '0';
  }
  return readable;
}

/**
 * What the delivery's subscriber may read, decoded from `readable`; runs and users are of the
 * event's org, which every subscriber of the feed belongs to.
 */
export function readableRecords(delivery: EventDelivery): ReadableRecords {
  const { event, records, readable } = delivery;
  let i = 0;
  const take = <T>(value: T | undefined): T | null => (readable[i++] === '1' && value !== undefined ? value : null);
  const artifacts = artifactIdsOf(event).map((id): [string, ArtifactRecord | null] => [id, take(records.artifacts.get(id)?.artifact)]);
  const relationship = event.relationshipId === null ? undefined : ([event.relationshipId, take(records.relationships.get(event.relationshipId))] as [string, RelationshipRecord | null]);
  const contribution = event.contributionId === null ? undefined : ([event.contributionId, take(records.contributions.get(event.contributionId))] as [string, ContributionRecord | null]);
  return {
    artifacts,
    relationship,
    contribution,
    run: event.runId === null ? undefined : [event.runId, records.runs.get(event.runId) ?? null],
    actor: event.actorId === null ? undefined : [event.actorId, records.users.get(event.actorId) ?? null],
  };
}
