/**
 * Detection metrics for the injection screener over a labelled set, and the plain-text tables
 * the evaluation test prints.
 */
import type { InjectionCase } from './injection-cases.ts';

/** One case with its score. */
export interface ScoredCase {
  case: InjectionCase;
  score: number;
}

/** Counts and rates at one threshold. */
export interface Rates {
  threshold: number;
  tp: number;
  fn: number;
  fp: number;
  tn: number;
  /** Detection rate (recall): flagged malicious / malicious. */
  tpr: number;
  /** Flagged benign / benign. */
  fpr: number;
  precision: number;
  f1: number;
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

/** Rates of `scored` at `threshold` (flagged when score ≥ threshold). */
export function ratesAt(scored: readonly ScoredCase[], threshold: number): Rates {
  let tp = 0;
  let fn = 0;
  let fp = 0;
  let tn = 0;
  for (const { case: c, score } of scored) {
    const flagged = score >= threshold;
    if (c.label === 'malicious') flagged ? tp++ : fn++;
    else flagged ? fp++ : tn++;
  }
  const tpr = ratio(tp, tp + fn);
  const precision = ratio(tp, tp + fp);
  return { threshold, tp, fn, fp, tn, tpr, fpr: ratio(fp, fp + tn), precision, f1: ratio(2 * precision * tpr, precision + tpr) };
}

/** Per category: how many cases, how many flagged, and the flagged share. */
export function perCategory(scored: readonly ScoredCase[], label: InjectionCase['label'], threshold: number): { category: string; n: number; flagged: number; rate: number }[] {
  const groups = new Map<string, { n: number; flagged: number }>();
  for (const { case: c, score } of scored) {
    if (c.label !== label) continue;
    const g = groups.get(c.category) ?? { n: 0, flagged: 0 };
    g.n++;
    if (score >= threshold) g.flagged++;
    groups.set(c.category, g);
  }
  return [...groups].map(([category, g]) => ({ category, ...g, rate: ratio(g.flagged, g.n) })).sort((a, b) => a.category.localeCompare(b.category));
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** A fixed-width table. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The report for one set: overall rates, per-category rates at `threshold`, and a sweep. */
export function report(title: string, scored: readonly ScoredCase[], threshold: number, sweep: readonly number[]): string {
  const r = ratesAt(scored, threshold);
  const malicious = perCategory(scored, 'malicious', threshold);
  const benign = perCategory(scored, 'benign', threshold);
  return [
    `== ${title}: ${scored.length} cases (${r.tp + r.fn} malicious, ${r.fp + r.tn} benign), threshold ${threshold}`,
    `detection rate (TPR/recall) ${pct(r.tpr)} (${r.tp}/${r.tp + r.fn})  false-positive rate ${pct(r.fpr)} (${r.fp}/${r.fp + r.tn})  precision ${pct(r.precision)}  F1 ${r.f1.toFixed(3)}`,
    '',
    table(['malicious category', 'n', 'detected', 'TPR'], malicious.map((g) => [g.category, String(g.n), String(g.flagged), pct(g.rate)])),
    '',
    table(['benign category', 'n', 'flagged', 'FPR'], benign.map((g) => [g.category, String(g.n), String(g.flagged), pct(g.rate)])),
    '',
    table(
      ['threshold', 'TPR', 'FPR', 'precision', 'F1'],
      sweep.map((t) => ratesAt(scored, t)).map((x) => [x.threshold.toFixed(2), pct(x.tpr), pct(x.fpr), pct(x.precision), x.f1.toFixed(3)]),
    ),
  ].join('\n');
}
