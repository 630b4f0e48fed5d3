/**
 * The snapshot format, version 2: JSON Lines (UTF-8, one JSON object per `\n`-terminated line).
 *
 *   line 1     {"format":"hivegraph-snapshot","version":2,"createdAt":"…","source":{"backend":"pglite","schema":"0009"}}
 *   then       {"type":"embeddingModel",…}            at most one: the model the carried vectors belong to
 *   then       {"type":"org",…} {"type":"user",…} …   records in dependency order (SNAPSHOT_TABLES)
 *   last line  {"type":"end","counts":{"org":1,…}}   a file without it is truncated
 *
 * A record's fields are exactly its table's description (src/store/repositories/snapshot-tables.ts),
 * `type` first. Version 2 added the sharing rules and default visibility fields (`since: 2`);
 * a version 1 file lacks them and is still read, each missing field taking its `fallback`. This file checks one record at a time; references are checked in references.ts.
 */
import { BadUserInputError } from '../../shared/errors.ts';
import { SNAPSHOT_TABLE_BY_TYPE, type SnapshotColumn, type SnapshotTable } from '../../store/repositories/snapshot-tables.ts';

/** The `format` of the header line. */
export const SNAPSHOT_FORMAT = 'hivegraph-snapshot';
/** The version this Hivegraph writes. */
export const SNAPSHOT_VERSION = 2;
/** The versions it reads. */
export const READABLE_SNAPSHOT_VERSIONS: readonly number[] = [1, 2];

/** The first line of a snapshot. */
export interface SnapshotHeader {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  createdAt: string;
  source: { backend: string; schema: string };
}

/** The model that made the vectors a snapshot carries (matched by digest on import). */
export interface SnapshotEmbeddingModel {
  type: 'embeddingModel';
  backend: string;
  model: string;
  dimension: number;
  digest: string;
}

/** A snapshot file that cannot be imported; `line` is the 1-based line at fault. */
export class SnapshotFormatError extends BadUserInputError {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2}){0,2})$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const INT_MAX = 2 ** 31 - 1;

/** Parses one line as a JSON object. */
export function parseLine(line: number, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SnapshotFormatError(line, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SnapshotFormatError(line, 'expected a JSON object');
  return value as Record<string, unknown>;
}

/**
 * Checks the header line.
 * @param knownSchema the newest migration this Hivegraph has; a snapshot from a newer schema is refused
 */
export function checkHeader(value: Record<string, unknown>, knownSchema: string): SnapshotHeader {
  if (value['format'] !== SNAPSHOT_FORMAT) {
    throw new SnapshotFormatError(1, `not a Hivegraph snapshot (the first line must have "format":"${SNAPSHOT_FORMAT}")`);
  }
  const version = value['version'];
  if (typeof version !== 'number' || !READABLE_SNAPSHOT_VERSIONS.includes(version)) {
    throw new SnapshotFormatError(
      1,
      `snapshot format version ${JSON.stringify(version)} is not supported (this Hivegraph reads versions ${READABLE_SNAPSHOT_VERSIONS.join(' and ')})`,
    );
  }
  const source = value['source'] as { backend?: unknown; schema?: unknown } | undefined;
  if (typeof value['createdAt'] !== 'string' || typeof source?.backend !== 'string' || typeof source.schema !== 'string') {
    throw new SnapshotFormatError(1, 'the header needs "createdAt" and "source": {"backend", "schema"}');
  }
  if (source.schema > knownSchema) {
    throw new SnapshotFormatError(
      1,
      `the snapshot was made at schema ${source.schema}, newer than this Hivegraph's ${knownSchema}: import it with a newer Hivegraph`,
    );
  }
  return value as unknown as SnapshotHeader;
}

/** Checks an `embeddingModel` record. */
export function checkEmbeddingModel(line: number, value: Record<string, unknown>): SnapshotEmbeddingModel {
  const { backend, model, dimension, digest } = value;
  const extra = Object.keys(value).filter((k) => !['type', 'backend', 'model', 'dimension', 'digest'].includes(k));
  if (extra.length > 0) throw new SnapshotFormatError(line, `embeddingModel: unknown field "${extra[0]}"`);
  if (typeof backend !== 'string' || typeof model !== 'string' || typeof digest !== 'string' || !DIGEST.test(digest)) {
    throw new SnapshotFormatError(line, 'embeddingModel: needs "backend", "model" and "digest" ("sha256:<hex>")');
  }
  if (typeof dimension !== 'number' || !Number.isInteger(dimension) || dimension < 1 || dimension > 16000) {
    throw new SnapshotFormatError(line, 'embeddingModel: "dimension" must be a whole number from 1 to 16000');
  }
  return { type: 'embeddingModel', backend, model, dimension, digest };
}

/** Why `value` does not fit column `c`, or undefined when it does. */
function fieldProblem(c: SnapshotColumn, value: unknown): string | undefined {
  if (value === null) return c.nullable ? undefined : 'must not be null';
  switch (c.type) {
    case 'uuid':
      return typeof value === 'string' && UUID.test(value) ? undefined : 'must be a UUID';
    case 'text':
      if (typeof value !== 'string') return 'must be a string';
      if (value.includes('\u0000')) return 'must not contain NUL characters';
      return c.values && !c.values.includes(value) ? `must be one of ${c.values.join(', ')}` : undefined;
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= INT_MAX ? undefined : 'must be a whole number';
    case 'real':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a number';
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'timestamptz':
      return typeof value === 'string' && TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value.replace(' ', 'T')))
        ? undefined
        : 'must be an ISO 8601 time with its offset';
    case 'json':
    case 'jsonb':
      if (typeof value !== 'string') return 'must be a string holding JSON text';
      try {
        JSON.parse(value);
        return undefined;
      } catch {
        return 'must be a string holding JSON text';
      }
    case 'text[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string' && !v.includes('\u0000')) ? undefined : 'must be an array of strings';
    case 'uuid[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string' && UUID.test(v)) ? undefined : 'must be an array of UUIDs';
    case 'vector':
      return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number' && Number.isFinite(v))
        ? undefined
        : 'must be an array of numbers';
  }
}

/**
 * Checks a record against its table's description as of format `version`: a known `type`,
 * every field of that version present and of its type, no other field.
 * @returns the table the record belongs to
 */
export function checkRecord(line: number, value: Record<string, unknown>, version: number = SNAPSHOT_VERSION): SnapshotTable {
  const type = value['type'];
  const table = typeof type === 'string' ? SNAPSHOT_TABLE_BY_TYPE.get(type) : undefined;
  const inVersion = (c: SnapshotColumn) => (c.since ?? 1) <= version;
  if (!table || !table.columns.some(inVersion)) throw new SnapshotFormatError(line, `unknown record type ${JSON.stringify(type)}`);
  const columns = table.columns.filter(inVersion);
  for (const c of columns) {
    if (!(c.field in value)) throw new SnapshotFormatError(line, `${table.type}: missing field "${c.field}"`);
    const problem = fieldProblem(c, value[c.field]);
    if (problem) throw new SnapshotFormatError(line, `${table.type}: field "${c.field}" ${problem}`);
  }
  const known = columns.length + 1;
  if (Object.keys(value).length !== known) {
    const extra = Object.keys(value).find((k) => k !== 'type' && !columns.some((c) => c.field === k));
    throw new SnapshotFormatError(line, `${table.type}: unknown field "${extra}"`);
  }
  return table;
}
