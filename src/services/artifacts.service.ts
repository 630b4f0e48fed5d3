/**
 * Artifacts: create, read, list, update (optimistic concurrency), soft delete, restore and
 * share. Every write runs in one transaction with its revision row; every read applies the
 * caller's visibility inside SQL.
 */
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../shared/errors.ts';
import type { ArtifactRecord, ArtifactRevisionRecord, Page, Visibility } from '../store/records.ts';
import {
  getArtifactsByIds,
  getRevisions,
  getShareGroupIds,
  insertRevision,
  listArtifacts,
  lockVisibleArtifact,
  setArtifactDeleted,
  setArtifactSharing,
  updateArtifactContent,
  type ArtifactFilterValues,
  type StoredEmbedding,
} from '../store/repositories/artifacts.repo.ts';
import { getCollectionsByIds } from '../store/repositories/collections.repo.ts';
import { existingGroupIds } from '../store/repositories/groups.repo.ts';
import { appendEvent } from '../store/repositories/events.repo.ts';
import { addRunArtifacts, lockRun } from '../store/repositories/runs.repo.ts';
import { enqueueGraphChange } from '../store/repositories/relationships.repo.ts';
import type { Queryable, SqlClient } from '../store/types.ts';
import { assertCanModifyArtifact, assertCanWriteArtifacts } from './access.ts';
import { contentDigest, FIELD_LIMITS, validContent, validKind, validMetadata, validTags, validText } from './validate.ts';
import { insertArtifactWithHistory } from './artifact-writes.ts';
import { checkBatchSize, forItem, forItemSync, MAX_BATCH_ITEMS } from '../shared/batch.ts';
import type { Viewer } from './viewer.ts';
import type { SessionOverrides } from './session-overrides.ts';
import { createVisibilityResolver, type ChainRequest, type ResolvedVisibility } from './visibility-chain.ts';
import { getScreeningsByContributionIds, QUARANTINED_FLAG } from '../store/repositories/screening.repo.ts';

/** Input of {@link ArtifactsService.create}. */
export interface CreateArtifactInput {
  name?: string | null;
  kind: string;
  title?: string | null;
  content: string;
  metadata?: unknown;
  tags?: readonly string[] | null;
  codebase?: string | null;
  collectionId?: string | null;
  /** Omitted (or null): decided by the precedence chain (src/services/visibility-chain.ts). */
  visibility?: Visibility | null;
  sharedWithGroupIds?: readonly string[] | null;
  sessionId?: string | null;
  mcpClientId?: string | null;
  /** The run producing it (provenance `runId`; the run must be the caller's and not finished). */
  runId?: string | null;
  /** The caller's own embedding of title + content (must match the registered model's dimension). */
  embedding?: readonly number[] | null;
}

/** Input of {@link ArtifactsService.update}; omitted fields keep their value, null clears. */
export interface UpdateArtifactInput {
  title?: string | null;
  content?: string | null;
  metadata?: unknown;
  tags?: readonly string[] | null;
  name?: string | null;
  codebase?: string | null;
}

/** Artifact operations. */
export interface ArtifactsService {
  create(viewer: Viewer, input: CreateArtifactInput): Promise<ArtifactRecord>;
  /**
   * Creates 1–{@link MAX_BATCH_ITEMS} artifacts in one transaction, all or none, embedding those
   * without their own vector in one model call.
   * @throws the first failing item's error, with `extensions.index`
   */
  createMany(viewer: Viewer, inputs: readonly CreateArtifactInput[]): Promise<ArtifactRecord[]>;
  /** @throws CONFLICT when `expectedRevision` is stale (nothing changes) */
  update(viewer: Viewer, id: string, input: UpdateArtifactInput, expectedRevision?: number | null): Promise<ArtifactRecord>;
  delete(viewer: Viewer, id: string): Promise<ArtifactRecord>;
  restore(viewer: Viewer, id: string): Promise<ArtifactRecord>;
  share(viewer: Viewer, id: string, visibility: Visibility, groupIds?: readonly string[] | null): Promise<ArtifactRecord>;
  /** Visible artifacts by id, in key order. One statement. */
  getByIds(viewer: Viewer, ids: readonly string[], includeDeleted?: boolean): Promise<(ArtifactRecord | undefined)[]>;
  list(viewer: Viewer, filter: ArtifactFilterValues, page: { first: number; afterSeq?: number | undefined }): Promise<Page<ArtifactRecord>>;
  /** Group ids each (already visible) artifact is shared with. One statement. */
  sharedGroupIds(artifactIds: readonly string[]): Promise<string[][]>;
  /** Revisions of (already visible) artifacts, newest first. One statement. */
  revisions(artifactIds: readonly string[], page: { first: number; beforeRevision?: number | undefined }): Promise<ArtifactRevisionRecord[][]>;
  /**
   * The screening that (already visible) artifacts carry from the contributions they were
   * approved from, by contribution id, in key order; `flagged` when it was QUARANTINED. One statement.
   */
  screenings(contributionIds: readonly string[]): Promise<(ArtifactScreening | undefined)[]>;
}

/** How the contribution an artifact came from screened (`Artifact.screening`). */
export interface ArtifactScreening {
  injectionScore: number;
  flags: string[];
  /** The contribution was QUARANTINED (and then approved). */
  flagged: boolean;
}

/** Creates the artifacts service. */
export function createArtifactsService(deps: {
  sql: SqlClient;
  maxContentBytes: number;
  /** Called after a commit that changed what the graph projection holds of an artifact. */
  onGraphChange: () => void;
  /**
   * Embeds an artifact's title + content with the registered model. Called before the write's
   * transaction, so the row is searchable by both legs as soon as the mutation returns.
   */
  embed: (title: string | null, content: string) => Promise<StoredEmbedding | null>;
  /** Embeds many title + content pairs in one model call (null each without a registered model). */
  embedMany: (items: readonly { title: string | null; content: string }[]) => Promise<(StoredEmbedding | null)[]>;
  /**
   * Accepts a caller's own vector for the registered model.
   * @throws BAD_USER_INPUT when its length is not the model's dimension, or no model is registered
   */
  ownEmbedding: (vector: readonly number[]) => StoredEmbedding;
  /** This instance's session overrides (step 2 of the visibility chain). */
  overrides: SessionOverrides;
}): ArtifactsService {
  const { sql } = deps;

  const notFound = () => new NotFoundError('Artifact');

  async function checkGroups(tx: Queryable, viewer: Viewer, visibility: Visibility, groupIds: readonly string[]): Promise<string[]> {
    const unique = [...new Set(groupIds)];
    if (unique.length > 0 && visibility !== 'GROUP') {
      throw new BadUserInputError('sharedWithGroupIds only applies to GROUP visibility.', 'sharedWithGroupIds');
    }
    if (visibility === 'GROUP' && unique.length === 0) {
      throw new BadUserInputError('GROUP visibility needs at least one group in sharedWithGroupIds.', 'sharedWithGroupIds');
    }
    const existing = await existingGroupIds(tx, viewer.orgId, unique);
    if (existing.size !== unique.length) throw new NotFoundError('Group');
    return unique;
  }

  /** Maps a name clash to a CONFLICT that says which name. */
  function nameConflict(error: unknown, name: string | null): unknown {
    if (error instanceof ConflictError && error.extensions['constraint'] === 'artifacts_name_in_collection_key') {
      return new ConflictError(`An artifact named "${name}" already exists in this collection (or, outside collections, in this org).`, {
        constraint: 'artifacts_name_in_collection_key',
      });
    }
    return error;
  }

  /** A create request, validated: what {@link writeCreate} writes. */
  interface PreparedCreate {
    input: CreateArtifactInput;
    kind: string;
    content: string;
    sizeBytes: number;
    name: string | null;
    title: string | null;
    codebase: string | null;
    tags: string[];
    metadataJson: string;
    /** The request's visibility; null: the chain decides. */
    visibility: Visibility | null;
    sessionId: string | null;
    mcpClientId: string | null;
    /** The caller's own vector (`input.embedding`), checked against the registered model. */
    ownEmbedding: StoredEmbedding | null;
  }

  /** Validates a create request (no I/O). @throws BAD_USER_INPUT naming the field */
  function prepareCreate(input: CreateArtifactInput): PreparedCreate {
    const { content, sizeBytes } = validContent(input.content, deps.maxContentBytes);
    return {
      input,
      kind: validKind(input.kind),
      content,
      sizeBytes,
      name: validText(input.name, 'name', FIELD_LIMITS.name),
      title: validText(input.title, 'title', FIELD_LIMITS.title),
      codebase: validText(input.codebase, 'codebase', FIELD_LIMITS.codebase),
      tags: validTags(input.tags),
      metadataJson: validMetadata(input.metadata),
      visibility: input.visibility ?? null,
      sessionId: validText(input.sessionId, 'sessionId', 200),
      mcpClientId: validText(input.mcpClientId, 'mcpClientId', 200),
      ownEmbedding: input.embedding === undefined || input.embedding === null ? null : deps.ownEmbedding(input.embedding),
    };
  }

  /** The vectors of `items`: their own where given, the rest from one embedder call. */
  async function embedItems(items: readonly PreparedCreate[]): Promise<(StoredEmbedding | null)[]> {
    const missing = items.filter((item) => !item.ownEmbedding);
    const computed = missing.length === 0 ? [] : await deps.embedMany(missing.map((item) => ({ title: item.title, content: item.content })));
    let next = 0;
    return items.map((item) => item.ownEmbedding ?? computed[next++] ?? null);
  }

  /** Decides a visibility by the chain, in `tx`. */
  type Resolve = (request: ChainRequest) => Promise<ResolvedVisibility>;

  /** {@link writeCreate}, with a name clash reported as the CONFLICT that names the name. */
  async function writeNamed(tx: Queryable, viewer: Viewer, item: PreparedCreate, embedding: StoredEmbedding | null, resolve: Resolve): Promise<ArtifactRecord> {
    try {
      return await writeCreate(tx, viewer, item, embedding, resolve);
    } catch (error) {
      throw nameConflict(error, item.name);
    }
  }

  /** Writes one prepared artifact, its revision, shares, run output link and event, in `tx`. */
  async function writeCreate(tx: Queryable, viewer: Viewer, item: PreparedCreate, embedding: StoredEmbedding | null, resolve: Resolve): Promise<ArtifactRecord> {
    const { input } = item;
    const decided = await resolve({
      orgId: viewer.orgId,
      ownerId: viewer.userId,
      visibility: item.visibility,
      groupIds: input.sharedWithGroupIds ?? [],
      sessionId: item.sessionId,
      facts: { codebase: item.codebase, tags: item.tags, kind: item.kind, apiKeyId: viewer.keyId },
    });
    const groupIds = await checkGroups(tx, viewer, decided.visibility, decided.groupIds);
    if (input.collectionId) {
      const [collection] = await getCollectionsByIds(tx, viewer.orgId, [input.collectionId]);
      if (!collection) throw new NotFoundError('Collection');
    }
    if (input.runId) {
      const run = await lockRun(tx, viewer.orgId, input.runId);
      if (!run) throw new NotFoundError('Run');
      if (run.createdById !== viewer.userId && viewer.role !== 'ADMIN') throw new ForbiddenError('Only the run’s creator or an ADMIN may add its outputs.');
      if (run.status !== 'PENDING' && run.status !== 'RUNNING') throw new BadUserInputError(`The run is ${run.status}: it produces no more artifacts.`, 'runId');
    }
    const artifact = await insertArtifactWithHistory(tx, {
      orgId: viewer.orgId,
      ownerId: viewer.userId,
      collectionId: input.collectionId ?? null,
      name: item.name,
      kind: item.kind,
      title: item.title,
      content: item.content,
      contentDigest: contentDigest(item.content),
      sizeBytes: item.sizeBytes,
      metadataJson: item.metadataJson,
      tags: item.tags,
      codebase: item.codebase,
      visibility: decided.visibility,
      visibilitySource: decided.source,
      sharingRuleId: decided.ruleId,
      sourceAgentId: null,
      mcpClientId: item.mcpClientId,
      sessionId: item.sessionId,
      contributionId: null,
      runId: input.runId ?? null,
      embedding,
    }, groupIds, viewer.userId);
    if (input.runId) await addRunArtifacts(tx, viewer.orgId, input.runId, 'OUTPUT', [artifact.id]);
    await appendEvent(tx, { orgId: viewer.orgId, type: 'ARTIFACT_CREATED', actorId: viewer.userId, artifactId: artifact.id });
    return artifact;
  }

  return {
    async create(viewer, input) {
      assertCanWriteArtifacts(viewer);
      const item = prepareCreate(input);
      const [embedding] = await embedItems([item]);
      try {
        return await sql.transaction((tx) => writeNamed(tx, viewer, item, embedding ?? null, createVisibilityResolver(tx, deps.overrides)));
      } finally {
        deps.onGraphChange();
      }
    },

    async createMany(viewer, inputs) {
      assertCanWriteArtifacts(viewer);
      checkBatchSize(inputs.length);
      const items = inputs.map((input, index) => forItemSync(index, () => prepareCreate(input)));
      const embeddings = await embedItems(items);
      try {
        return await sql.transaction(async (tx) => {
          const resolve = createVisibilityResolver(tx, deps.overrides);
          const created: ArtifactRecord[] = [];
          for (const [index, item] of items.entries()) {
            created.push(await forItem(index, () => writeNamed(tx, viewer, item, embeddings[index] ?? null, resolve)));
          }
          return created;
        });
      } finally {
        deps.onGraphChange();
      }
    },

    async update(viewer, id, input, expectedRevision) {
      const has = (key: keyof UpdateArtifactInput) => Object.prototype.hasOwnProperty.call(input, key) && input[key] !== undefined;
      const fields: (keyof UpdateArtifactInput)[] = ['title', 'content', 'metadata', 'tags', 'name', 'codebase'];
      if (!fields.some(has)) {
        // An empty update would add a revision that changes nothing.
        throw new BadUserInputError(`input must set at least one of ${fields.join(', ')}.`, 'input');
      }
      if (has('content') && input.content === null) throw new BadUserInputError('content cannot be null.', 'content');
      const next = has('content') ? validContent(input.content!, deps.maxContentBytes) : undefined;
      const name = has('name') || input.name === null ? validText(input.name, 'name', FIELD_LIMITS.name) : undefined;
      const title = has('title') || input.title === null ? validText(input.title, 'title', FIELD_LIMITS.title) : undefined;
      const codebase = has('codebase') || input.codebase === null ? validText(input.codebase, 'codebase', FIELD_LIMITS.codebase) : undefined;
      const tags = has('tags') || input.tags === null ? validTags(input.tags) : undefined;
      const metadataJson = has('metadata') || input.metadata === null ? validMetadata(input.metadata) : undefined;
      if (expectedRevision !== undefined && expectedRevision !== null && (!Number.isInteger(expectedRevision) || expectedRevision < 1)) {
        throw new BadUserInputError('expectedRevision must be a positive integer.', 'expectedRevision');
      }
      // The vector is computed outside the transaction (no row lock held while a model runs):
      // from the stored title/content when only one of them is given, re-checked under the lock.
      let embedding: { title: string | null; content: string; value: StoredEmbedding | null } | undefined;
      if (next !== undefined || title !== undefined) {
        const [stored] = next !== undefined && title !== undefined ? [undefined] : await getArtifactsByIds(sql, viewer, [id]);
        const embedTitle = title !== undefined ? title : (stored?.title ?? null);
        const embedContent = next?.content ?? stored?.content;
        if (embedContent !== undefined) embedding = { title: embedTitle, content: embedContent, value: await deps.embed(embedTitle, embedContent) };
      }
      try {
        return await sql.transaction(async (tx) => {
          // Role checks come after the lookup: an invisible artifact is NOT_FOUND for every role.
          const current = await lockVisibleArtifact(tx, viewer, id, false);
          if (!current) throw notFound();
          assertCanModifyArtifact(viewer, current);
          if (expectedRevision != null && current.revision !== expectedRevision) {
            throw new ConflictError(
              `The artifact is at revision ${current.revision}, not ${expectedRevision}: reload it and apply your change again.`,
            );
          }
          const content = next?.content ?? current.content;
          const newTitle = title === undefined ? current.title : title;
          const newMetadataJson = metadataJson ?? current.metadataText;
          let vector: StoredEmbedding | null | undefined;
          if (newTitle !== current.title || content !== current.content) {
            // A concurrent edit changed the other field since the vector was made: embed again.
            vector =
              embedding && embedding.title === newTitle && embedding.content === content
                ? embedding.value
                : await deps.embed(newTitle, content);
          }
          const updated = await updateArtifactContent(tx, id, {
            name: name === undefined ? current.name : name,
            title: newTitle,
            content,
            contentDigest: contentDigest(content),
            sizeBytes: next?.sizeBytes ?? current.sizeBytes,
            metadataJson: newMetadataJson,
            tags: tags ?? current.tags,
            codebase: codebase === undefined ? current.codebase : codebase,
            embedding: vector,
          });
          await insertRevision(tx, {
            orgId: current.orgId,
            artifact: updated,
            change: 'UPDATED',
            previousDigest: current.contentDigest,
            changedBy: viewer.userId,
            metadataJson: newMetadataJson,
          });
          await appendEvent(tx, { orgId: current.orgId, type: 'ARTIFACT_UPDATED', actorId: viewer.userId, artifactId: id });
          return updated;
        });
      } catch (error) {
        throw nameConflict(error, name ?? null);
      }
    },

    async delete(viewer, id) {
      return changeDeletion(viewer, id, true);
    },

    async restore(viewer, id) {
      return changeDeletion(viewer, id, false);
    },

    async share(viewer, id, visibility, groupIds) {
      return sql.transaction(async (tx) => {
        const current = await lockVisibleArtifact(tx, viewer, id, false);
        if (!current) throw notFound();
        assertCanModifyArtifact(viewer, current);
        const groups = await checkGroups(tx, viewer, visibility, groupIds ?? []);
        const shared = await setArtifactSharing(tx, current.orgId, id, visibility, groups);
        await enqueueGraphChange(tx, current.orgId, 'artifact', id);
        await appendEvent(tx, { orgId: current.orgId, type: 'ARTIFACT_UPDATED', actorId: viewer.userId, artifactId: id });
        return shared;
      }).finally(deps.onGraphChange);
    },

    getByIds: (viewer, ids, includeDeleted = false) => getArtifactsByIds(sql, viewer, ids, includeDeleted),
    list: (viewer, filter, page) => listArtifacts(sql, viewer, filter, page),
    sharedGroupIds: (artifactIds) => getShareGroupIds(sql, artifactIds),
    screenings: async (contributionIds) =>
      (await getScreeningsByContributionIds(sql, contributionIds)).map((row) =>
        row ? { injectionScore: row.injectionScore, flags: row.flags, flagged: row.flags.includes(QUARANTINED_FLAG) } : undefined,
      ),
    revisions: (artifactIds, page) => getRevisions(sql, artifactIds, page),
  };

  async function changeDeletion(viewer: Viewer, id: string, deleted: boolean): Promise<ArtifactRecord> {
    // Role checks come after the lookup: an invisible artifact is NOT_FOUND for every role.
    return sql.transaction(async (tx) => {
      const current = await lockVisibleArtifact(tx, viewer, id, !deleted);
      if (!current) throw notFound();
      assertCanModifyArtifact(viewer, current);
      const changed = await setArtifactDeleted(tx, id, deleted);
      await insertRevision(tx, {
        orgId: current.orgId,
        artifact: changed,
        change: deleted ? 'DELETED' : 'RESTORED',
        previousDigest: current.contentDigest,
        changedBy: viewer.userId,
        metadataJson: current.metadataText,
      });
      await enqueueGraphChange(tx, current.orgId, 'artifact', id);
      // A restore is an update of the artifact's state (EventType has no RESTORED).
      await appendEvent(tx, { orgId: current.orgId, type: deleted ? 'ARTIFACT_DELETED' : 'ARTIFACT_UPDATED', actorId: viewer.userId, artifactId: id });
      return changed;
    }).finally(deps.onGraphChange);
  }
}
