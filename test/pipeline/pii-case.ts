/**
 * The shape of a labelled PII case and a terse builder for writing them.
 * `value` is the exact substring that must be replaced; when a value occurs several times in
 * a text, list it once per occurrence to be replaced (the k-th listing is the k-th occurrence).
 */
import type { PiiType } from '../../src/pipeline/pii.ts';

export interface ExpectedMatch {
  type: PiiType;
  value: string;
}

export interface PiiCase {
  text: string;
  expected: ExpectedMatch[];
}

/** `c(text, ['EMAIL', 'a@b.org'], …)`: a case; no pairs makes a negative case. */
export function c(text: string, ...expected: Array<[PiiType, string]>): PiiCase {
  return { text, expected: expected.map(([type, value]) => ({ type, value })) };
}

/** The spans the expected values occupy in the text (k-th listing of a value = k-th occurrence). */
export function expectedSpans(pc: PiiCase): Array<{ type: PiiType; start: number; end: number }> {
  const seen = new Map<string, number>();
  return pc.expected.map(({ type, value }) => {
    let from = seen.get(value) ?? 0;
    const start = pc.text.indexOf(value, from);
    if (start < 0) throw new Error(`expected value ${JSON.stringify(value)} does not occur (again) in ${JSON.stringify(pc.text)}`);
    from = start + value.length;
    seen.set(value, from);
    return { type, start, end: start + value.length };
  });
}
