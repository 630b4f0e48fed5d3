/**
 * Snapshots: `hivegraph export` / `hivegraph import` (see README.md in this folder for the
 * format and what is carried).
 */
export { exportSnapshot, type ExportOutcome, type ExportProgress } from './export.ts';
export { importSnapshot, type ImportOptions, type ImportOutcome, type ImportProgress } from './import.ts';
export { openSnapshotLines, openSnapshotWriter, type SnapshotLines, type SnapshotSink, type SnapshotWriter } from './files.ts';
export { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, SnapshotFormatError, type SnapshotHeader } from './format.ts';
export type { OnConflict } from './batcher.ts';
export type { VectorPlan } from './vectors.ts';
export { SNAPSHOT_RECORD_TYPES } from '../../store/repositories/snapshot-tables.ts';
