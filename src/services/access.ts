/**
 * Role rules, in one place. Visibility of artifacts is enforced in SQL
 * (store/repositories/visibility.sql.ts); these are the checks on what a role may *do*.
 */
import { ForbiddenError } from '../shared/errors.ts';
import type { ArtifactRecord, Role } from '../store/records.ts';
import type { Viewer } from './viewer.ts';

/** Roles that may create and edit artifacts directly (AGENT writes go through contributions). */
const ARTIFACT_WRITERS: readonly Role[] = ['ADMIN', 'REVIEWER', 'MEMBER'];

/** Throws FORBIDDEN unless the viewer's role may write artifacts directly. */
export function assertCanWriteArtifacts(viewer: Viewer): void {
  if (!ARTIFACT_WRITERS.includes(viewer.role)) {
    throw new ForbiddenError(
      viewer.role === 'AGENT'
        ? 'AGENT keys cannot write artifacts directly; submit them with `contribute`.'
        : `The ${viewer.role} role cannot write artifacts.`,
    );
  }
}

/**
 * Throws FORBIDDEN unless the viewer may change this (visible) artifact: its owner, or an
 * ADMIN of its org, and a role that writes artifacts.
 */
export function assertCanModifyArtifact(viewer: Viewer, artifact: ArtifactRecord): void {
  assertCanWriteArtifacts(viewer);
  const ownsIt = artifact.ownerId === viewer.userId;
  const administersIt = viewer.role === 'ADMIN' && artifact.orgId === viewer.orgId;
  if (!ownsIt && !administersIt) throw new ForbiddenError('Only the owner of this artifact or an ADMIN may change it.');
}

/** Throws FORBIDDEN unless the viewer is an ADMIN. */
export function assertAdmin(viewer: Viewer, what: string): void {
  if (viewer.role !== 'ADMIN') throw new ForbiddenError(`Only an ADMIN may ${what}.`);
}

/** Throws FORBIDDEN for roles that may not create groups or collections (AGENT, READER). */
export function assertCanOrganise(viewer: Viewer, what: string): void {
  if (!ARTIFACT_WRITERS.includes(viewer.role)) throw new ForbiddenError(`The ${viewer.role} role cannot ${what}.`);
}
