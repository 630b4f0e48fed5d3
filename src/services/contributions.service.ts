/**
 * The moderated contribution pipeline. `contribute` (any role but READER; an AGENT's only
 * write) runs, in order:
 *
 * 1. PII scrubbing of title, content, tags and metadata strings (the original is never stored
 *    or logged; `redactions` counts what was replaced);
 * 2. prompt-injection screening (the screener's stages: rules, optional classifier and
 *    similarity to known attacks): at or above the threshold the contribution is QUARANTINED —
 *    never auto-approved, still reviewable; each stage's signals become `injection:` flags;
 * 3. duplicates: a visible artifact with the same digest is linked instead of copied;
 *    near-duplicates (embedding similarity ≥ threshold) are flagged for the reviewer;
 * 4. the org's auto-approve rule for the kind, else PENDING.
 *
 * Approval (REVIEWER or ADMIN) creates the artifact with provenance in the same transaction
 * as the status change and the events; rejection records the reason.
 */
import { PII_TYPES, scrubPii, type PiiType, type Redaction } from '../pipeline/pii.ts';
import type { Screener } from '../pipeline/screener.ts';
import { checkBatchSize, forItem, MAX_BATCH_ITEMS } from '../shared/batch.ts';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../shared/errors.ts';
import type { AutoApproveRuleRecord, ContributionRecord, ContributionStatus, Page, Visibility } from '../store/records.ts';
import { listArtifacts, type StoredEmbedding } from '../store/repositories/artifacts.repo.ts';
import {
  getContributionsByIds,
  insertContribution,
  isAutoApproved,
  listAutoApproveRules,
  listContributions,
  lockContribution,
  setContributionReview,
  upsertAutoApproveRule,
} from '../store/repositories/contributions.repo.ts';
import { appendEvent } from '../store/repositories/events.repo.ts';
import { existingGroupIds } from '../store/repositories/groups.repo.ts';
import { QUARANTINED_FLAG } from '../store/repositories/screening.repo.ts';
import type { Queryable, SqlClient } from '../store/types.ts';
import { assertAdmin } from './access.ts';
import { insertArtifactWithHistory } from './artifact-writes.ts';
import type { SearchService } from './search.service.ts';
import { contentDigest, validContent, validKind, validMetadata, validTags, validText, FIELD_LIMITS } from './validate.ts';
import type { Viewer } from './viewer.ts';
import type { SessionOverrides } from './session-overrides.ts';
import { createVisibilityResolver, type ChainRequest, type ResolvedVisibility } from './visibility-chain.ts';

/** Input of {@link ContributionsService.contribute}. */
export interface ContributeInput {
  kind: string;
  title?: string | null;
  content: string;
  metadata?: unknown;
  tags?: readonly string[] | null;
  codebase?: string | null;
  /** Omitted (or null): decided by the precedence chain when submitted, applied on approval. */
  visibility?: Visibility | null;
  sharedWithGroupIds?: readonly string[] | null;
  sessionId?: string | null;
  mcpClientId?: string | null;
}

/** Tuning of the pipeline (HIVEGRAPH_INJECTION_THRESHOLD, HIVEGRAPH_NEAR_DUPLICATE_THRESHOLD). */
export interface ContributionPolicy {
  /** Injection score at or above which a contribution is QUARANTINED. */
  injectionThreshold: number;
  /** Embedding similarity at or above which an artifact is flagged as a near-duplicate. */
  nearDuplicateThreshold: number;
}

/** Contribution operations. */
export interface ContributionsService {
  contribute(viewer: Viewer, input: ContributeInput): Promise<ContributionRecord>;
  /**
   * 1–{@link MAX_BATCH_ITEMS} contributions, each screened as `contribute` does, stored in one
   * transaction (all or none); approvals' vectors come from one model call.
   * @throws the first failing item's error, with `extensions.index`
   */
  contributeMany(viewer: Viewer, inputs: readonly ContributeInput[]): Promise<ContributionRecord[]>;
  /** @throws FORBIDDEN unless REVIEWER or ADMIN; CONFLICT when already reviewed */
  approve(viewer: Viewer, id: string, note?: string | null): Promise<ContributionRecord>;
  /** @throws FORBIDDEN unless REVIEWER or ADMIN; CONFLICT when already reviewed; BAD_USER_INPUT without a reason */
  reject(viewer: Viewer, id: string, reason: string): Promise<ContributionRecord>;
  /** ADMIN only. */
  setAutoApproveRule(viewer: Viewer, kind: string, enabled: boolean): Promise<AutoApproveRuleRecord>;
  autoApproveRules(viewer: Viewer): Promise<AutoApproveRuleRecord[]>;
  getByIds(viewer: Viewer, ids: readonly string[]): Promise<(ContributionRecord | undefined)[]>;
  list(viewer: Viewer, filter: { status?: ContributionStatus | null }, page: { first: number; afterSeq?: number | undefined }): Promise<Page<ContributionRecord>>;
}

/** Flag set on a contribution whose digest matches a visible artifact (linked, not copied). */
export const DUPLICATE_FLAG = 'duplicate';
/** Flag set when near-duplicates were found. */
export const NEAR_DUPLICATE_FLAG = 'near-duplicate';

/** Creates the contributions service. */
export function createContributionsService(deps: {
  sql: SqlClient;
  search: SearchService;
  policy: ContributionPolicy;
  maxContentBytes: number;
  embed: (title: string | null, content: string) => Promise<StoredEmbedding | null>;
  /** Embeds many title + content pairs in one model call. */
  embedMany: (items: readonly { title: string | null; content: string }[]) => Promise<(StoredEmbedding | null)[]>;
  /** This instance's session overrides (step 2 of the visibility chain). */
  overrides: SessionOverrides;
  /** The prompt-injection screener (rules, plus the configured optional stages). */
  screener: Screener;
}): ContributionsService {
  const { sql, policy } = deps;
  const notFound = () => new NotFoundError('Contribution');

  function assertReviewer(viewer: Viewer): void {
    if (viewer.role !== 'REVIEWER' && viewer.role !== 'ADMIN') throw new ForbiddenError('Only REVIEWERs and ADMINs review contributions.');
  }

  /** Approves inside `tx`: creates (or links) the artifact, records the review and the events. */
  async function approveIn(
    tx: Queryable,
    contribution: ContributionRecord,
    reviewerId: string | null,
    note: string | null,
    embedding: StoredEmbedding | null,
    actorId: string,
  ): Promise<ContributionRecord> {
    let artifactId = contribution.artifactId;
    if (artifactId === null) {
      const artifact = await insertArtifactWithHistory(
        tx,
        {
          orgId: contribution.orgId,
          ownerId: contribution.contributorId,
          collectionId: null,
          name: null,
          kind: contribution.kind,
          title: contribution.title,
          content: contribution.content,
          contentDigest: contribution.contentDigest,
          sizeBytes: Buffer.byteLength(contribution.content, 'utf8'),
          metadataJson: JSON.stringify(contribution.metadata),
          tags: contribution.tags,
          codebase: contribution.codebase,
          visibility: contribution.visibility,
          visibilitySource: contribution.visibilitySource,
          sharingRuleId: contribution.sharingRuleId,
          sourceAgentId: contribution.contributorId,
          mcpClientId: contribution.mcpClientId,
          sessionId: contribution.sessionId,
          contributionId: contribution.id,
          runId: null,
          embedding,
        },
        contribution.sharedWithGroupIds,
        contribution.contributorId,
      );
      artifactId = artifact.id;
      await appendEvent(tx, { orgId: contribution.orgId, type: 'ARTIFACT_CREATED', actorId, artifactId });
    }
    const reviewed = await setContributionReview(tx, contribution.id, { status: 'APPROVED', reviewerId, note, artifactId });
    await appendEvent(tx, { orgId: contribution.orgId, type: 'CONTRIBUTION_APPROVED', actorId, contributionId: contribution.id });
    return reviewed;
  }

  /** A contribution screened, scrubbed and checked for duplicates: what {@link writeContribution} stores. */
  interface ScreenedContribution {
    kind: string;
    title: string | null;
    content: string;
    digest: string;
    metadataJson: string;
    tags: string[];
    codebase: string | null;
    /** The request's visibility; null: the chain decides (in {@link writeContribution}). */
    visibility: Visibility | null;
    groupIds: string[];
    sessionId: string | null;
    mcpClientId: string | null;
    redactions: Redaction[];
    injection: { score: number };
    quarantined: boolean;
    flags: string[];
    duplicateOf: string | null;
    near: { artifact: { id: string }; similarity: number }[];
  }

  /**
   * Validates, screens and scrubs one contribution and looks for duplicates (reads only).
   * Nothing of the original text leaves this function but its injection score and signals.
   */
  async function screen(viewer: Viewer, input: ContributeInput): Promise<ScreenedContribution> {
    const kind = validKind(input.kind);
    validContent(input.content, deps.maxContentBytes);
    const rawTitle = validText(input.title, 'title', FIELD_LIMITS.title);
    const codebase = validText(input.codebase, 'codebase', FIELD_LIMITS.codebase);
    const rawTags = validTags(input.tags);
    const rawMetadata = JSON.parse(validMetadata(input.metadata)) as unknown;
    const visibility = input.visibility ?? null;
    const sessionId = validText(input.sessionId, 'sessionId', 200);
    const mcpClientId = validText(input.mcpClientId, 'mcpClientId', 200);
    const groupIds = [...new Set(input.sharedWithGroupIds ?? [])];
    if (groupIds.length > 0 && visibility === null) throw new BadUserInputError('sharedWithGroupIds needs visibility: GROUP in the same request.', 'sharedWithGroupIds');
    if (groupIds.length > 0 && visibility !== 'GROUP') throw new BadUserInputError('sharedWithGroupIds only applies to GROUP visibility.', 'sharedWithGroupIds');
    if (visibility === 'GROUP' && groupIds.length === 0) throw new BadUserInputError('GROUP visibility needs at least one group in sharedWithGroupIds.', 'sharedWithGroupIds');

    // 1. Screen the original text (in memory only), then scrub everything that is stored.
    const injection = await deps.screener.screen([rawTitle, input.content].filter((t) => t).join('\n'));
    const counts = new Map<PiiType, number>();
    const scrub = (text: string): string => {
      const result = scrubPii(text);
      for (const r of result.redactions) counts.set(r.type, (counts.get(r.type) ?? 0) + r.count);
      return result.text;
    };
    const content = scrub(input.content);
    const title = rawTitle === null ? null : scrub(rawTitle);
    const tags = validTags(rawTags.map(scrub));
    const metadataJson = JSON.stringify(scrubJson(rawMetadata, scrub));
    const redactions: Redaction[] = PII_TYPES.filter((type) => counts.has(type)).map((type) => ({ type, count: counts.get(type)! }));
    const digest = contentDigest(content);

    // 3. Duplicates among what the contributor can see (never reveal what they cannot).
    const same = await listArtifacts(sql, viewer, { contentDigest: digest }, { first: 1 });
    const duplicateOf = same.items[0]?.id ?? null;
    const near = duplicateOf
      ? []
      : await deps.search.nearDuplicates(viewer, { title, content }, { threshold: policy.nearDuplicateThreshold, first: 5 });
    const quarantined = injection.score >= policy.injectionThreshold;
    const flags = [
      ...(quarantined ? [QUARANTINED_FLAG] : []),
      ...injection.signals.map((s) => `injection:${s}`),
      ...(duplicateOf ? [DUPLICATE_FLAG] : []),
      ...(near.length > 0 ? [NEAR_DUPLICATE_FLAG] : []),
    ];
    return { kind, title, content, digest, metadataJson, tags, codebase, visibility, groupIds, sessionId, mcpClientId, redactions, injection, quarantined, flags, duplicateOf, near };
  }

  /** Whether an approval would need a vector for `c` (not quarantined, not linked to a copy). */
  const needsEmbedding = (c: ScreenedContribution) => !c.quarantined && !c.duplicateOf;

  /** Stores one screened contribution and its event in `tx`, approving it when a rule says so. */
  async function writeContribution(
    tx: Queryable,
    viewer: Viewer,
    c: ScreenedContribution,
    embedding: StoredEmbedding | null,
    resolve: (request: ChainRequest) => Promise<ResolvedVisibility>,
  ): Promise<ContributionRecord> {
    const { kind, title, content, digest, metadataJson, tags, codebase, sessionId, mcpClientId, redactions, injection, quarantined, flags, duplicateOf, near } = c;
    // The chain runs here, in the submitting request (its session, its key); approval applies it.
    const decided = await resolve({
      orgId: viewer.orgId,
      ownerId: viewer.userId,
      visibility: c.visibility,
      groupIds: c.groupIds,
      sessionId,
      facts: { codebase, tags, kind, apiKeyId: viewer.keyId },
    });
    const { visibility, groupIds } = decided;
    if ((await existingGroupIds(tx, viewer.orgId, groupIds)).size !== groupIds.length) throw new NotFoundError('Group');
    const autoApprove = !quarantined && (await isAutoApproved(tx, viewer.orgId, kind));
    const contribution = await insertContribution(tx, {
      orgId: viewer.orgId,
      contributorId: viewer.userId,
      status: quarantined ? 'QUARANTINED' : 'PENDING',
      kind,
      title,
      content,
      contentDigest: digest,
      metadataJson,
      tags,
      codebase,
      visibility,
      sharedWithGroupIds: groupIds,
      visibilitySource: decided.source,
      sharingRuleId: decided.ruleId,
      sessionId,
      mcpClientId,
      redactions,
      injectionScore: Math.round(injection.score * 1e4) / 1e4,
      flags,
      artifactId: duplicateOf,
      nearDuplicates: near.map((n) => ({ artifactId: n.artifact.id, similarity: Math.round(n.similarity * 1e4) / 1e4 })),
    });
    await appendEvent(tx, { orgId: viewer.orgId, type: 'CONTRIBUTION_SUBMITTED', actorId: viewer.userId, contributionId: contribution.id });
    if (!autoApprove) return contribution;
    return approveIn(tx, contribution, null, 'auto-approved by rule', embedding, viewer.userId);
  }

  return {
    async contribute(viewer, input) {
      if (viewer.role === 'READER') throw new ForbiddenError('READERs cannot contribute.');
      const screened = await screen(viewer, input);
      const embedding = needsEmbedding(screened) ? await deps.embed(screened.title, screened.content) : null;
      return sql.transaction((tx) => writeContribution(tx, viewer, screened, embedding, createVisibilityResolver(tx, deps.overrides)));
    },

    async contributeMany(viewer, inputs) {
      if (viewer.role === 'READER') throw new ForbiddenError('READERs cannot contribute.');
      checkBatchSize(inputs.length);
      const screened: ScreenedContribution[] = [];
      for (const [index, input] of inputs.entries()) screened.push(await forItem(index, () => screen(viewer, input)));
      const wanted = screened.filter(needsEmbedding);
      const vectors = wanted.length > 0 ? await deps.embedMany(wanted.map((c) => ({ title: c.title, content: c.content }))) : [];
      const embeddings = new Map(wanted.map((c, i) => [c, vectors[i] ?? null]));
      return sql.transaction(async (tx) => {
        const resolve = createVisibilityResolver(tx, deps.overrides);
        const written: ContributionRecord[] = [];
        for (const [index, c] of screened.entries()) {
          written.push(await forItem(index, () => writeContribution(tx, viewer, c, embeddings.get(c) ?? null, resolve)));
        }
        return written;
      });
    },

    async approve(viewer, id, note) {
      assertReviewer(viewer);
      const reviewNote = validText(note, 'note', 2000);
      const [visible] = await getContributionsByIds(sql, viewer, [id]);
      if (!visible) throw notFound();
      const embedding = visible.artifactId ? null : await deps.embed(visible.title, visible.content);
      return sql.transaction(async (tx) => {
        const current = await lockContribution(tx, viewer.orgId, id);
        if (!current) throw notFound();
        if (current.status === 'APPROVED' || current.status === 'REJECTED') {
          throw new ConflictError(`This contribution was already ${current.status.toLowerCase()}.`);
        }
        return approveIn(tx, current, viewer.userId, reviewNote, embedding, viewer.userId);
      });
    },

    async reject(viewer, id, reason) {
      assertReviewer(viewer);
      const note = validText(reason, 'reason', 2000);
      if (note === null) throw new BadUserInputError('A rejection needs a reason.', 'reason');
      return sql.transaction(async (tx) => {
        const current = await lockContribution(tx, viewer.orgId, id);
        if (!current) throw notFound();
        if (current.status === 'APPROVED' || current.status === 'REJECTED') {
          throw new ConflictError(`This contribution was already ${current.status.toLowerCase()}.`);
        }
        const rejected = await setContributionReview(tx, id, { status: 'REJECTED', reviewerId: viewer.userId, note, artifactId: null });
        await appendEvent(tx, { orgId: viewer.orgId, type: 'CONTRIBUTION_REJECTED', actorId: viewer.userId, contributionId: id });
        return rejected;
      });
    },

    async setAutoApproveRule(viewer, kind, enabled) {
      assertAdmin(viewer, 'set auto-approve rules');
      return upsertAutoApproveRule(sql, viewer.orgId, validKind(kind), enabled, viewer.userId);
    },

    autoApproveRules: (viewer) => listAutoApproveRules(sql, viewer.orgId),
    getByIds: (viewer, ids) => getContributionsByIds(sql, viewer, ids),
    list: (viewer, filter, page) => listContributions(sql, viewer, filter, page),
  };
}

/** Applies `scrub` to every string (keys included) of a JSON value. */
function scrubJson(value: unknown, scrub: (text: string) => string): unknown {
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map((v) => scrubJson(v, scrub));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [scrub(k), scrubJson(v, scrub)]));
  }
  return value;
}
