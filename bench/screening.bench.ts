/**
 * Screening cost per contribution (issue 21): the injection screener's default path (rules
 * only, through the async `Screener`) against calling the rules directly as before; the
 * rules + similarity stage with the local embedder (when installed); and the PII scrubber on
 * the same texts. Texts: every labelled injection case (tuning + held-out sets), each
 * screened `--rounds` times; medians and p95 per text, and the ratios measured in this run.
 *
 *   node bench/screening.bench.ts [--rounds N] [--quiet]
 *
 * Results: bench/results/screening-<ISO time>.json; summary in docs/pipeline.md.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openLocalEmbedder } from '../src/embed/local.embedder.ts';
import { screenInjection } from '../src/pipeline/injection.ts';
import { createSimilarityStage } from '../src/pipeline/injection-similarity.ts';
import { scrubPii } from '../src/pipeline/pii.ts';
import { createScreener, rulesOnlyScreener, rulesStage } from '../src/pipeline/screener.ts';
import { HELD_OUT_3_CASES } from '../test/pipeline/injection-cases-heldout3.ts';
import { HELD_OUT_2_CASES, HELD_OUT_CASES, TUNING_CASES } from '../test/pipeline/injection-cases.ts';
import { gitInfo, machineInfo, round, summarize, writeResult } from './lib/harness.ts';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '20' }, quiet: { type: 'boolean', default: false } }, strict: true });
const ROUNDS = Number(args.rounds);
const MODEL_DIR = path.join(import.meta.dirname, '..', '.models', 'all-MiniLM-L6-v2');
const log = (line: string) => {
  if (!args.quiet) process.stderr.write(`[screening] ${line}\n`);
};
const texts = [...TUNING_CASES, ...HELD_OUT_CASES, ...HELD_OUT_2_CASES, ...HELD_OUT_3_CASES].map((c) => c.text);

/** Per-text latencies (ms) of `fn` over every text, `rounds` times, interleaved with nothing else. */
async function measure(fn: (text: string) => unknown, rounds: number): Promise<number[]> {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r += 1) {
    for (const text of texts) {
      const started = performance.now();
      await fn(text);
      samples.push(performance.now() - started);
    }
  }
  return samples;
}

const startedAt = new Date();
const screener = rulesOnlyScreener();
await measure((t) => screener.screen(t), 2); // warm-up
const direct = summarize(await measure((t) => screenInjection(t), ROUNDS));
const staged = summarize(await measure((t) => screener.screen(t), ROUNDS));
const pii = summarize(await measure((t) => scrubPii(t), ROUNDS));
log(`rules direct p50 ${direct.p50} ms, through the Screener p50 ${staged.p50} ms, scrubPii p50 ${pii.p50} ms`);
let similarity: ReturnType<typeof summarize> | undefined;
if (existsSync(path.join(MODEL_DIR, 'onnx', 'model.onnx'))) {
  const embedder = await openLocalEmbedder({ modelDir: MODEL_DIR, threads: 1 });
  const withSimilarity = createScreener([rulesStage, createSimilarityStage({ embed: (t) => embedder.embed(t) })]);
  await withSimilarity.screen('warm-up: embeds the attack set');
  similarity = summarize(await measure((t) => withSimilarity.screen(t), Math.max(1, Math.round(ROUNDS / 10))));
  await embedder.close();
  log(`rules + similarity (local model, 1 thread) p50 ${similarity.p50} ms`);
} else {
  log(`no local model in ${MODEL_DIR}: the similarity stage is not measured (bash scripts/models.sh)`);
}
const result = {
  startedAt: startedAt.toISOString(),
  git: gitInfo(),
  machine: machineInfo(),
  loadAverage: os.loadavg().map((l) => round(l)),
  texts: texts.length,
  rounds: ROUNDS,
  rulesDirect: direct,
  rulesThroughScreener: staged,
  screenerOverP50: round(staged.p50 / direct.p50),
  scrubPii: pii,
  rulesPlusSimilarity: similarity ?? null,
};
log(`wrote ${await writeResult('screening', startedAt, result)}`);
console.log(JSON.stringify(result, null, 2));
