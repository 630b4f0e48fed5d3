/**
 * The one visibility predicate, as SQL. Every read path that returns artifacts puts it in its
 * WHERE clause (before any LIMIT), so pagination, counts and search legs see only what the
 * caller may see. The rule (ARCHITECTURE.md, "Access model"):
 *
 * - PUBLIC: every authenticated caller, of any org;
 * - ORG: everyone in the artifact's org;
 * - GROUP: the owner and members of a group the artifact is shared with;
 * - PRIVATE: the owner only (org admins included: they administer, they do not read private notes).
 *
 * Deleted artifacts are invisible unless `includeDeleted` is asked for by their owner or an
 * ADMIN of their org who may otherwise see them.
 */
import type { Role } from '../records.ts';
import type { SqlParams } from './sql-params.ts';

/** Who is asking, as the predicate needs it. */
export interface VisibilityViewer {
  orgId: string;
  userId: string;
  role: Role;
  /**
   * The viewer's group ids, when the caller already knows them (traversal); otherwise GROUP
   * visibility is decided from the viewer's `group_members` rows.
   */
  groupIds?: readonly string[];
}

/**
 * The predicate for artifact alias `a` (e.g. `a`), adding the viewer's ids to `p`.
 * @param includeDeleted when true, deleted artifacts the viewer owns or administers stay visible
 */
export function visibleArtifactSql(a: string, p: SqlParams, viewer: VisibilityViewer, includeDeleted = false): string {
  const org = p.add(viewer.orgId);
  const user = p.add(viewer.userId);
  const visible = `(${a}.visibility = 'PUBLIC' OR (${a}.org_id = ${org} AND (
      ${a}.visibility = 'ORG'
      OR ${a}.owner_id = ${user}
      OR (${a}.visibility = 'GROUP' AND EXISTS (${groupShareSql(a, p, viewer, user)})))))`;
  if (!includeDeleted) return `(${a}.deleted_at IS NULL AND ${visible})`;
  const deletedSeenBy =
    viewer.role === 'ADMIN' ? `${a}.org_id = ${org}` : `(${a}.org_id = ${org} AND ${a}.owner_id = ${user})`;
  return `((${a}.deleted_at IS NULL OR ${deletedSeenBy}) AND ${visible})`;
}

/**
 * A subquery that finds a share of artifact `a` with one of the viewer's groups.
 *
 * `OFFSET 0` keeps it a per-row probe (two index lookups). Without it, inside the OR the
 * planner picks a "hashed SubPlan" that first hashes every share the viewer can reach — for a
 * viewer in groups sharing 100k artifacts that was 42 of a search's 43 ms, ignoring the LIMIT
 * (measured in bench/search.bench.ts; docs/benchmarks.md, "Search").
 */
function groupShareSql(a: string, p: SqlParams, viewer: VisibilityViewer, user: string): string {
  if (viewer.groupIds !== undefined) {
    return `SELECT 1 FROM artifact_shares vs WHERE vs.artifact_id = ${a}.id AND vs.group_id = ANY(${p.add(viewer.groupIds)}::uuid[]) OFFSET 0`;
  }
  return `SELECT 1 FROM artifact_shares vs JOIN group_members vm ON vm.group_id = vs.group_id
        WHERE vs.artifact_id = ${a}.id AND vm.user_id = ${user} OFFSET 0`;
}
