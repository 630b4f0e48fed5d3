/**
 * Who may see an event — the in-memory twin of the SQL visibility predicate
 * (src/store/repositories/visibility.sql.ts), applied per subscriber per event:
 *
 * - events are an org's feed: only members of the event's org see them;
 * - artifact events: the artifact must be visible to the viewer (PUBLIC, ORG, owner, or GROUP
 *   shared with one of the viewer's groups; PRIVATE is owner-only). Deletion does not hide
 *   the deletion event from those who could see the artifact;
 * - relationship events: both ends must be visible (a relationship reveals both);
 * - contribution events: the contributor, REVIEWERs and ADMINs; an approval also reaches whoever
 *   the visibility the contribution asked for admits (as Query.contributions reads them);
 * - run events: everyone in the org.
 *
 * The feed also reads each event's records once for all subscribers; {@link canReadArtifact}
 * and {@link canReadContribution} decide in memory what each may read of them, as the SQL reads
 * behind the DataLoaders would (`visibleArtifactSql`, the contribution access rule).
 */
import type { ArtifactRecord, ContributionRecord, EventRecord, EventSubject, Role, Visibility } from '../store/records.ts';

/** The viewer as event visibility needs it. */
export interface EventViewer {
  orgId: string;
  userId: string;
  role: Role;
  groupIds: ReadonlySet<string>;
}

function admits(viewer: EventViewer, access: { orgId: string; visibility: Visibility; ownerId: string; groupIds: readonly string[] }): boolean {
  if (access.visibility === 'PUBLIC') return true;
  if (access.orgId !== viewer.orgId) return false;
  if (access.visibility === 'ORG' || access.ownerId === viewer.userId) return true;
  return access.visibility === 'GROUP' && access.groupIds.some((g) => viewer.groupIds.has(g));
}

function subjectVisible(viewer: EventViewer, subjects: readonly EventSubject[], id: string | null): boolean {
  if (id === null) return false;
  const subject = subjects.find((s) => s.id === id);
  return subject !== undefined && admits(viewer, subject);
}

/** True when `viewer` may see `event`. */
export function canSeeEvent(viewer: EventViewer, event: EventRecord): boolean {
  if (event.orgId !== viewer.orgId) return false;
  switch (event.type) {
    case 'ARTIFACT_CREATED':
    case 'ARTIFACT_UPDATED':
    case 'ARTIFACT_DELETED':
      return subjectVisible(viewer, event.subjects, event.artifactId);
    case 'RELATIONSHIP_CREATED':
    case 'RELATIONSHIP_DELETED':
      return subjectVisible(viewer, event.subjects, event.fromArtifactId) && subjectVisible(viewer, event.subjects, event.toArtifactId);
    case 'CONTRIBUTION_SUBMITTED':
    case 'CONTRIBUTION_APPROVED':
    case 'CONTRIBUTION_REJECTED': {
      const access = event.contributionAccess;
      if (!access) return false;
      if (viewer.role === 'ADMIN' || viewer.role === 'REVIEWER' || access.contributorId === viewer.userId) return true;
      if (event.type !== 'CONTRIBUTION_APPROVED') return false;
      return admits(viewer, { orgId: event.orgId, visibility: access.visibility, ownerId: access.contributorId, groupIds: access.groupIds });
    }
    case 'RUN_UPDATED':
      return true;
  }
}

/**
 * True when `viewer` may read `artifact` (shared with `groupIds`) as a live artifact — the
 * in-memory twin of `visibleArtifactSql` without `includeDeleted`: deleted artifacts are not.
 */
export function canReadArtifact(viewer: EventViewer, artifact: ArtifactRecord, groupIds: readonly string[]): boolean {
  return artifact.deletedAt === null && admits(viewer, { orgId: artifact.orgId, visibility: artifact.visibility, ownerId: artifact.ownerId, groupIds });
}

/**
 * True when `viewer` may read `contribution` — the in-memory twin of the contribution access
 * rule (src/store/repositories/contributions.repo.ts): the org's ADMINs and REVIEWERs, the
 * contributor, and once APPROVED whoever its ORG / PUBLIC / GROUP visibility admits.
 */
export function canReadContribution(viewer: EventViewer, contribution: ContributionRecord): boolean {
  if (contribution.orgId !== viewer.orgId) return false;
  if (viewer.role === 'ADMIN' || viewer.role === 'REVIEWER' || contribution.contributorId === viewer.userId) return true;
  if (contribution.status !== 'APPROVED') return false;
  if (contribution.visibility === 'ORG' || contribution.visibility === 'PUBLIC') return true;
  return contribution.visibility === 'GROUP' && contribution.sharedWithGroupIds.some((g) => viewer.groupIds.has(g));
}
