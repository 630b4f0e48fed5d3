/**
 * Reads a BEIR-format dataset directory:
 *
 *   corpus.jsonl        one document a line: {"_id", "title"?, "text", "metadata"?}
 *   queries.jsonl       one query a line:    {"_id", "text", "metadata"?}
 *   qrels/<split>.tsv   header `query-id<TAB>corpus-id<TAB>score`, then one graded judgement a line
 *
 * The corpus is streamed line by line (real BEIR corpora run to millions of documents);
 * queries and judgements are small and read whole. Malformed input is a {@link BeirFormatError}
 * naming the file and line.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** One corpus document. `title` is '' when the line has none. */
export interface BeirDoc {
  id: string;
  title: string;
  text: string;
}

/** One query; `type` is the line's `metadata.type` when it is a string (used to break results down). */
export interface BeirQuery {
  id: string;
  text: string;
  type?: string;
}

/** Graded judgements: query id → (document id → relevance). */
export type Qrels = Map<string, Map<string, number>>;

/** Malformed or missing dataset input; `file` and `line` (1-based, when known) say where. */
export class BeirFormatError extends Error {
  readonly file: string;
  readonly line: number | undefined;
  constructor(file: string, line: number | undefined, problem: string) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${problem}`);
    this.name = 'BeirFormatError';
    this.file = file;
    this.line = line;
  }
}

/** A dataset whose queries and judgements are loaded and whose corpus can be streamed. */
export interface BeirDataset {
  /** The directory's base name (e.g. `scifact`). */
  name: string;
  dir: string;
  /** Queries that have at least one judgement in the split, in file order. */
  queries: BeirQuery[];
  /** Judgements of the split (every query in it, also those absent from queries.jsonl). */
  qrels: Qrels;
  /** Query ids that have judgements but no line in queries.jsonl (they cannot be evaluated). */
  queriesWithoutText: string[];
  /** Streams corpus.jsonl, one document at a time. */
  corpus(): AsyncGenerator<BeirDoc>;
}

/**
 * Opens the BEIR dataset in `dir`: checks that the three files exist, reads the queries and
 * the judgements of `split` (default `test`), and returns a handle that streams the corpus.
 * @throws BeirFormatError for a missing file or a malformed line
 */
export async function openBeirDataset(dir: string, options: { split?: string } = {}): Promise<BeirDataset> {
  const split = options.split ?? 'test';
  const root = path.resolve(dir);
  const corpusFile = path.join(root, 'corpus.jsonl');
  const queriesFile = path.join(root, 'queries.jsonl');
  const qrelsFile = path.join(root, 'qrels', `${split}.tsv`);
  const dirStat = await stat(root).catch(() => undefined);
  if (!dirStat?.isDirectory()) throw new BeirFormatError(root, undefined, 'not a directory');
  for (const file of [corpusFile, queriesFile, qrelsFile]) {
    const s = await stat(file).catch(() => undefined);
    if (!s?.isFile()) {
      throw new BeirFormatError(file, undefined, 'missing (a BEIR dataset has corpus.jsonl, queries.jsonl and qrels/<split>.tsv)');
    }
  }
  const qrels = await readQrels(qrelsFile);
  const queries: BeirQuery[] = [];
  const seen = new Set<string>();
  for await (const query of readQueries(queriesFile)) {
    if (seen.has(query.id)) continue;
    seen.add(query.id);
    if (qrels.has(query.id)) queries.push(query);
  }
  return {
    name: path.basename(root),
    dir: root,
    queries,
    qrels,
    queriesWithoutText: [...qrels.keys()].filter((id) => !seen.has(id)),
    corpus: () => readCorpus(corpusFile),
  };
}

/** Streams `corpus.jsonl`. @throws BeirFormatError on a malformed line or a repeated `_id` */
export async function* readCorpus(file: string): AsyncGenerator<BeirDoc> {
  const ids = new Set<string>();
  for await (const { line, value } of readJsonl(file)) {
    const id = idOf(value, file, line);
    if (ids.has(id)) throw new BeirFormatError(file, line, `duplicate _id "${id}"`);
    ids.add(id);
    const text = optionalString(value, 'text', file, line);
    if (text === undefined) throw new BeirFormatError(file, line, 'missing "text" (a string, may be empty)');
    yield { id, title: optionalString(value, 'title', file, line) ?? '', text };
  }
}

/** Streams `queries.jsonl`. @throws BeirFormatError on a malformed line */
export async function* readQueries(file: string): AsyncGenerator<BeirQuery> {
  for await (const { line, value } of readJsonl(file)) {
    const id = idOf(value, file, line);
    const text = optionalString(value, 'text', file, line);
    if (text === undefined || text.trim() === '') throw new BeirFormatError(file, line, `query "${id}" has no "text"`);
    const metadata = value['metadata'];
    const type = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>)['type'] : undefined;
    yield typeof type === 'string' && type !== '' ? { id, text, type } : { id, text };
  }
}

/**
 * Reads a qrels TSV: an optional header line starting with `query-id`, then
 * `query-id<TAB>corpus-id<TAB>score` with an integer score. A pair given twice keeps the last
 * score (as BEIR's own loader does).
 * @throws BeirFormatError on a malformed line
 */
export async function readQrels(file: string): Promise<Qrels> {
  const qrels: Qrels = new Map();
  for await (const { line, text } of readLines(file)) {
    if (line === 1 && /^query[-_]id\t/i.test(text)) continue;
    const cells = text.split('\t');
    if (cells.length !== 3) {
      throw new BeirFormatError(file, line, `expected 3 tab-separated columns (query-id, corpus-id, score), got ${cells.length}`);
    }
    const [queryId = '', docId = '', score = ''] = cells.map((c) => c.trim());
    if (queryId === '' || docId === '') throw new BeirFormatError(file, line, 'empty query-id or corpus-id');
    if (!/^-?\d+$/.test(score)) throw new BeirFormatError(file, line, `score must be an integer, got "${score}"`);
    let judged = qrels.get(queryId);
    if (!judged) qrels.set(queryId, (judged = new Map()));
    judged.set(docId, Number(score));
  }
  return qrels;
}

/** Non-blank lines of a UTF-8 file with their 1-based numbers (a leading BOM is dropped). */
async function* readLines(file: string): AsyncGenerator<{ line: number; text: string }> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const raw of lines) {
      line += 1;
      const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (text.trim() !== '') yield { line, text };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

/** Each non-blank line of a JSON-lines file, parsed into an object. */
async function* readJsonl(file: string): AsyncGenerator<{ line: number; value: Record<string, unknown> }> {
  for await (const { line, text } of readLines(file)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new BeirFormatError(file, line, `invalid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new BeirFormatError(file, line, 'expected a JSON object');
    }
    yield { line, value: value as Record<string, unknown> };
  }
}

/** `_id` as a non-empty string (numbers are accepted and turned into strings). */
function idOf(value: Record<string, unknown>, file: string, line: number): string {
  const id = value['_id'];
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  if (typeof id !== 'string' || id.trim() === '') throw new BeirFormatError(file, line, 'missing "_id" (a non-empty string)');
  return id;
}

function optionalString(value: Record<string, unknown>, key: string, file: string, line: number): string | undefined {
  const v = value[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new BeirFormatError(file, line, `"${key}" must be a string, got ${typeof v}`);
  return v;
}
