/**
 * Evaluation of the injection screener on the labelled set (test/pipeline/injection-cases*.ts):
 * prints detection and false-positive rates overall and per category at the default threshold,
 * precision / recall / F1, and a threshold sweep — for the tuning set and the held-out set
 * apart — and asserts floors a little below the measured values, so a regression fails.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_INJECTION_THRESHOLD, screenInjection } from '../../src/pipeline/injection.ts';
import { HELD_OUT_CASES, TUNING_CASES, type InjectionCase } from './injection-cases.ts';
import { ratesAt, report, type ScoredCase } from './injection-metrics.ts';

const SWEEP = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
const score = (cases: readonly InjectionCase[]): ScoredCase[] => cases.map((c) => ({ case: c, score: screenInjection(c.text).score }));

describe('injection screener on the labelled set', () => {
  const tuning = score(TUNING_CASES);
  const heldOut = score(HELD_OUT_CASES);

  it('has a roughly balanced set of at least 200 cases with unique ids', () => {
    const all = [...TUNING_CASES, ...HELD_OUT_CASES];
    expect(all.length).toBeGreaterThanOrEqual(200);
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
    const malicious = all.filter((c) => c.label === 'malicious').length;
    expect(malicious / all.length).toBeGreaterThan(0.4);
    expect(malicious / all.length).toBeLessThan(0.6);
  });

  it('prints the rate tables', () => {
    const lines = [
      report('tuning set', tuning, DEFAULT_INJECTION_THRESHOLD, SWEEP),
      report('held-out set', heldOut, DEFAULT_INJECTION_THRESHOLD, SWEEP),
      report('all cases', [...tuning, ...heldOut], DEFAULT_INJECTION_THRESHOLD, SWEEP),
      'misses and false alarms at the default threshold:',
      ...[...tuning, ...heldOut]
        .filter(({ case: c, score: s }) => (c.label === 'malicious') !== s >= DEFAULT_INJECTION_THRESHOLD)
        .map(({ case: c, score: s }) => `  ${c.id} (${c.label}, ${c.category}) score ${s}`),
    ];
    console.log(`\n${lines.join('\n')}\n`);
  });

  // Measured at the commit that wrote these floors (see docs/pipeline.md for the tables):
  // tuning set TPR 100% / FPR 0%; held-out set TPR 66.7% (16/24) / FPR 0% (0/24).
  it('keeps the tuning-set rates', () => {
    const r = ratesAt(tuning, DEFAULT_INJECTION_THRESHOLD);
    expect(r.tpr).toBeGreaterThanOrEqual(0.97);
    expect(r.fpr).toBeLessThanOrEqual(0.03);
  });

  it('keeps the held-out rates', () => {
    const r = ratesAt(heldOut, DEFAULT_INJECTION_THRESHOLD);
    expect(r.tpr).toBeGreaterThanOrEqual(0.6);
    expect(r.fpr).toBeLessThanOrEqual(0.1);
  });
});
