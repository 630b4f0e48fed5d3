/**
 * Reference checks of an import: every id a record names must belong to a record earlier in
 * the file, of the right type and of the same org (the database's composite foreign keys
 * would refuse it anyway, but without saying which line). Memory: one map entry per org,
 * user, group, collection, run, artifact and context package — about 100 bytes each.
 *
 * With `--on-conflict skip` it also remembers which records were not written — `kept` (the
 * target already had that id) or `absent` (another row of the target holds its unique key,
 * e.g. an org of the same name) — so that what depends on them is left out too.
 */
import type { SnapshotRecordType, SnapshotTable } from '../../store/repositories/snapshot-tables.ts';
import { SnapshotFormatError } from './format.ts';

/** Record types other records reference, whose ids are tracked. */
const TRACKED = new Set<SnapshotRecordType>(['org', 'user', 'group', 'collection', 'run', 'artifact', 'contextPackage']);

/** A record as read from the file. */
export type SnapshotRecord = Record<string, unknown>;

/** The ids seen so far, by type, each with the index of its org. */
export class ReferenceIndex {
  private readonly orgIndex = new Map<string, number>();
  private readonly ids = new Map<SnapshotRecordType, Map<string, number>>();
  /** Ids the import did not write because the target has a row with the same id. */
  private readonly kept = new Set<string>();
  /** Ids the import did not write because they collide with a different row (or depend on one). */
  private readonly absent = new Set<string>();

  /** Org ids of the file, in order. */
  orgIds(): string[] {
    return [...this.orgIndex.keys()];
  }

  /**
   * Checks the references of a record and records its own id.
   * @throws SnapshotFormatError for a duplicate id or a reference to nothing earlier in the file
   */
  add(line: number, table: SnapshotTable, record: SnapshotRecord): void {
    let org = -1;
    if (table.type === 'org') {
      const id = lower(record['id']);
      if (this.orgIndex.has(id)) throw new SnapshotFormatError(line, `duplicate org id ${id}`);
      this.orgIndex.set(id, this.orgIndex.size);
      return;
    }
    const orgId = lower(record['orgId']);
    org = this.orgIndex.get(orgId) ?? -1;
    if (org < 0) throw new SnapshotFormatError(line, `${table.type}: orgId ${orgId} is not an org earlier in the file`);
    for (const c of table.columns) {
      if (!c.ref || c.ref === 'org' || record[c.field] === null) continue;
      const target = lower(record[c.field]);
      const targetOrg = this.ids.get(c.ref)?.get(target);
      if (targetOrg === undefined) {
        throw new SnapshotFormatError(line, `${table.type}: ${c.field} ${target} is not a ${c.ref} earlier in the file`);
      }
      if (targetOrg !== org) throw new SnapshotFormatError(line, `${table.type}: ${c.field} ${target} is a ${c.ref} of another org`);
    }
    if (TRACKED.has(table.type)) {
      let byId = this.ids.get(table.type);
      if (!byId) this.ids.set(table.type, (byId = new Map()));
      const id = lower(record['id']);
      if (byId.has(id)) throw new SnapshotFormatError(line, `duplicate ${table.type} id ${id}`);
      byId.set(id, org);
    }
  }

  /**
   * Whether a record must be left out because something it depends on was not written: a
   * referenced record that is absent, or the owner it belongs to when that was kept as the
   * target had it (its revisions, shares, steps or items are the target's, not the file's).
   * A record left out is itself absent.
   */
  dependsOnSkipped(table: SnapshotTable, record: SnapshotRecord): boolean {
    if (this.kept.size === 0 && this.absent.size === 0) return false;
    for (const c of table.columns) {
      if (!c.ref || record[c.field] === null) continue;
      const target = lower(record[c.field]);
      if (this.absent.has(target) || (c.owner === true && this.kept.has(target))) {
        if (table.key.includes('id') && TRACKED.has(table.type)) this.absent.add(lower(record['id']));
        return true;
      }
    }
    return false;
  }

  /** Records that the target already had this id (the file's record was not written). */
  markKept(id: string): void {
    this.kept.add(id);
  }

  /** Records that this id was not written and its row does not exist in the target. */
  markAbsent(id: string): void {
    this.absent.add(id);
  }
}

/** Ids compare in lower case (the database prints them so). */
export function lower(value: unknown): string {
  return String(value).toLowerCase();
}
