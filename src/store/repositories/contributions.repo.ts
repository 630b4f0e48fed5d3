/**
 * SQL for contributions and auto-approve rules. Reads apply the contribution access rule:
 * the contributor, the org's REVIEWERs and ADMINs, and — once APPROVED — whoever the
 * visibility the contribution asked for admits.
 */
import type { AutoApproveRuleRecord, ContributionRecord, ContributionStatus, Page, Role } from '../records.ts';
import type { Queryable } from '../types.ts';
import { inKeyOrder, SqlParams, toPage } from './sql-params.ts';

const COLUMNS = (c: string) => `${c}.id, ${c}.org_id AS "orgId", ${c}.seq, ${c}.contributor_id AS "contributorId", ${c}.status,
  ${c}.kind, ${c}.title, ${c}.content, ${c}.content_digest AS "contentDigest", ${c}.metadata, ${c}.tags, ${c}.codebase,
  ${c}.visibility, ${c}.shared_with_group_ids AS "sharedWithGroupIds", ${c}.visibility_source AS "visibilitySource",
  ${c}.sharing_rule_id AS "sharingRuleId", ${c}.session_id AS "sessionId",
  ${c}.mcp_client_id AS "mcpClientId", ${c}.redactions, ${c}.injection_score AS "injectionScore", ${c}.flags,
  ${c}.artifact_id AS "artifactId", ${c}.near_duplicates AS "nearDuplicates", ${c}.reviewer_id AS "reviewerId",
  ${c}.review_note AS "reviewNote", ${c}.created_at AS "createdAt", ${c}.reviewed_at AS "reviewedAt"`;

/** Who is reading contributions. */
export interface ContributionViewer {
  orgId: string;
  userId: string;
  role: Role;
}

/** The access rule for alias `c`, adding the viewer's ids to `p`. */
function visibleContributionSql(c: string, p: SqlParams, viewer: ContributionViewer): string {
  const org = p.add(viewer.orgId);
  if (viewer.role === 'ADMIN' || viewer.role === 'REVIEWER') return `${c}.org_id = ${org}`;
  const user = p.add(viewer.userId);
  return `(${c}.org_id = ${org} AND (${c}.contributor_id = ${user} OR (${c}.status = 'APPROVED' AND (
      ${c}.visibility IN ('ORG', 'PUBLIC')
      OR (${c}.visibility = 'GROUP' AND EXISTS (SELECT 1 FROM group_members gm WHERE gm.user_id = ${user} AND gm.group_id = ANY(${c}.shared_with_group_ids)))))))`;
}

/**
 * Values of a new contribution (after scrubbing and screening): the record's fields less what
 * the database assigns or review sets, with the metadata as its JSON text.
 */
export type NewContribution = Omit<
  ContributionRecord,
  'id' | 'seq' | 'metadata' | 'reviewerId' | 'reviewNote' | 'createdAt' | 'reviewedAt'
> & { metadataJson: string };

/** Inserts a contribution. */
export async function insertContribution(q: Queryable, c: NewContribution): Promise<ContributionRecord> {
  const { rows } = await q.query<ContributionRecord>(
    `INSERT INTO contributions AS c (org_id, contributor_id, status, kind, title, content, content_digest, metadata, tags, codebase,
       visibility, shared_with_group_ids, session_id, mcp_client_id, redactions, injection_score, flags, artifact_id, near_duplicates,
       visibility_source, sharing_rule_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::json, $9, $10, $11, $12, $13, $14, $15::jsonb, $16, $17, $18, $19::jsonb, $20, $21)
     RETURNING ${COLUMNS('c')}`,
    [
      c.orgId, c.contributorId, c.status, c.kind, c.title, c.content, c.contentDigest, c.metadataJson, c.tags, c.codebase,
      c.visibility, c.sharedWithGroupIds, c.sessionId, c.mcpClientId, JSON.stringify(c.redactions), c.injectionScore, c.flags,
      c.artifactId, JSON.stringify(c.nearDuplicates), c.visibilitySource, c.sharingRuleId,
    ],
  );
  return rows[0]!;
}

/** Visible contributions by id, in key order. One statement. */
export async function getContributionsByIds(q: Queryable, viewer: ContributionViewer, ids: readonly string[]): Promise<(ContributionRecord | undefined)[]> {
  const p = new SqlParams();
  const idsParam = p.add(ids);
  const { rows } = await q.query<ContributionRecord>(
    `SELECT ${COLUMNS('c')} FROM contributions c WHERE c.id = ANY(${idsParam}::uuid[]) AND ${visibleContributionSql('c', p, viewer)}`,
    p.values,
  );
  return inKeyOrder(ids, rows);
}

/**
 * Contributions of an org by id, **no access rule applied**: for the events feed, which
 * decides per subscriber in memory (src/services/event-visibility.ts). One statement.
 */
export async function getOrgContributionsByIds(q: Queryable, orgId: string, ids: readonly string[]): Promise<ContributionRecord[]> {
  const { rows } = await q.query<ContributionRecord>(`SELECT ${COLUMNS('c')} FROM contributions c WHERE c.org_id = $1 AND c.id = ANY($2::uuid[])`, [orgId, ids]);
  return rows;
}

/** One page of visible contributions, oldest first (a review queue), optionally of one status. */
export async function listContributions(
  q: Queryable,
  viewer: ContributionViewer,
  filter: { status?: ContributionStatus | null },
  page: { first: number; afterSeq?: number | undefined },
): Promise<Page<ContributionRecord>> {
  const p = new SqlParams();
  const where = [visibleContributionSql('c', p, viewer)];
  if (filter.status) where.push(`c.status = ${p.add(filter.status)}`);
  if (page.afterSeq !== undefined) where.push(`c.seq > ${p.add(page.afterSeq)}`);
  const { rows } = await q.query<ContributionRecord>(
    `SELECT ${COLUMNS('c')} FROM contributions c WHERE ${where.join(' AND ')} ORDER BY c.seq LIMIT ${p.add(page.first + 1)}`,
    p.values,
  );
  return toPage(rows, page.first);
}

/** Locks a contribution of the org for review. */
export async function lockContribution(q: Queryable, orgId: string, id: string): Promise<ContributionRecord | undefined> {
  const { rows } = await q.query<ContributionRecord>(`SELECT ${COLUMNS('c')} FROM contributions c WHERE c.org_id = $1 AND c.id = $2 FOR UPDATE`, [orgId, id]);
  return rows[0];
}

/** Records a review decision. */
export async function setContributionReview(
  q: Queryable,
  id: string,
  review: { status: 'APPROVED' | 'REJECTED'; reviewerId: string | null; note: string | null; artifactId: string | null },
): Promise<ContributionRecord> {
  const { rows } = await q.query<ContributionRecord>(
    `UPDATE contributions AS c SET status = $2, reviewer_id = $3, review_note = $4, artifact_id = coalesce($5, c.artifact_id), reviewed_at = now()
     WHERE c.id = $1 RETURNING ${COLUMNS('c')}`,
    [id, review.status, review.reviewerId, review.note, review.artifactId],
  );
  return rows[0]!;
}

/** Whether contributions of `kind` are approved without review in the org. */
export async function isAutoApproved(q: Queryable, orgId: string, kind: string): Promise<boolean> {
  const { rows } = await q.query<{ enabled: boolean }>('SELECT enabled FROM auto_approve_rules WHERE org_id = $1 AND kind = $2', [orgId, kind]);
  return rows[0]?.enabled === true;
}

/** Sets (creating or replacing) the org's rule for `kind`. */
export async function upsertAutoApproveRule(q: Queryable, orgId: string, kind: string, enabled: boolean, userId: string): Promise<AutoApproveRuleRecord> {
  const { rows } = await q.query<AutoApproveRuleRecord>(
    `INSERT INTO auto_approve_rules AS r (org_id, kind, enabled, updated_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (org_id, kind) DO UPDATE SET enabled = excluded.enabled, updated_by = excluded.updated_by, updated_at = now()
     RETURNING r.id, r.org_id AS "orgId", r.kind, r.enabled, r.updated_by AS "updatedById", r.updated_at AS "updatedAt"`,
    [orgId, kind, enabled, userId],
  );
  return rows[0]!;
}

/** The org's rules, by kind. */
export async function listAutoApproveRules(q: Queryable, orgId: string): Promise<AutoApproveRuleRecord[]> {
  const { rows } = await q.query<AutoApproveRuleRecord>(
    `SELECT r.id, r.org_id AS "orgId", r.kind, r.enabled, r.updated_by AS "updatedById", r.updated_at AS "updatedAt"
     FROM auto_approve_rules r WHERE r.org_id = $1 ORDER BY r.kind`,
    [orgId],
  );
  return rows;
}
