/**
 * Precision and recall per PII type over a labelled set. A detection counts as a true
 * positive only when an expected match has the same type and exactly the same span.
 */
import { findPii, PII_TYPES, type PiiType } from '../../src/pipeline/pii.ts';
import { expectedSpans, type PiiCase } from './pii-case.ts';

export interface TypeScore {
  tp: number;
  fp: number;
  fn: number;
  /** tp / (tp + fp); 1 when nothing was detected. */
  precision: number;
  /** tp / (tp + fn); 1 when nothing was expected. */
  recall: number;
}

export type Scores = Record<PiiType, TypeScore>;

/** Scores `findPii` on `cases`, per type. */
export function score(cases: readonly PiiCase[]): Scores {
  const counts = Object.fromEntries(PII_TYPES.map((t) => [t, { tp: 0, fp: 0, fn: 0 }])) as Record<PiiType, { tp: number; fp: number; fn: number }>;
  for (const pc of cases) {
    const key = (m: { type: PiiType; start: number; end: number }) => `${m.type}@${m.start}-${m.end}`;
    const expected = new Set(expectedSpans(pc).map(key));
    const found = new Set(findPii(pc.text).map(key));
    for (const k of found) counts[k.split('@')[0] as PiiType][expected.has(k) ? 'tp' : 'fp'] += 1;
    for (const k of expected) if (!found.has(k)) counts[k.split('@')[0] as PiiType].fn += 1;
  }
  const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
  return Object.fromEntries(
    PII_TYPES.map((t) => {
      const { tp, fp, fn } = counts[t];
      return [t, { tp, fp, fn, precision: ratio(tp, tp + fp), recall: ratio(tp, tp + fn) }];
    }),
  ) as Scores;
}

/** A markdown table of the scores, as docs/pipeline.md shows it. */
export function scoreTable(title: string, scores: Scores): string {
  const rows = PII_TYPES.map((t) => {
    const s = scores[t];
    return `| ${t} | ${s.tp} | ${s.fp} | ${s.fn} | ${s.precision.toFixed(3)} | ${s.recall.toFixed(3)} |`;
  });
  return [title, '| type | TP | FP | FN | precision | recall |', '| --- | ---: | ---: | ---: | ---: | ---: |', ...rows].join('\n');
}
