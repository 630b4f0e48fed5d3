/**
 * Context packages: named, versioned bundles of references — to artifacts, relationships,
 * runs, and external memory records (an opaque URI with its provenance). A version never
 * changes: adding references writes the next version with the earlier items first. Packages
 * are readable by their org; a reference to an artifact or relationship the reader cannot see
 * is left out when read, like every other read. No memory lifecycle lives here.
 */
import { BadUserInputError, ConflictError, NotFoundError } from '../shared/errors.ts';
import type { ContextPackageItemRecord, ContextPackageRecord, Page } from '../store/records.ts';
import { getArtifactsByIds } from '../store/repositories/artifacts.repo.ts';
import {
  getContextItems,
  getContextPackageByName,
  getContextPackagesByIds,
  insertContextItems,
  insertContextPackage,
  listContextPackages,
  lockLatestContextPackage,
  type NewContextItem,
} from '../store/repositories/context-packages.repo.ts';
import { getVisibleRelationshipsByIds } from '../store/repositories/relationships.repo.ts';
import { getRunsByIds } from '../store/repositories/runs.repo.ts';
import type { Queryable, SqlClient } from '../store/types.ts';
import { assertCanWriteArtifacts } from './access.ts';
import { validText } from './validate.ts';
import type { Viewer } from './viewer.ts';

/** One reference to add; exactly one of artifactId, relationshipId, runId, memory. */
export interface ContextItemInput {
  artifactId?: string | null;
  relationshipId?: string | null;
  runId?: string | null;
  memory?: { uri: string; source?: string | null; recordedBy?: string | null; recordedAt?: Date | null } | null;
  note?: string | null;
}

/** Most references in one package version. */
export const MAX_CONTEXT_ITEMS = 1000;

/** Context package operations. */
export interface ContextPackagesService {
  /** @throws CONFLICT when a package of that name exists (add to it instead) */
  create(viewer: Viewer, input: { name: string; description?: string | null; items?: readonly ContextItemInput[] | null }): Promise<ContextPackageRecord>;
  /** Writes the next version of package `name`: its items, then `items`. */
  add(viewer: Viewer, name: string, items: readonly ContextItemInput[]): Promise<ContextPackageRecord>;
  getByIds(viewer: Viewer, ids: readonly string[]): Promise<(ContextPackageRecord | undefined)[]>;
  /** A version by name (the latest when `version` is omitted). */
  getByName(viewer: Viewer, name: string, version?: number | null): Promise<ContextPackageRecord | undefined>;
  list(viewer: Viewer, filter: { name?: string | null }, page: { first: number; afterSeq?: number | undefined }): Promise<Page<ContextPackageRecord>>;
  /** Raw items per version, in order (resolve artifacts and relationships with visibility). */
  items(packageIds: readonly string[]): Promise<ContextPackageItemRecord[][]>;
}

/** Creates the context packages service. */
export function createContextPackagesService(deps: { sql: SqlClient }): ContextPackagesService {
  const { sql } = deps;

  /** Validates items and checks that every reference is visible to the viewer (NOT_FOUND otherwise). */
  async function checkedItems(tx: Queryable, viewer: Viewer, items: readonly ContextItemInput[]): Promise<NewContextItem[]> {
    const out: NewContextItem[] = [];
    for (const [i, item] of items.entries()) {
      const field = `items[${i}]`;
      const set = [item.artifactId, item.relationshipId, item.runId, item.memory].filter((v) => v != null).length;
      if (set !== 1) throw new BadUserInputError(`${field} must name exactly one of artifactId, relationshipId, runId, memory.`, field);
      const note = validText(item.note, `${field}.note`, 2000);
      if (item.artifactId) out.push({ kind: 'ARTIFACT', artifactId: item.artifactId, note });
      else if (item.relationshipId) out.push({ kind: 'RELATIONSHIP', relationshipId: item.relationshipId, note });
      else if (item.runId) out.push({ kind: 'RUN', runId: item.runId, note });
      else {
        const memory = item.memory!;
        const uri = validText(memory.uri, `${field}.memory.uri`, 2000);
        if (uri === null || !/^[a-z][a-z0-9+.-]*:\S+$/i.test(uri)) {
          throw new BadUserInputError(`${field}.memory.uri must be a URI (scheme:…), e.g. mem0://user/42/memory/7.`, `${field}.memory.uri`);
        }
        out.push({
          kind: 'MEMORY',
          memoryUri: uri,
          memorySource: validText(memory.source, `${field}.memory.source`, 200),
          memoryRecordedBy: validText(memory.recordedBy, `${field}.memory.recordedBy`, 200),
          memoryRecordedAt: memory.recordedAt ?? new Date(),
          note,
        });
      }
    }
    const artifactIds = out.flatMap((i) => (i.artifactId ? [i.artifactId] : []));
    const artifacts = await getArtifactsByIds(tx, viewer, artifactIds);
    if (artifacts.some((a) => !a)) throw new NotFoundError('Artifact');
    // A PUBLIC artifact of another org is visible but cannot be referenced: a package and its
    // references live in one org (as a relationship's ends do).
    const foreign = artifacts.find((a) => a!.orgId !== viewer.orgId);
    if (foreign) {
      const field = `items[${out.findIndex((i) => i.artifactId === foreign.id)}].artifactId`;
      throw new BadUserInputError(`${field} is an artifact of another org: a context package references artifacts of its own org only.`, field);
    }
    const relationshipIds = out.flatMap((i) => (i.relationshipId ? [i.relationshipId] : []));
    if ((await getVisibleRelationshipsByIds(tx, viewer, relationshipIds)).some((r) => !r)) throw new NotFoundError('Relationship');
    const runIds = out.flatMap((i) => (i.runId ? [i.runId] : []));
    if ((await getRunsByIds(tx, viewer.orgId, runIds)).some((r) => !r)) throw new NotFoundError('Run');
    return out;
  }

  function checkCount(n: number): void {
    if (n > MAX_CONTEXT_ITEMS) throw new BadUserInputError(`A context package holds at most ${MAX_CONTEXT_ITEMS} references.`, 'items');
  }

  return {
    async create(viewer, input) {
      assertCanWriteArtifacts(viewer);
      const name = validText(input.name, 'name', 200);
      if (name === null) throw new BadUserInputError('A context package needs a name.', 'name');
      const description = validText(input.description, 'description', 2000);
      const items = input.items ?? [];
      checkCount(items.length);
      return sql.transaction(async (tx) => {
        if (await lockLatestContextPackage(tx, viewer.orgId, name)) {
          throw new ConflictError(`A context package named "${name}" exists: add to it with addToContextPackage.`);
        }
        const pkg = await insertContextPackage(tx, { orgId: viewer.orgId, name, version: 1, description, createdById: viewer.userId });
        await insertContextItems(tx, viewer.orgId, pkg.id, await checkedItems(tx, viewer, items));
        return pkg;
      });
    },

    async add(viewer, rawName, items) {
      assertCanWriteArtifacts(viewer);
      const name = validText(rawName, 'name', 200) ?? '';
      if (items.length === 0) throw new BadUserInputError('Add at least one reference.', 'items');
      return sql.transaction(async (tx) => {
        const latest = await lockLatestContextPackage(tx, viewer.orgId, name);
        if (!latest) throw new NotFoundError('ContextPackage');
        const [previous] = await getContextItems(tx, [latest.id]);
        const kept: NewContextItem[] = (previous ?? []).map(({ packageId: _p, position: _pos, ...rest }) => rest);
        checkCount(kept.length + items.length);
        const added = await checkedItems(tx, viewer, items);
        const pkg = await insertContextPackage(tx, {
          orgId: viewer.orgId,
          name,
          version: latest.version + 1,
          description: latest.description,
          createdById: viewer.userId,
        });
        await insertContextItems(tx, viewer.orgId, pkg.id, [...kept, ...added]);
        return pkg;
      });
    },

    getByIds: (viewer, ids) => getContextPackagesByIds(sql, viewer.orgId, ids),

    getByName: (viewer, name, version) => getContextPackageByName(sql, viewer.orgId, name, version ?? null),

    list: (viewer, filter, page) => listContextPackages(sql, viewer.orgId, filter, page),
    items: (packageIds) => getContextItems(sql, packageIds),
  };
}
