/**
 * Workflow runs: which artifacts went in, the steps as they happen, the manifest and
 * diagnostics, and which artifacts came out. Status moves PENDING → RUNNING → SUCCEEDED |
 * FAILED | CANCELLED (steps likewise); any other transition is BAD_USER_INPUT. Outputs get
 * provenance `runId` (`Artifact.producedBy`) and a DERIVED_FROM relationship to every input,
 * so the graph can be walked from results to sources. Every change emits RUN_UPDATED.
 */
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../shared/errors.ts';
import type { Page, RunRecord, RunStatus, RunStepRecord } from '../store/records.ts';
import { getArtifactsByIds, lockVisibleArtifact } from '../store/repositories/artifacts.repo.ts';
import { appendEvent } from '../store/repositories/events.repo.ts';
import { enqueueGraphChange, insertRelationshipIfAbsent } from '../store/repositories/relationships.repo.ts';
import {
  addRunArtifacts,
  getRunArtifactIds,
  getRunsByIds,
  getRunSteps,
  insertRun,
  insertRunStep,
  listRuns,
  lockRun,
  lockRunStep,
  setArtifactsRun,
  setRunStatus,
  setRunStep,
  touchRun,
} from '../store/repositories/runs.repo.ts';
import type { Queryable, SqlClient } from '../store/types.ts';
import { assertCanModifyArtifact, assertCanWriteArtifacts } from './access.ts';
import { checkJsonDepth, validText } from './validate.ts';
import type { Viewer } from './viewer.ts';

/** The relationship type from each output to each input of a run. */
export const DERIVED_FROM = 'DERIVED_FROM';

const NEXT: Record<RunStatus, readonly RunStatus[]> = {
  PENDING: ['RUNNING'],
  RUNNING: ['SUCCEEDED', 'FAILED', 'CANCELLED'],
  SUCCEEDED: [],
  FAILED: [],
  CANCELLED: [],
};

/** Throws BAD_USER_INPUT unless `from → to` is a legal transition. */
export function checkTransition(what: string, from: RunStatus, to: RunStatus): void {
  if (!NEXT[from].includes(to)) {
    const allowed = NEXT[from].length > 0 ? `only to ${NEXT[from].join(', ')}` : 'nowhere: it is finished';
    throw new BadUserInputError(`A ${what} cannot go from ${from} to ${to} (from ${from} it can go ${allowed}).`, 'status');
  }
}

/** Run operations. */
export interface RunsService {
  start(viewer: Viewer, input: { name: string; inputIds?: readonly string[] | null; manifest?: unknown; status?: RunStatus | null }): Promise<RunRecord>;
  setStatus(viewer: Viewer, id: string, status: RunStatus): Promise<RunRecord>;
  complete(viewer: Viewer, id: string, input: { status: RunStatus; outputIds?: readonly string[] | null; diagnostics?: unknown }): Promise<RunRecord>;
  addStep(viewer: Viewer, runId: string, input: { name: string; status?: RunStatus | null; detail?: unknown }): Promise<RunStepRecord>;
  updateStep(viewer: Viewer, runId: string, position: number, input: { status: RunStatus; detail?: unknown }): Promise<RunStepRecord>;
  getByIds(viewer: Viewer, ids: readonly string[]): Promise<(RunRecord | undefined)[]>;
  list(viewer: Viewer, filter: { status?: RunStatus | null }, page: { first: number; afterSeq?: number | undefined }): Promise<Page<RunRecord>>;
  /** Input or output artifact ids per run, in order (resolve them with visibility). */
  artifactIds(runIds: readonly string[], role: 'INPUT' | 'OUTPUT'): Promise<string[][]>;
  steps(runIds: readonly string[]): Promise<RunStepRecord[][]>;
}

/** Creates the runs service. */
export function createRunsService(deps: { sql: SqlClient; onGraphChange: () => void }): RunsService {
  const { sql } = deps;
  const notFound = () => new NotFoundError('Run');

  const json = (value: unknown, field: string): string | null => (value === undefined || value === null ? null : validJson(value, field));

  /** Locks a run the viewer may change: its creator or an ADMIN of its org, with a writing role. */
  async function lockOwnRun(tx: Queryable, viewer: Viewer, id: string): Promise<RunRecord> {
    assertCanWriteArtifacts(viewer);
    const run = await lockRun(tx, viewer.orgId, id);
    if (!run) throw notFound();
    if (run.createdById !== viewer.userId && viewer.role !== 'ADMIN') throw new ForbiddenError('Only the run’s creator or an ADMIN may change it.');
    return run;
  }

  async function checkVisible(tx: Queryable, viewer: Viewer, ids: readonly string[]): Promise<void> {
    const found = await getArtifactsByIds(tx, viewer, ids);
    if (found.some((a) => a === undefined)) throw new NotFoundError('Artifact');
  }

  const updated = (tx: Queryable, viewer: Viewer, runId: string) => appendEvent(tx, { orgId: viewer.orgId, type: 'RUN_UPDATED', actorId: viewer.userId, runId });

  return {
    async start(viewer, input) {
      assertCanWriteArtifacts(viewer);
      const name = validText(input.name, 'name', 200);
      if (name === null) throw new BadUserInputError('A run needs a name.', 'name');
      const status = input.status ?? 'RUNNING';
      if (status !== 'PENDING' && status !== 'RUNNING') throw new BadUserInputError('A run starts PENDING or RUNNING.', 'status');
      const manifestJson = json(input.manifest, 'manifest') ?? '{}';
      const inputIds = [...new Set(input.inputIds ?? [])];
      return sql.transaction(async (tx) => {
        await checkVisible(tx, viewer, inputIds);
        const run = await insertRun(tx, { orgId: viewer.orgId, name, status, manifestJson, createdById: viewer.userId });
        await addRunArtifacts(tx, viewer.orgId, run.id, 'INPUT', inputIds);
        await updated(tx, viewer, run.id);
        return run;
      });
    },

    async setStatus(viewer, id, status) {
      return sql.transaction(async (tx) => {
        const run = await lockOwnRun(tx, viewer, id);
        checkTransition('run', run.status, status);
        const changed = await setRunStatus(tx, id, status);
        await updated(tx, viewer, id);
        return changed;
      });
    },

    async complete(viewer, id, input) {
      if (!['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(input.status)) {
        throw new BadUserInputError('completeRun takes SUCCEEDED, FAILED or CANCELLED.', 'status');
      }
      const diagnosticsJson = input.diagnostics === undefined ? undefined : json(input.diagnostics, 'diagnostics');
      const outputIds = [...new Set(input.outputIds ?? [])];
      return sql
        .transaction(async (tx) => {
          const run = await lockOwnRun(tx, viewer, id);
          checkTransition('run', run.status, input.status);
          const fresh: string[] = [];
          for (const outputId of outputIds) {
            const artifact = await lockVisibleArtifact(tx, viewer, outputId, false);
            if (!artifact) throw new NotFoundError('Artifact');
            if (artifact.runId !== null && artifact.runId !== id) throw new ConflictError('An output artifact was already produced by another run.');
            if (artifact.runId === null) {
              assertCanModifyArtifact(viewer, artifact);
              fresh.push(outputId);
            }
          }
          await setArtifactsRun(tx, viewer.orgId, fresh, id);
          await addRunArtifacts(tx, viewer.orgId, id, 'OUTPUT', outputIds);
          const [inputs] = await getRunArtifactIds(tx, [id], 'INPUT');
          // Every output — named here or created with `runId` while running — derives from every input.
          const [outputs] = await getRunArtifactIds(tx, [id], 'OUTPUT');
          for (const from of outputs ?? []) {
            for (const to of inputs ?? []) {
              if (from === to) continue;
              const rel = await insertRelationshipIfAbsent(tx, {
                orgId: viewer.orgId,
                fromId: from,
                toId: to,
                type: DERIVED_FROM,
                propertiesJson: JSON.stringify({ runId: id }),
                createdBy: viewer.userId,
              });
              if (!rel) continue;
              await enqueueGraphChange(tx, viewer.orgId, 'relationship', rel.id);
              await appendEvent(tx, { orgId: viewer.orgId, type: 'RELATIONSHIP_CREATED', actorId: viewer.userId, relationshipId: rel.id, fromArtifactId: from, toArtifactId: to });
            }
          }
          const finished = await setRunStatus(tx, id, input.status, diagnosticsJson);
          await updated(tx, viewer, id);
          return finished;
        })
        .finally(deps.onGraphChange);
    },

    async addStep(viewer, runId, input) {
      const name = validText(input.name, 'name', 200);
      if (name === null) throw new BadUserInputError('A step needs a name.', 'name');
      const status = input.status ?? 'RUNNING';
      const detailJson = json(input.detail, 'detail');
      return sql.transaction(async (tx) => {
        const run = await lockOwnRun(tx, viewer, runId);
        if (NEXT[run.status].length === 0) throw new BadUserInputError(`The run is ${run.status}: it takes no more steps.`, 'runId');
        const step = await insertRunStep(tx, { orgId: viewer.orgId, runId, name, status, detailJson });
        await touchRun(tx, runId);
        await updated(tx, viewer, runId);
        return step;
      });
    },

    async updateStep(viewer, runId, position, input) {
      const detailJson = input.detail === undefined ? undefined : json(input.detail, 'detail');
      return sql.transaction(async (tx) => {
        await lockOwnRun(tx, viewer, runId);
        const step = await lockRunStep(tx, runId, position);
        if (!step) throw new NotFoundError('RunStep');
        if (step.status !== input.status) checkTransition('step', step.status, input.status);
        const changed = await setRunStep(tx, runId, position, input.status, detailJson);
        await touchRun(tx, runId);
        await updated(tx, viewer, runId);
        return changed;
      });
    },

    getByIds: (viewer, ids) => getRunsByIds(sql, viewer.orgId, ids),
    list: (viewer, filter, page) => listRuns(sql, viewer.orgId, filter, page),
    artifactIds: (runIds, role) => getRunArtifactIds(sql, runIds, role),
    steps: (runIds) => getRunSteps(sql, runIds),
  };
}

/** Largest manifest, diagnostics or step detail, as JSON text. */
const MAX_JSON_BYTES = 1024 * 1024;

/** Any JSON value (objects, arrays, scalars), size-checked. */
function validJson(value: unknown, field: string): string {
  checkJsonDepth(value, field);
  const text = JSON.stringify(value);
  if (text === undefined) throw new BadUserInputError(`${field} must be JSON.`, field);
  if (Buffer.byteLength(text, 'utf8') > MAX_JSON_BYTES) throw new BadUserInputError(`${field} must be at most ${MAX_JSON_BYTES} bytes as JSON.`, field);
  if (text.includes('\\u0000')) throw new BadUserInputError(`${field} must not contain NUL characters.`, field);
  return text;
}
