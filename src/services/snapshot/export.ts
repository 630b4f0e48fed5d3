/**
 * Export: writes everything a snapshot carries (src/store/repositories/snapshot-tables.ts) as
 * JSON lines, from one consistent view of the database — one REPEATABLE READ, READ ONLY
 * transaction — page by page, waiting for the destination between pages.
 */
import { beginSnapshotRead, currentSchemaVersion, readSnapshotTable, snapshotEmbeddingModel } from '../../store/repositories/snapshot-export.repo.ts';
import { SNAPSHOT_TABLES } from '../../store/repositories/snapshot-tables.ts';
import type { SqlClient } from '../../store/types.ts';
import type { SnapshotSink } from './files.ts';
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type SnapshotEmbeddingModel, type SnapshotHeader } from './format.ts';

/** Progress of an export, reported after every page. */
export interface ExportProgress {
  /** Records written so far (header and trailer not counted). */
  records: number;
  /** Records written so far, by type. */
  counts: Readonly<Record<string, number>>;
  /** The record type being written. */
  type: string;
}

/** What an export wrote. */
export interface ExportOutcome {
  header: SnapshotHeader;
  records: number;
  counts: Record<string, number>;
  /** The model whose vectors were carried, if any. */
  embeddingModel?: SnapshotEmbeddingModel;
}

/**
 * Writes a snapshot of the whole installation to `sink`.
 * @param options.onProgress called after every page (at most a few thousand records apart)
 */
export async function exportSnapshot(
  sql: SqlClient,
  sink: SnapshotSink,
  options: { onProgress?: (progress: ExportProgress) => void } = {},
): Promise<ExportOutcome> {
  return sql.transaction(async (tx) => {
    await beginSnapshotRead(tx);
    const header: SnapshotHeader = {
      format: SNAPSHOT_FORMAT,
      version: SNAPSHOT_VERSION,
      createdAt: new Date().toISOString(),
      source: { backend: sql.backend, schema: (await currentSchemaVersion(tx)) ?? '0000' },
    };
    await sink.write(`${JSON.stringify(header)}\n`);
    const model = await snapshotEmbeddingModel(tx);
    const embeddingModel: SnapshotEmbeddingModel | undefined = model && {
      type: 'embeddingModel',
      backend: model.backend,
      model: model.model,
      dimension: model.dimension,
      digest: model.digest,
    };
    if (embeddingModel) await sink.write(`${JSON.stringify(embeddingModel)}\n`);
    const counts: Record<string, number> = {};
    let records = 0;
    for (const table of SNAPSHOT_TABLES) {
      counts[table.type] = 0;
      for await (const lines of readSnapshotTable(tx, table, model?.id ?? null)) {
        if (lines.length === 0) continue;
        await sink.write(`${lines.join('\n')}\n`);
        counts[table.type]! += lines.length;
        records += lines.length;
        options.onProgress?.({ records, counts, type: table.type });
      }
    }
    await sink.write(`${JSON.stringify({ type: 'end', counts })}\n`);
    return { header, records, counts, ...(embeddingModel ? { embeddingModel } : {}) };
  });
}
