/**
 * The screener with every stage that can run on this machine, on the labelled sets: rules +
 * similarity to the shipped attack set through the local all-MiniLM-L6-v2 embedder (installed
 * by scripts/models.sh; CI installs it). The classifier stage cannot run here: no
 * prompt-injection model ships in a registry package we can reach (docs/pipeline.md), so it is
 * tested with a tiny model in screener.test.ts and is absent from these numbers.
 * Prints the rates per set and asserts floors a little below the measured values.
 * Runtime: ~370 texts embedded, ≈ 25 s of CPU (≈ 2 min wall on a loaded 2-core machine).
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalEmbedder } from '../../src/embed/local.embedder.ts';
import type { Embedder } from '../../src/embed/types.ts';
import { DEFAULT_INJECTION_THRESHOLD } from '../../src/pipeline/injection.ts';
import { createSimilarityStage } from '../../src/pipeline/injection-similarity.ts';
import { createScreener, rulesStage } from '../../src/pipeline/screener.ts';
import { HELD_OUT_2_CASES, HELD_OUT_CASES, TUNING_CASES, type InjectionCase } from './injection-cases.ts';
import { HELD_OUT_3_CASES } from './injection-cases-heldout3.ts';
import { ratesAt, report, type ScoredCase } from './injection-metrics.ts';

const MODEL_DIR = '.models/all-MiniLM-L6-v2';
const modelMissing = !existsSync(`${MODEL_DIR}/onnx/model.onnx`);

describe.skipIf(modelMissing)(`rules + similarity stage (needs ${MODEL_DIR}: bash scripts/models.sh)`, () => {
  let embedder: Embedder;
  const scored = new Map<string, ScoredCase[]>();

  beforeAll(async () => {
    embedder = await openLocalEmbedder({ modelDir: MODEL_DIR });
    const screener = createScreener([rulesStage, createSimilarityStage({ embed: (t) => embedder.embed(t) })]);
    const run = async (cases: readonly InjectionCase[]) => {
      const out: ScoredCase[] = [];
      for (const c of cases) out.push({ case: c, score: (await screener.screen(c.text)).score });
      return out;
    };
    scored.set('tuning', await run(TUNING_CASES));
    scored.set('held-out 1', await run(HELD_OUT_CASES));
    scored.set('held-out 2', await run(HELD_OUT_2_CASES));
    scored.set('held-out 3', await run(HELD_OUT_3_CASES));
  }, 600_000);

  afterAll(async () => {
    await embedder?.close();
  });

  it('prints the rates per set', () => {
    const sweep = [0.3, 0.4, 0.5, 0.6, 0.7];
    const lines = [...scored].map(([name, s]) => report(`rules + similarity, ${name}`, s, DEFAULT_INJECTION_THRESHOLD, sweep));
    console.log(`\n${lines.join('\n\n')}\n`);
  });

  // Measured: tuning 108/108, FP 0/104 (the tuning attacks are the attack set, so this says
  // nothing about recall); held-out 1 24/24, FP 0/24; held-out 2 17/25 (68 %), FP 0/25;
  // held-out 3 26/40 (65 %), FP 3/100. The goal (≥ 95 % at ≤ 1 %) is not met.
  it.each([
    ['tuning', 0.97, 0.03],
    ['held-out 1', 0.95, 0.05],
    ['held-out 2', 0.64, 0.08],
    ['held-out 3', 0.62, 0.04],
  ] as const)('keeps the %s rates', (name, minTpr, maxFpr) => {
    const r = ratesAt(scored.get(name)!, DEFAULT_INJECTION_THRESHOLD);
    expect(r.tpr).toBeGreaterThanOrEqual(minTpr);
    expect(r.fpr).toBeLessThanOrEqual(maxFpr);
  });
});
