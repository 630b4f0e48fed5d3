/**
 * Batches an import's records and writes them table by table, in dependency order, a few
 * hundred rows per INSERT. Each batch runs in a savepoint: when the database refuses one (a
 * CHECK constraint, a foreign key), its rows are retried one by one to name the line at fault.
 * Rows an insert leaves out (an id or unique key the target already has) fail the import, or
 * with `--on-conflict skip` are counted as skipped, with what depends on them.
 */
import { ServiceUnavailableError } from '../../shared/errors.ts';
import { existingSnapshotIds, insertSnapshotRecords } from '../../store/repositories/snapshot-import.repo.ts';
import { SNAPSHOT_TABLES, type SnapshotTable } from '../../store/repositories/snapshot-tables.ts';
import type { Queryable } from '../../store/types.ts';
import { SnapshotFormatError } from './format.ts';
import { lower, type ReferenceIndex, type SnapshotRecord } from './references.ts';

/** What to do with a record whose id or unique key the target already has. */
export type OnConflict = 'fail' | 'skip';

/** One pending record: its line, its text as read (sent to the database as is) and its parsed value. */
interface PendingRow {
  line: number;
  raw: string;
  record: SnapshotRecord;
}

/** Rows per INSERT (and per pending set across tables). */
const BATCH_ROWS = 500;
/** Characters pending before a flush, whatever the row count. */
const BATCH_CHARS = 4 * 1024 * 1024;

/** Accumulates records and writes them in batches inside the import's transaction. */
export class ImportBatcher {
  /** Rows written, by record type. */
  readonly written: Record<string, number> = {};
  /** Rows left out (`--on-conflict skip`), by record type. */
  readonly skipped: Record<string, number> = {};
  private readonly pending = new Map<string, PendingRow[]>();
  private pendingRows = 0;
  private pendingChars = 0;

  private readonly tx: Queryable;
  private readonly refs: ReferenceIndex;
  private readonly onConflict: OnConflict;
  /** The registered model carried vectors are stored under (null: drop them). */
  private readonly vectorModelId: () => number | null;

  constructor(tx: Queryable, refs: ReferenceIndex, onConflict: OnConflict, vectorModelId: () => number | null) {
    this.tx = tx;
    this.refs = refs;
    this.onConflict = onConflict;
    this.vectorModelId = vectorModelId;
    for (const t of SNAPSHOT_TABLES) {
      this.written[t.type] = 0;
      this.skipped[t.type] = 0;
    }
  }

  /** Queues a (checked) record; writes everything pending when the batch is full. */
  async add(table: SnapshotTable, line: number, raw: string, record: SnapshotRecord): Promise<void> {
    let rows = this.pending.get(table.type);
    if (!rows) this.pending.set(table.type, (rows = []));
    rows.push({ line, raw, record });
    this.pendingRows += 1;
    this.pendingChars += raw.length;
    if (this.pendingRows >= BATCH_ROWS || this.pendingChars >= BATCH_CHARS) await this.flush();
  }

  /** Writes every pending record, tables in dependency order. */
  async flush(): Promise<void> {
    for (const table of SNAPSHOT_TABLES) {
      const rows = this.pending.get(table.type);
      if (!rows || rows.length === 0) continue;
      this.pending.set(table.type, []);
      await this.write(table, rows);
    }
    this.pendingRows = 0;
    this.pendingChars = 0;
  }

  private async write(table: SnapshotTable, all: PendingRow[]): Promise<void> {
    const rows = this.onConflict === 'skip' ? all.filter((r) => !this.refs.dependsOnSkipped(table, r.record)) : all;
    this.skipped[table.type]! += all.length - rows.length;
    if (rows.length === 0) return;
    const modelId = table.type === 'artifact' ? this.vectorModelId() : null;
    let inserted: Set<string>;
    try {
      inserted = await this.tx.transaction((t) => insertSnapshotRecords(t, table, `[${rows.map((r) => r.raw).join(',')}]`, modelId));
    } catch (error) {
      throw await this.diagnose(table, rows, modelId, error);
    }
    const missing: PendingRow[] = [];
    const claimed = new Set<string>();
    for (const row of rows) {
      const key = keyOf(table, row.record);
      // A key repeated in the batch is written once: the later rows collided with the first.
      if (inserted.has(key) && !claimed.has(key)) claimed.add(key);
      else missing.push(row);
    }
    this.written[table.type]! += rows.length - missing.length;
    if (missing.length === 0) return;
    if (this.onConflict === 'fail') throw await this.conflict(table, missing[0]!);
    this.skipped[table.type]! += missing.length;
    if (!table.key.includes('id')) return;
    const ids = missing.map((r) => lower(r.record['id']));
    const existing = await existingSnapshotIds(this.tx, table, ids);
    for (const id of ids) {
      if (existing.has(id)) this.refs.markKept(id);
      else this.refs.markAbsent(id);
    }
  }

  /** The error naming the first row of a refused batch that the database refuses alone. */
  private async diagnose(table: SnapshotTable, rows: PendingRow[], modelId: number | null, error: unknown): Promise<unknown> {
    if (error instanceof ServiceUnavailableError) return error;
    for (const row of rows) {
      try {
        await this.tx.transaction((t) => insertSnapshotRecords(t, table, `[${row.raw}]`, modelId));
      } catch (rowError) {
        if (rowError instanceof ServiceUnavailableError) return rowError;
        return new SnapshotFormatError(row.line, `${table.type} cannot be stored: ${describeDatabaseError(rowError)}`);
      }
    }
    return error;
  }

  /** The error for a record whose id or unique key the target already has (`--on-conflict fail`). */
  private async conflict(table: SnapshotTable, row: PendingRow): Promise<SnapshotFormatError> {
    const hint = ' (with --on-conflict skip, rows the target has are kept and the others added)';
    if (table.key.includes('id')) {
      const id = lower(row.record['id']);
      if ((await existingSnapshotIds(this.tx, table, [id])).has(id)) {
        return new SnapshotFormatError(row.line, `${table.type} ${id} already exists in the target${hint}`);
      }
      return new SnapshotFormatError(row.line, `${table.type} ${id}: the target already has ${uniqueKey(table, row.record)}${hint}`);
    }
    return new SnapshotFormatError(row.line, `${table.type}: the target already has ${uniqueKey(table, row.record)}${hint}`);
  }
}

/** The key an insert returns for a record. */
function keyOf(table: SnapshotTable, record: SnapshotRecord): string {
  return table.key
    .map((field) => (table.columns.find((c) => c.field === field)?.type === 'uuid' ? lower(record[field]) : String(record[field])))
    .join('|');
}

/** Names the unique key a record collides with, for people. */
function uniqueKey(table: SnapshotTable, r: SnapshotRecord): string {
  const q = (v: unknown) => JSON.stringify(v);
  switch (table.type) {
    case 'org':
      return `an org named ${q(r['name'])}`;
    case 'user':
      return `a user ${q(r['handle'])} in org ${r['orgId']}`;
    case 'group':
    case 'collection':
      return `a ${table.type} named ${q(r['name'])} in org ${r['orgId']}`;
    case 'artifact':
      return `an artifact named ${q(r['name'])} in the same collection`;
    case 'relationship':
      return `a ${q(r['relationshipType'])} relationship from ${r['fromId']} to ${r['toId']}`;
    case 'autoApproveRule':
      return `an auto-approve rule for kind ${q(r['kind'])} in org ${r['orgId']}`;
    case 'contextPackage':
      return `context package ${q(r['name'])} version ${r['version']} in org ${r['orgId']}`;
    default:
      return `a ${table.type} with the same ${table.key.join(', ')}`;
  }
}

/** A database error as one line: message plus detail (which key, which constraint). */
function describeDatabaseError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const source = (error.cause ?? error) as { message?: unknown; detail?: unknown };
  const detail = typeof source.detail === 'string' ? ` (${source.detail})` : '';
  return `${typeof source.message === 'string' ? source.message : error.message}${detail}`;
}
