/**
 * `npm run eval -- --dataset DIR`: retrieval quality of Hivegraph's search on a BEIR-format
 * dataset (see eval/README.md). Progress goes to stderr, the result table to stdout, the
 * JSON to bench/results/ (or --json FILE).
 *
 * Exit codes: 0 ok · 1 unexpected failure, or a search query answered with an error ·
 * 64 usage · 65 bad dataset · 69 server unreachable, key rejected or server cannot start ·
 * 78 invalid server configuration.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError } from '../src/config/config.ts';
import { StartupError } from '../src/shared/errors.ts';
import { BeirFormatError } from './beir.ts';
import { KeyRejectedError, ServerUnreachableError } from './client.ts';
import { runEval, type EvalOptions } from './harness.ts';
import { formatReport, writeReport } from './report.ts';
import { SEARCH_MODES, type SearchMode } from './search.ts';

const EMBEDDERS = ['auto', 'local', 'hashing', 'openai'] as const;

const HELP = `Usage: npm run eval -- --dataset DIR [options]

Ingests a BEIR-format dataset (corpus.jsonl, queries.jsonl, qrels/<split>.tsv) through the
GraphQL API and prints nDCG@10, recall@100 and median query latency for each search mode.

Options:
  --dataset DIR        BEIR dataset directory (required), e.g. eval/datasets/hivegraph-mini
  --split NAME         qrels file qrels/NAME.tsv (default: test)
  --url URL            use an existing server (base URL, e.g. http://127.0.0.1:4000) instead of
                       starting one in this process; needs --key
  --key KEY            API key for --url (a user who may create artifacts)
  --embedder NAME      in-process server only: auto | local | hashing | openai
                       (HIVEGRAPH_EMBEDDER; default: the environment's, else auto)
  --modes LIST         comma-separated search modes (default: HYBRID,VECTOR,TEXT)
  --max-docs N         ingest at most N documents (every judged one first, then corpus order)
  --max-queries N      evaluate only the first N queries with relevant judgements
  --batch N            createArtifact mutations per request (default 30, the server's alias limit)
  --concurrency N      ingest requests in flight (default 4)
  --no-reference       skip the reference BM25 engine (by default it runs on the same documents
                       and queries, and each mode's nDCG@10 is reported as a ratio to it)
  --json FILE          write the result JSON here (default: bench/results/eval-<dataset>-<time>.json)
  --help               show this help

The in-process server uses PGlite in a temporary directory, or the Postgres of DATABASE_URL
when that is set (use a scratch database: the run's artifacts stay there).

Exit codes: 0 ok, 1 unexpected failure or failed search queries, 64 usage, 65 bad dataset,
69 server unreachable / key rejected / cannot start, 78 invalid configuration.`;

class UsageError extends Error {}

const OPTIONS = {
  dataset: { type: 'string' },
  split: { type: 'string' },
  url: { type: 'string' },
  key: { type: 'string' },
  embedder: { type: 'string' },
  modes: { type: 'string' },
  'max-docs': { type: 'string' },
  'max-queries': { type: 'string' },
  batch: { type: 'string' },
  concurrency: { type: 'string' },
  json: { type: 'string' },
  'no-reference': { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

function parseCli(argv: string[]): (EvalOptions & { json?: string }) | 'help' {
  let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; strict: true; allowPositionals: false }>>['values'];
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return 'help';
  if (!values.dataset) throw new UsageError('--dataset DIR is required');
  if (values.url !== undefined && !values.key) throw new UsageError('--url needs --key');
  if (values.key !== undefined && values.url === undefined) throw new UsageError('--key is only used with --url');
  if (values.url !== undefined) {
    if (values.embedder !== undefined) throw new UsageError('--embedder applies to the in-process server only (an external server chooses its own)');
    try {
      const u = new URL(values.url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    } catch {
      throw new UsageError(`--url must be an http(s) URL, got "${values.url}"`);
    }
  }
  if (values.embedder !== undefined && !(EMBEDDERS as readonly string[]).includes(values.embedder)) {
    throw new UsageError(`--embedder must be one of ${EMBEDDERS.join(', ')}, got "${values.embedder}"`);
  }
  const modes = (values.modes ?? SEARCH_MODES.join(',')).split(',').map((m) => m.trim().toUpperCase()).filter(Boolean);
  const unknown = modes.filter((m) => !(SEARCH_MODES as readonly string[]).includes(m));
  if (modes.length === 0 || unknown.length > 0) throw new UsageError(`--modes takes ${SEARCH_MODES.join(', ')}, got "${values.modes}"`);
  const int = (flag: string, raw: string | undefined, min: number, max: number): number | undefined => {
    if (raw === undefined) return undefined;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got "${raw}"`);
    return Number(raw);
  };
  const maxDocs = int('max-docs', values['max-docs'], 1, 1e9);
  const maxQueries = int('max-queries', values['max-queries'], 1, 1e9);
  const batchSize = int('batch', values.batch, 1, 1000);
  const concurrency = int('concurrency', values.concurrency, 1, 64);
  return {
    dataset: values.dataset,
    modes: [...new Set(modes)] as SearchMode[],
    ...(values.split !== undefined ? { split: values.split } : {}),
    ...(values.url !== undefined ? { url: values.url, key: values.key! } : {}),
    ...(values.embedder !== undefined ? { embedder: values.embedder } : {}),
    ...(maxDocs !== undefined ? { maxDocs } : {}),
    ...(maxQueries !== undefined ? { maxQueries } : {}),
    ...(batchSize !== undefined ? { batchSize } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(values.json !== undefined ? { json: values.json } : {}),
    ...(values['no-reference'] ? { reference: false } : {}),
  };
}

/** Runs the CLI and returns its exit code. */
export async function main(argv: string[]): Promise<number> {
  const fail = (code: number, message: string) => {
    process.stderr.write(`eval: ${message}\n`);
    return code;
  };
  let options: ReturnType<typeof parseCli>;
  try {
    options = parseCli(argv);
  } catch (error) {
    if (error instanceof UsageError) return fail(64, `${error.message}\n\n${HELP}`);
    throw error;
  }
  if (options === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const { json, ...evalOptions } = options;
  try {
    const result = await runEval({ ...evalOptions, log: (line) => process.stderr.write(`[eval] ${line}\n`) });
    process.stdout.write(`\n${formatReport(result)}\n\n`);
    const file = await writeReport(result, json);
    process.stdout.write(`results: ${file}\n`);
    const failures = result.modes.reduce((n, m) => n + m.failures.length, 0);
    if (failures > 0) return fail(1, `${failures} search quer${failures === 1 ? 'y' : 'ies'} failed (see the table above; the metrics count them as empty rankings)`);
    return 0;
  } catch (error) {
    if (error instanceof BeirFormatError) return fail(65, `bad dataset: ${error.message}`);
    if (error instanceof ServerUnreachableError || error instanceof KeyRejectedError || error instanceof StartupError) return fail(69, error.message);
    if (error instanceof ConfigError) return fail(78, error.message);
    return fail(1, error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
