/**
 * Renders an {@link EvalResult}: a Markdown table for the terminal (pasteable into docs) and
 * the JSON file.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ms, writeResult } from '../bench/lib/harness.ts';
import type { EvalResult } from './harness.ts';

/** The summary printed at the end of a run. */
export function formatReport(result: EvalResult): string {
  const d = result.dataset;
  const lines = [
    `dataset:  ${d.name} (qrels/${d.split}.tsv): ${d.ingestedDocs} of ${d.corpusDocs} documents ingested` +
      `${d.skippedDocs.length ? ` (${d.skippedDocs.length} skipped)` : ''}, ${d.queries} queries, ${d.judgements} judgements`,
    `server:   ${result.server.mode} ${result.server.url} — sql ${result.server.sql}, graph ${result.server.graph}, embedder ${result.server.embedder}` +
      `${result.scope === 'evalRun' ? ' (searches filtered to this run)' : ''}`,
    `ingest:   ${result.ingest.docs} docs in ${result.ingest.seconds.toFixed(1)} s = ${result.ingest.docsPerSecond.toFixed(1)} docs/s` +
      ` (${result.ingest.batchSize} per request, ${result.ingest.concurrency} in flight, ${result.ingest.requests} requests)`,
    `machine:  ${result.machine.cpus} × ${result.machine.cpuModel}, ${result.machine.memoryGiB} GiB, Node ${result.machine.node}`,
    '',
    '| mode | nDCG@10 | ÷ reference BM25 | recall@100 | median latency ms | p99 ms | failed queries |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...result.modes.map(
      (m) =>
        `| ${m.mode} | ${m.ndcgAt10.toFixed(4)} | ${m.ratioToReference === null ? '–' : m.ratioToReference.toFixed(3)} | ${m.recallAt100.toFixed(4)} | ` +
        `${ms(m.latencyMs.p50)} | ${ms(m.latencyMs.p99)} | ${m.failures.length} |`,
    ),
    ...(result.reference
      ? [
          `| reference BM25 | ${result.reference.ndcgAt10.toFixed(4)} | 1.000 | ${result.reference.recallAt100.toFixed(4)} | ` +
            `${ms(result.reference.latencyMs.p50)} | ${ms(result.reference.latencyMs.p99)} | 0 |`,
          '',
          `reference: ${result.reference.name}, in this process over the same ${result.reference.documents} documents`,
        ]
      : []),
  ];
  const types = [...new Set(result.modes.flatMap((m) => Object.keys(m.byQueryType)))].sort();
  if (types.length > 0) {
    lines.push(
      '',
      `nDCG@10 by query type (metadata.type in queries.jsonl):`,
      '',
      `| mode | ${types.map((t) => `${t} (${result.modes[0]?.byQueryType[t]?.queries ?? 0})`).join(' | ')} |`,
      `| --- |${types.map(() => ' ---: |').join('')}`,
      ...result.modes.map((m) => `| ${m.mode} | ${types.map((t) => m.byQueryType[t]?.ndcgAt10.toFixed(4) ?? '–').join(' | ')} |`),
      ...(result.reference
        ? [`| reference BM25 | ${types.map((t) => result.reference?.byQueryType[t]?.ndcgAt10.toFixed(4) ?? '–').join(' | ')} |`]
        : []),
    );
  }
  const failed = result.modes.flatMap((m) => m.failures.slice(0, 2).map((f) => `  ${m.mode} ${f.queryId}: ${f.message}`));
  if (failed.length > 0) lines.push('', 'failed queries, e.g.:', ...failed);
  return lines.join('\n');
}

/**
 * Writes the result as JSON to `file`, or to `bench/results/eval-<dataset>-<start time>.json`
 * when no file is given; returns the path written.
 */
export async function writeReport(result: EvalResult, file?: string): Promise<string> {
  if (file === undefined) {
    const name = `eval-${result.dataset.name.replace(/[^A-Za-z0-9._-]+/g, '_')}`;
    return writeResult(name, new Date(result.startedAt), result);
  }
  const target = path.resolve(file);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, `${JSON.stringify(result, null, 2)}\n`);
  return target;
}
