/**
 * scrubPii: the placeholder/redaction contract, performance on large and adversarial inputs,
 * and the evaluation over the labelled sets (precision and recall per type, printed as a table).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findPii, PII_TYPES, type PiiType, scrubPii } from '../../src/pipeline/pii.ts';
import { expectedSpans, HARD_NEGATIVE_CASES, PII_CASES } from './pii-cases.ts';
import { HOLDOUT_CASES } from './pii-cases-holdout.ts';
import { HOLDOUT_2_CASES } from './pii-cases-holdout2.ts';
import { type Scores, score, scoreTable } from './pii-metrics.ts';

const MiB = 1 << 20;
const ALL_CASES = [...PII_CASES, ...HOLDOUT_CASES, ...HOLDOUT_2_CASES];

describe('scrubPii contract', () => {
  afterEach(() => vi.restoreAllMocks());

  it('replaces each match with its typed placeholder and counts per type, in PII_TYPES order', () => {
    const text = 'Call +44 20 7946 0958 or mail a@example.com, b@example.com; card 4242 4242 4242 4242; token AKIAIOSFODNN7EXAMPLE.';
    expect(scrubPii(text)).toEqual({
      text: 'Call [PHONE] or mail [EMAIL], [EMAIL]; card [CARD]; token [SECRET].',
      redactions: [
        { type: 'EMAIL', count: 2 },
        { type: 'PHONE', count: 1 },
        { type: 'CARD', count: 1 },
        { type: 'SECRET', count: 1 },
      ],
    });
  });

  it('uses exactly the fourteen placeholders', () => {
    const text = [
      'a@example.com',
      '+44 20 7946 0958',
      '4242 4242 4242 4242',
      'DE89370400440532013000',
      '123-45-6789',
      '203.0.113.9',
      'AKIAIOSFODNN7EXAMPLE',
      'Name: Jane Doe',
      '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2',
      'passport 563478291',
      'MORGA753116SM9IJ',
      'NHS number 943 476 5919',
      'DOB 1990-02-14',
      '742 Evergreen Terrace',
    ].join('\n');
    expect(scrubPii(text).text).toBe(
      '[EMAIL]\n[PHONE]\n[CARD]\n[IBAN]\n[NATIONAL_ID]\n[IP]\n[SECRET]\nName: [PERSON]\n[CRYPTO]\npassport [PASSPORT]\n[DRIVING_LICENCE]\nNHS number [MEDICAL_ID]\nDOB [DATE_OF_BIRTH]\n[ADDRESS]',
    );
    expect(scrubPii(text).redactions.map((r) => r.type)).toEqual([...PII_TYPES]);
  });

  it('returns the text unchanged and no redactions when there is nothing to replace', () => {
    expect(scrubPii('')).toEqual({ text: '', redactions: [] });
    const plain = 'Upgraded to v1.2.3 on 2024-01-15 (commit 3f78685), see RFC 5322.';
    expect(scrubPii(plain)).toEqual({ text: plain, redactions: [] });
  });

  it('replaces only the requested types', () => {
    const text = 'a@example.com 203.0.113.9 4242 4242 4242 4242';
    expect(scrubPii(text, { types: ['IP'] })).toEqual({ text: 'a@example.com [IP] 4242 4242 4242 4242', redactions: [{ type: 'IP', count: 1 }] });
    expect(scrubPii(text, { types: [] })).toEqual({ text, redactions: [] });
  });

  it('is idempotent: scrubbing scrubbed text changes nothing', () => {
    for (const pc of ALL_CASES) {
      const once = scrubPii(pc.text).text;
      expect(scrubPii(once), pc.text).toEqual({ text: once, redactions: [] });
    }
  });

  it('keeps no expected value in the scrubbed text when it was found', () => {
    for (const pc of ALL_CASES) {
      const found = new Set(findPii(pc.text).map((m) => `${m.start}-${m.end}`));
      const scrubbed = scrubPii(pc.text).text;
      for (const span of expectedSpans(pc)) {
        if (found.has(`${span.start}-${span.end}`)) expect(scrubbed, pc.text).not.toContain(pc.text.slice(span.start, span.end));
      }
    }
  });

  it('agrees with findPii: the redactions count its matches', () => {
    for (const pc of ALL_CASES) {
      const counts = new Map<PiiType, number>();
      for (const m of findPii(pc.text)) counts.set(m.type, (counts.get(m.type) ?? 0) + 1);
      expect(scrubPii(pc.text).redactions).toEqual(PII_TYPES.filter((t) => counts.has(t)).map((type) => ({ type, count: counts.get(type) })));
    }
  });

  it('finds non-overlapping matches in text order', () => {
    for (const pc of ALL_CASES) {
      const matches = findPii(pc.text);
      for (let i = 1; i < matches.length; i += 1) expect(matches[i]!.start).toBeGreaterThanOrEqual(matches[i - 1]!.end);
    }
  });

  it('is deterministic and never logs', () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((m) => vi.spyOn(console, m).mockImplementation(() => {}));
    const stdout = vi.spyOn(process.stdout, 'write');
    const stderr = vi.spyOn(process.stderr, 'write');
    const text = ALL_CASES.map((pc) => pc.text).join('\n');
    const first = scrubPii(text);
    expect(scrubPii(text)).toEqual(first);
    for (const spy of [...spies, stdout, stderr]) expect(spy).not.toHaveBeenCalled();
  });
});

describe('scrubPii performance', () => {
  /** `unit` repeated to 1 MiB. */
  const fill = (unit: string) => unit.repeat(Math.ceil(MiB / unit.length)).slice(0, MiB);

  // Hang guards, not performance assertions (speed is measured in docs/pipeline.md): a busy CI
  // machine may be several times slower; catastrophic backtracking would take minutes.
  it('scrubs 1 MiB of mixed text without backtracking blow-up', { timeout: 60_000 }, () => {
    let text = '';
    const corpus = ALL_CASES.map((pc) => pc.text).join('\n');
    while (text.length < MiB) text += `${corpus}\n`;
    const started = performance.now();
    const result = scrubPii(text.slice(0, MiB));
    const ms = performance.now() - started;
    expect(result.redactions.length).toBe(PII_TYPES.length);
    expect(ms).toBeLessThan(20_000); // measured ≈ 0.25–0.55 s on the 2-core CI machine
  });

  it.each([
    ['digits', fill('1')],
    ['spaced digits', fill('1 ')],
    ['spaced digit pairs', fill('12 ')],
    ['digit groups of four', fill('4242 ')],
    ['dotted digits', fill('1.')],
    ['dashed digits', fill('1-')],
    ['plus signs', fill('+1 ')],
    ['at signs', fill('@')],
    ['letters then one @', `${fill('a').slice(1)}@`],
    ['a long domain', `a@${fill('b.')}`],
    ['hex and colons', fill('ab:')],
    ['digits and colons', fill('1:')],
    ['an endless JWT header', `eyJ${fill('a')}`],
    ['PEM BEGIN lines without END', fill('-----BEGIN PRIVATE KEY-----\n')],
    ['assignment keys', fill('password=')],
    ['an unclosed quoted value', `password="${fill('a')}`],
    ['honorifics', fill('Mr. John ')],
    ['IBAN-like groups', fill('DE89 ')],
    ['parenthesised area codes', fill('(415) ')],
    ['URL credentials', fill('https://a:b@')],
  ])('no backtracking blow-up on adversarial input: %s', { timeout: 60_000 }, (_name, text) => {
    const started = performance.now();
    scrubPii(text);
    // Each measured ≤ 0.6 s alone (≤ 1.3 s beside other test files); catastrophic backtracking would take minutes.
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});

/** The floors asserted below: a little under the values measured when they were set. */
interface Floors {
  precision: Record<PiiType, number>;
  recall: Record<PiiType, number>;
}

function expectFloors(scores: Scores, floors: Floors): void {
  for (const type of PII_TYPES) {
    expect(scores[type].precision, `${type} precision`).toBeGreaterThanOrEqual(floors.precision[type]);
    expect(scores[type].recall, `${type} recall`).toBeGreaterThanOrEqual(floors.recall[type]);
  }
}

const every = (value: number, overrides: Partial<Record<PiiType, number>> = {}) =>
  ({ ...Object.fromEntries(PII_TYPES.map((t) => [t, value])), ...overrides }) as Record<PiiType, number>;

describe('evaluation on the labelled sets', () => {
  it('the development set has ≥ 250 cases with ≥ 80 hard negatives, every expected value in its text', () => {
    expect(PII_CASES.length).toBeGreaterThanOrEqual(250);
    expect(HARD_NEGATIVE_CASES.filter((pc) => pc.expected.length === 0).length).toBeGreaterThanOrEqual(80);
    for (const pc of ALL_CASES) expect(() => expectedSpans(pc)).not.toThrow();
    for (const type of PII_TYPES) expect(PII_CASES.some((pc) => pc.expected.some((e) => e.type === type)), type).toBe(true);
  });

  it('development set: precision and recall per type', () => {
    const scores = score(PII_CASES);
    console.log(`\n${scoreTable(`PII scrubbing, development set (${PII_CASES.length} cases)`, scores)}\n`);
    // Measured: precision 1.000 for every type but PERSON 0.941 (32/34); recall 1.000 but
    // PHONE 0.973 (36/37) and PERSON 0.914 (32/35) (0.657 before given names in prose).
    expectFloors(scores, { precision: every(0.97, { PERSON: 0.9 }), recall: every(0.95, { PERSON: 0.85 }) });
  });

  it('held-out set: precision and recall per type', () => {
    const scores = score(HOLDOUT_CASES);
    console.log(`\n${scoreTable(`PII scrubbing, held-out set (${HOLDOUT_CASES.length} cases)`, scores)}\n`);
    // Measured: precision 1.000 but NATIONAL_ID 0.800 (4/5), IP 0.875 (7/8), PERSON 0.750 (6/8);
    // recall 1.000 but PHONE 0.833 (5/6). Small set: one case moves a ratio a lot.
    expectFloors(scores, {
      precision: every(0.95, { NATIONAL_ID: 0.8, IP: 0.85, PERSON: 0.7 }),
      recall: every(0.95, { PHONE: 0.8 }),
    });
  });

  it('held-out set 2 (issue 21): structured types at recall ≥ 0.98 and precision ≥ 0.95', () => {
    const scores = score(HOLDOUT_2_CASES);
    console.log(`\n${scoreTable(`PII scrubbing, held-out set 2 (${HOLDOUT_2_CASES.length} cases)`, scores)}\n`);
    // Measured at its first run: 1.000 / 1.000 for every type (77 expected values; 29 of the 104 cases are hard
    // negatives). PERSON and ADDRESS are free-form, not "structured"; they get their own floors.
    for (const type of PII_TYPES) expect(HOLDOUT_2_CASES.some((pc) => pc.expected.some((e) => e.type === type)), type).toBe(true);
    expectFloors(scores, { precision: every(0.95, { PERSON: 0.7, ADDRESS: 0.8 }), recall: every(0.98, { PERSON: 0.7, ADDRESS: 0.8 }) });
  });
});
