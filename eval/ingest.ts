/**
 * Ingests BEIR documents as artifacts through the GraphQL API: several `createArtifact`
 * mutations per request (aliases), a few requests in flight, and a map from the returned
 * artifact ids back to BEIR ids.
 */
import { createHash } from 'node:crypto';
import type { BeirDoc } from './beir.ts';
import type { GraphQLClient } from './client.ts';

/** Limits on artifact fields the server enforces (src/services/validate.ts). */
const NAME_MAX = 200;
const TITLE_MAX = 500;

/** Options of {@link ingestDocuments}. */
export interface IngestOptions {
  /** Tags every artifact's metadata (`evalRun`) and its name, so runs never collide. */
  runId: string;
  /** Dataset name recorded in metadata. */
  dataset: string;
  /** Documents expected (for progress only). */
  total: number;
  /** createArtifact mutations per request (default 30, the server's default alias limit). */
  batchSize?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Content longer than this many UTF-8 bytes is clipped (default 1 MiB, the server's default limit). */
  maxContentBytes?: number;
  /** Most JSON bytes of inputs in one request (default 3 MiB; the server's body limit is 4 MiB). */
  maxBatchBytes?: number;
  /** Called after every request with documents done so far. */
  onProgress?: (done: number) => void;
}

/** What ingestion did. */
export interface IngestResult {
  /** Artifact id → BEIR document id. */
  artifactToDoc: Map<string, string>;
  ingested: number;
  /** Documents not ingested, with the reason (empty text and title, or a rejected input). */
  skipped: { id: string; reason: string }[];
  /** Documents whose content was clipped to `maxContentBytes`. */
  clipped: number;
  /** Documents with an empty text whose title served as content. */
  titleAsContent: number;
  seconds: number;
  docsPerSecond: number;
  requests: number;
}

/** The createArtifact input for one document, or the reason it cannot be ingested. */
export function artifactInput(
  doc: BeirDoc,
  options: { runId: string; dataset: string; maxContentBytes: number },
): { input: Record<string, unknown>; clipped: boolean; titleAsContent: boolean } | { skip: string } {
  const title = clipChars(oneLine(doc.title), TITLE_MAX);
  let content = doc.text.replaceAll('\u0000', ' ');
  let titleAsContent = false;
  if (content.trim() === '') {
    if (title === '') return { skip: 'empty text and title' };
    content = title;
    titleAsContent = true;
  }
  const clippedContent = clipUtf8(content, options.maxContentBytes);
  return {
    input: {
      name: artifactName(options.runId, doc.id),
      kind: 'document',
      ...(title === '' ? {} : { title }),
      content: clippedContent,
      metadata: { beirId: doc.id, evalRun: options.runId, dataset: options.dataset },
      visibility: 'ORG',
    },
    clipped: clippedContent.length !== content.length,
    titleAsContent,
  };
}

/**
 * A unique artifact name for a BEIR id: `eval:<runId>:<id>` with control characters replaced;
 * an id too long for the 200-character limit is shortened and suffixed with its hash.
 */
export function artifactName(runId: string, id: string): string {
  const prefix = `eval:${runId}:`;
  const clean = oneLine(id).replace(/\s/g, '_');
  if (clean === id && prefix.length + clean.length <= NAME_MAX) return prefix + clean;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 16);
  return `${prefix}${clipChars(clean, NAME_MAX - prefix.length - hash.length - 1)}~${hash}`;
}

/**
 * Creates one artifact per document. A batch whose request fails as a whole (one bad input
 * nulls the whole mutation result) is retried one document at a time; a document whose name
 * already exists (created before the failure) is looked up by name.
 */
export async function ingestDocuments(client: GraphQLClient, docs: AsyncIterable<BeirDoc>, options: IngestOptions): Promise<IngestResult> {
  const batchSize = options.batchSize ?? 30;
  const maxContentBytes = options.maxContentBytes ?? 1024 * 1024;
  const maxBatchBytes = options.maxBatchBytes ?? 3 * 1024 * 1024;
  const result: IngestResult = {
    artifactToDoc: new Map(),
    ingested: 0,
    skipped: [],
    clipped: 0,
    titleAsContent: 0,
    seconds: 0,
    docsPerSecond: 0,
    requests: 0,
  };
  let done = 0;
  const iterator = docs[Symbol.asyncIterator]();
  let exhausted = false;

  const fillBatch = async (): Promise<{ doc: BeirDoc; input: Record<string, unknown> }[]> => {
    const batch: { doc: BeirDoc; input: Record<string, unknown> }[] = [];
    let bytes = 0;
    while (!exhausted && batch.length < batchSize) {
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      const made = artifactInput(next.value, { runId: options.runId, dataset: options.dataset, maxContentBytes });
      if ('skip' in made) {
        result.skipped.push({ id: next.value.id, reason: made.skip });
        done += 1;
        continue;
      }
      if (made.clipped) result.clipped += 1;
      if (made.titleAsContent) result.titleAsContent += 1;
      batch.push({ doc: next.value, input: made.input });
      bytes += Buffer.byteLength(JSON.stringify(made.input));
      if (bytes >= maxBatchBytes) break;
    }
    return batch;
  };

  // Workers fill batches one after the other: concurrent fills would interleave the documents
  // (an async iterator serves queued next() calls in turn) and send smaller batches.
  let filling: Promise<unknown> = Promise.resolve();
  const nextBatch = (): Promise<{ doc: BeirDoc; input: Record<string, unknown> }[]> => {
    const batch = filling.then(fillBatch);
    filling = batch.catch(() => undefined);
    return batch;
  };

  const sendBatch = async (batch: { doc: BeirDoc; input: Record<string, unknown> }[]): Promise<void> => {
    const variables: Record<string, unknown> = {};
    const declarations: string[] = [];
    const fields: string[] = [];
    batch.forEach((item, i) => {
      variables[`i${i}`] = item.input;
      declarations.push(`$i${i}: CreateArtifactInput!`);
      fields.push(`a${i}: createArtifact(input: $i${i}) { id }`);
    });
    result.requests += 1;
    const response = await client.request<Record<string, { id: string } | null>>(
      `mutation Ingest(${declarations.join(', ')}) { ${fields.join(' ')} }`,
      variables,
    );
    if (response.data && !response.errors?.length) {
      batch.forEach((item, i) => {
        const id = response.data?.[`a${i}`]?.id;
        if (id) {
          result.artifactToDoc.set(id, item.doc.id);
          result.ingested += 1;
        } else result.skipped.push({ id: item.doc.id, reason: 'no id in the response' });
      });
      return;
    }
    const tooComplex = response.errors?.find((e) => e.extensions?.code === 'QUERY_TOO_COMPLEX');
    if (tooComplex) {
      throw new Error(`the server refused a batch of ${batch.length} mutations (${tooComplex.message}): lower --batch`);
    }
    for (const item of batch) await sendOne(item);
  };

  const sendOne = async (item: { doc: BeirDoc; input: Record<string, unknown> }): Promise<void> => {
    result.requests += 1;
    const response = await client.request<{ createArtifact: { id: string } | null }>(
      'mutation IngestOne($input: CreateArtifactInput!) { createArtifact(input: $input) { id } }',
      { input: item.input },
    );
    let id = response.data?.createArtifact?.id;
    const error = response.errors?.[0];
    if (!id && error?.extensions?.code === 'CONFLICT') id = await findByName(String(item.input['name']));
    if (id) {
      result.artifactToDoc.set(id, item.doc.id);
      result.ingested += 1;
    } else {
      result.skipped.push({ id: item.doc.id, reason: error ? `${error.extensions?.code ?? 'ERROR'}: ${error.message}` : 'no id in the response' });
    }
  };

  const findByName = async (name: string): Promise<string | undefined> => {
    result.requests += 1;
    const response = await client.request<{ artifacts: { edges: { node: { id: string } }[] } }>(
      'query ByName($name: String!) { artifacts(filter: { name: $name }, first: 1) { edges { node { id } } } }',
      { name },
    );
    return response.data?.artifacts.edges[0]?.node.id;
  };

  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (;;) {
      const batch = await nextBatch();
      if (batch.length === 0) {
        if (exhausted) return;
        continue;
      }
      await sendBatch(batch);
      done += batch.length;
      options.onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  result.seconds = (performance.now() - started) / 1000;
  result.docsPerSecond = result.ingested / Math.max(result.seconds, 1e-9);
  return result;
}

/** Collapses white space and control characters to single spaces and trims. */
function oneLine(text: string): string {
  return text.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** At most `max` UTF-16 code units, never splitting a surrogate pair. */
function clipChars(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return text.slice(0, cut).trimEnd();
}

/** At most `maxBytes` bytes of UTF-8, cut at a character boundary. */
export function clipUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let cut = maxBytes;
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut -= 1;
  return bytes.subarray(0, cut).toString('utf8');
}
