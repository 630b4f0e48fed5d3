/**
 * Evaluation of the injection screener on the labelled set (test/pipeline/injection-cases*.ts):
 * prints detection and false-positive rates overall and per category at the default threshold,
 * precision / recall / F1, and a threshold sweep — for the tuning set and the held-out set
 * apart — and asserts floors a little below the measured values, so a regression fails.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_INJECTION_THRESHOLD, screenInjection } from '../../src/pipeline/injection.ts';
import { HELD_OUT_2_CASES, HELD_OUT_CASES, TUNING_CASES, type InjectionCase } from './injection-cases.ts';
import { HELD_OUT_3_CASES } from './injection-cases-heldout3.ts';
import { ratesAt, report, type ScoredCase } from './injection-metrics.ts';

const SWEEP = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
const score = (cases: readonly InjectionCase[]): ScoredCase[] => cases.map((c) => ({ case: c, score: screenInjection(c.text).score }));

describe('injection screener on the labelled set', () => {
  const tuning = score(TUNING_CASES);
  const heldOut = score(HELD_OUT_CASES);
  const heldOut2 = score(HELD_OUT_2_CASES);
  const heldOut3 = score(HELD_OUT_3_CASES);
  const all = [...tuning, ...heldOut, ...heldOut2, ...heldOut3];

  it('has a roughly balanced set of at least 200 cases with unique ids', () => {
    const all = [...TUNING_CASES, ...HELD_OUT_CASES, ...HELD_OUT_2_CASES];
    expect(all.length).toBeGreaterThanOrEqual(200);
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
    const malicious = all.filter((c) => c.label === 'malicious').length;
    expect(malicious / all.length).toBeGreaterThan(0.4);
    expect(malicious / all.length).toBeLessThan(0.6);
  });

  it('prints the rate tables', () => {
    const lines = [
      report('tuning set (tuned against)', tuning, DEFAULT_INJECTION_THRESHOLD, SWEEP),
      report('held-out set 1 (clean at first measurement, seen in tuning round 2)', heldOut, DEFAULT_INJECTION_THRESHOLD, SWEEP),
      report('held-out set 2 (clean)', heldOut2, DEFAULT_INJECTION_THRESHOLD, SWEEP),
      report('held-out set 3 (clean, issue 21)', heldOut3, DEFAULT_INJECTION_THRESHOLD, SWEEP),
      report('all cases', all, DEFAULT_INJECTION_THRESHOLD, SWEEP),
      'misses and false alarms at the default threshold:',
      ...all
        .filter(({ case: c, score: s }) => (c.label === 'malicious') !== s >= DEFAULT_INJECTION_THRESHOLD)
        .map(({ case: c, score: s }) => `  ${c.id} (${c.label}, ${c.category}) score ${s}`),
    ];
    console.log(`\n${lines.join('\n')}\n`);
  });

  // Floors a little below the values measured when they were written (tables in docs/pipeline.md):
  // tuning TPR 100% (108/108) / FPR 0% (0/104); held-out 1 TPR 100% (24/24) / FPR 0% (0/24) after
  // tuning round 2 (66.7% / 0% at its first, clean measurement); held-out 2 TPR 68% (17/25) /
  // FPR 0% (0/25); held-out 3 TPR 60% (24/40) / FPR 3% (3/100).
  it.each([
    ['tuning set', () => tuning, 0.97, 0.03],
    ['held-out set 1', () => heldOut, 0.95, 0.05],
    ['held-out set 2', () => heldOut2, 0.64, 0.08],
    ['held-out set 3', () => heldOut3, 0.57, 0.04],
  ] as const)('keeps the %s rates', (_name, scored, minTpr, maxFpr) => {
    const r = ratesAt(scored(), DEFAULT_INJECTION_THRESHOLD);
    expect(r.tpr).toBeGreaterThanOrEqual(minTpr);
    expect(r.fpr).toBeLessThanOrEqual(maxFpr);
  });
});
