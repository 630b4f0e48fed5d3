/**
 * Import: reads a snapshot line by line, checks every record (shape, types, references to
 * earlier records) and writes it in batches — all in ONE transaction, so a malformed or
 * truncated file, a conflict under `--on-conflict fail`, or any failure leaves the target
 * exactly as it was. After the commit, a projected graph store (FalkorDB) is rebuilt from SQL;
 * the imported orgs' graph epochs are forgotten inside the transaction, so a server rebuilds
 * their graphs at its next verification even if this process stops before that.
 */
import { forgetGraphEpochs } from '../../store/repositories/snapshot-import.repo.ts';
import { currentSchemaVersion } from '../../store/repositories/snapshot-export.repo.ts';
import { SNAPSHOT_RECORD_TYPES } from '../../store/repositories/snapshot-tables.ts';
import type { SqlClient } from '../../store/types.ts';
import type { GraphProjector } from '../graph-projector.ts';
import { ImportBatcher, type OnConflict } from './batcher.ts';
import {
  checkEmbeddingModel,
  checkHeader,
  checkRecord,
  parseLine,
  SnapshotFormatError,
  type SnapshotEmbeddingModel,
  type SnapshotHeader,
} from './format.ts';
import { ReferenceIndex } from './references.ts';
import { finishVectors, planVectors, type VectorPlan } from './vectors.ts';

/** Progress of an import, reported after each batch, and once when each later phase begins. */
export interface ImportProgress {
  /** `records`: reading and writing records · `index`: every record is written, the HNSW index is being built · `commit`: committing. */
  phase: 'records' | 'index' | 'commit';
  /** Lines read so far. */
  line: number;
  /** Records checked so far. */
  records: number;
  /** Artifacts checked so far. */
  artifacts: number;
}

/** Options of {@link importSnapshot}. */
export interface ImportOptions {
  /** `fail` (default): any id or unique key the target already has stops the import; `skip`: keep the target's row. */
  onConflict?: OnConflict;
  onProgress?: (progress: ImportProgress) => void;
  /** The projector of a projected graph store (FalkorDB): its `resync` runs after the commit. */
  projector?: Pick<GraphProjector, 'resync'> | undefined;
  /** Progress of that resync. */
  onResyncProgress?: Parameters<GraphProjector['resync']>[0];
}

/** What an import did. */
export interface ImportOutcome {
  header: SnapshotHeader;
  /** Records in the file (header, embeddingModel and trailer not counted). */
  records: number;
  /** Rows written, by record type. */
  written: Record<string, number>;
  /** Rows left out under `--on-conflict skip`, by record type. */
  skipped: Record<string, number>;
  /** Artifacts in the file that carried a vector. */
  vectors: number;
  /** What happened to those vectors. */
  vectorPlan: VectorPlan;
  /** Nodes and edges written to the projected graph store, when there is one. */
  reprojected?: { nodes: number; edges: number };
  /**
   * Why rebuilding the projected graph store failed after the commit (the data is imported;
   * servers rebuild the graphs of the imported orgs when they next verify, e.g. at start-up).
   */
  reprojectionError?: string;
}

/**
 * Imports a snapshot into the installation behind `sql` (migrated to the current schema).
 * @throws SnapshotFormatError naming the line of the first problem; nothing is written then
 */
export async function importSnapshot(sql: SqlClient, lines: AsyncIterable<string>, options: ImportOptions = {}): Promise<ImportOutcome> {
  const iterator = lines[Symbol.asyncIterator]();
  let lineNo = 0;
  const next = async (): Promise<string | undefined> => {
    const step = await iterator.next();
    if (step.done) return undefined;
    lineNo += 1;
    return step.value;
  };
  const first = await next();
  if (first === undefined) throw new SnapshotFormatError(1, 'the file is empty (expected the snapshot header)');
  if (first.startsWith('\u001f\u008b') || first.startsWith('\u001f\ufffd')) {
    throw new SnapshotFormatError(1, 'this looks gzip-compressed: give the file name, or pipe it through gunzip');
  }
  const header = checkHeader(parseLine(1, first), (await currentSchemaVersion(sql)) ?? '0000');

  const outcome = await sql.transaction(async (tx) => {
    const refs = new ReferenceIndex();
    let plan: VectorPlan | undefined;
    let model: SnapshotEmbeddingModel | undefined;
    const batcher = new ImportBatcher(tx, refs, options.onConflict ?? 'fail', () => plan?.modelId ?? null);
    const counts: Record<string, number> = Object.fromEntries(SNAPSHOT_RECORD_TYPES.map((t) => [t, 0]));
    let records = 0;
    let vectors = 0;
    let ended = false;
    for (let text = await next(); text !== undefined; text = await next()) {
      if (ended) {
        if (text.trim() === '') continue;
        throw new SnapshotFormatError(lineNo, 'a record after the end record');
      }
      const value = parseLine(lineNo, text);
      if (value['type'] === 'end') {
        checkCounts(lineNo, value['counts'], counts);
        ended = true;
        continue;
      }
      if (value['type'] === 'embeddingModel') {
        if (plan) throw new SnapshotFormatError(lineNo, 'embeddingModel must come once, before every record');
        model = checkEmbeddingModel(lineNo, value);
        plan = await planVectors(tx, model);
        continue;
      }
      const table = checkRecord(lineNo, value, header.version);
      if (table.type === 'artifact') {
        plan ??= await planVectors(tx, undefined);
        const embedding = value['embedding'] as unknown[] | null;
        if (embedding !== null) {
          if (!model) throw new SnapshotFormatError(lineNo, 'artifact: an embedding needs the embeddingModel record before it');
          if (embedding.length !== model.dimension) {
            throw new SnapshotFormatError(lineNo, `artifact: the embedding has ${embedding.length} dimensions, the model ${model.dimension}`);
          }
          vectors += 1;
        }
      }
      refs.add(lineNo, table, value);
      counts[table.type]! += 1;
      records += 1;
      await batcher.add(table, lineNo, text, value);
      if (records % 500 === 0) options.onProgress?.({ phase: 'records', line: lineNo, records, artifacts: counts['artifact']! });
    }
    if (!ended) throw new SnapshotFormatError(lineNo + 1, 'the file ends without its end record: it is truncated');
    await batcher.flush();
    const progress = (phase: ImportProgress['phase']) => options.onProgress?.({ phase, line: lineNo, records, artifacts: counts['artifact']! });
    progress('records');
    plan ??= await planVectors(tx, undefined);
    if (plan.rebuildIndex) progress('index');
    await finishVectors(tx, plan);
    await forgetGraphEpochs(tx, refs.orgIds());
    progress('commit');
    return { header, records, written: batcher.written, skipped: batcher.skipped, vectors, vectorPlan: plan };
  });
  if (!options.projector) return outcome;
  try {
    return { ...outcome, reprojected: await options.projector.resync(options.onResyncProgress) };
  } catch (error) {
    // Committed already: say so. The orgs' epochs are gone, so servers rebuild their graphs.
    return { ...outcome, reprojectionError: error instanceof Error ? error.message : String(error) };
  }
}

/** Checks the trailer's counts against the records read. */
function checkCounts(line: number, value: unknown, counts: Record<string, number>): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SnapshotFormatError(line, 'the end record needs "counts": {type: number}');
  }
  const declared = value as Record<string, unknown>;
  for (const key of Object.keys(declared)) {
    if (!(key in counts)) throw new SnapshotFormatError(line, `the end record counts an unknown record type "${key}"`);
  }
  for (const [type, seen] of Object.entries(counts)) {
    const expected = declared[type] ?? 0;
    if (expected !== seen) {
      throw new SnapshotFormatError(line, `the end record counts ${JSON.stringify(expected)} ${type} records, the file has ${seen}`);
    }
  }
}
