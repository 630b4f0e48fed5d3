/**
 * Detectors for numbers validated by a checksum or issuing rules: payment cards (Luhn + issuer
 * prefix + length), IBANs (country length + ISO 7064 mod 97) and national IDs (US SSN and ITIN,
 * UK National Insurance number).
 */
import type { PiiMatch } from './pii.ts';
import { cardPrefixPlausible, IBAN_LENGTHS, ibanValid, itinValid, luhnValid, ninoPrefixValid, ssnValid } from './pii-validators.ts';
import { after, before, type DigitGroup, digitRuns, matchesOf } from './pii-text.ts';

/** Group lengths a printed card number uses besides 4-4-4-4(-1..3): Amex 4-6-5, Diners 4-6-4. */
const CARD_LAYOUTS = ['4,6,5', '4,6,4'];

function cardLayoutPlausible(lengths: number[]): boolean {
  if (lengths.length === 1 || CARD_LAYOUTS.includes(lengths.join(','))) return true;
  return lengths.every((len, k) => (k === lengths.length - 1 ? len >= 1 && len <= 4 : len === 4));
}

/** The card number within `run` that starts at group `i`, as the index of its last group, or -1. */
function cardEndingFrom(text: string, run: DigitGroup[], i: number): number {
  const first = run[i]!;
  if (i === 0 ? /[\w.+\-/]/.test(before(text, first.start, 1)) : text[first.start - 1] !== ' ') return -1;
  let best = -1;
  let digits = '';
  const lengths: number[] = [];
  const separators = new Set<string>();
  for (let j = i; j < run.length; j += 1) {
    const group = run[j]!;
    digits += text.slice(group.start, group.end);
    lengths.push(group.end - group.start);
    if (j > i) separators.add(text[group.start - 1]!);
    if (digits.length > 19 || separators.size > 1) break;
    // Only the last group of a printed card may be shorter than 4 (Amex/Diners use a 6).
    if (lengths.length > 1 && lengths[lengths.length - 2] !== 4 && lengths[lengths.length - 2] !== 6) break;
    const next = run[j + 1];
    const endOk = next ? text[group.end] === ' ' : !/^(?:\w|[.,]\d)/.test(after(text, group.end, 2));
    if (digits.length >= 12 && endOk && cardLayoutPlausible(lengths) && cardPrefixPlausible(digits) && luhnValid(digits)) best = j;
  }
  return best;
}

/** Payment card numbers: 12–19 digits, contiguous or in one consistent layout, Luhn-valid, with a real issuer prefix. */
export function detectCards(text: string): PiiMatch[] {
  const found: PiiMatch[] = [];
  for (const run of digitRuns(text, ' -', 1, 12)) {
    for (let i = 0; i < run.length; i += 1) {
      const j = cardEndingFrom(text, run, i);
      if (j < 0) continue;
      found.push({ type: 'CARD', start: run[i]!.start, end: run[j]!.end });
      i = j;
    }
  }
  return found;
}

const IBAN_START = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?=[ ]?[A-Z0-9])/g;

/**
 * IBANs in compact (DE89370400440532013000) or printed form (DE89 3704 0044 0532 0130 00; any
 * single spaces), upper case, exactly the country's length and passing mod 97.
 */
export function detectIbans(text: string): PiiMatch[] {
  const found: PiiMatch[] = [];
  for (const m of matchesOf(IBAN_START, text)) {
    const length = IBAN_LENGTHS[m[0].slice(0, 2)];
    if (length === undefined) continue;
    let compact = m[0];
    let p = m.index + 4;
    while (compact.length < length && p < text.length) {
      if (text[p] === ' ') p += 1; // single spaces anywhere: DE89 3704 0044 …, DE89 37040044 0532013000
      const ch = text[p];
      if (ch === undefined || !/[A-Z0-9]/.test(ch)) break;
      compact += ch;
      p += 1;
    }
    if (compact.length !== length || /[A-Za-z0-9]/.test(after(text, p, 1)) || !ibanValid(compact)) continue;
    found.push({ type: 'IBAN', start: m.index, end: p });
    IBAN_START.lastIndex = p;
  }
  return found;
}

/** 3-2-4 digit groups, separated by one consistent dash or space, or not at all. */
const SSN = /(?<![\w\-./#$])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\w@]|[\-./,]\d)/g;
/** Words just before a number that say it is an SSN or taxpayer ID. */
const SSN_CONTEXT =
  /(?:\bssn|\bsocial[\s-]security|\bss#|\bsoc\.?\s?sec|\btax(?:payer)?[\s-]?id|\btin\b|\bitin\b)[^\n\d]{0,24}$/i;
/** Words just before a 3-2-4 number that say it is something else (an order, a phone, …). */
const SSN_NOT_CONTEXT =
  /(?:\border|\binvoice|\bref(?:erence)?|\bticket|\btracking|\bpart|\bsku|\bcase|\bpo\b|\bmodel|\bbatch|\blot\b|\bitem|\bserial|\baccount|\bacct|\bphone|\btel\b|\bcall|\bfax|\bversion|\bbuild|#)[^\n\d]{0,16}$/i;

/** UK National Insurance number: two prefix letters, six digits, suffix A–D. */
const NINO = /(?<![A-Za-z0-9])([A-Z]{2}) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-D])(?![A-Za-z0-9])/g;
const NINO_CONTEXT = /(?:national\s+insurance|\bNI\b|\bNINO\b)[^\n]{0,24}$/i;

/**
 * National ID numbers: US SSNs and ITINs (dashed 123-45-6789 anywhere but after words like
 * "order" or "phone"; spaced or unseparated only after "SSN", "social security", "tax ID", …)
 * and UK National Insurance numbers (spaced form anywhere, compact form after "NI"/"national insurance").
 */
export function detectNationalIds(text: string): PiiMatch[] {
  const found: PiiMatch[] = [];
  for (const m of matchesOf(SSN, text)) {
    const [, area, sep, group, serial] = m as unknown as [string, string, string, string, string];
    if (!ssnValid(area, group, serial) && !itinValid(area, group, serial)) continue;
    const context = before(text, m.index, 60);
    const anchored = SSN_CONTEXT.test(context);
    if (!anchored && (sep !== '-' || SSN_NOT_CONTEXT.test(context))) continue;
    found.push({ type: 'NATIONAL_ID', start: m.index, end: m.index + m[0].length });
  }
  for (const m of matchesOf(NINO, text)) {
    if (!ninoPrefixValid(m[1]!)) continue;
    const fullySpaced = (m[0].match(/ /g) ?? []).length === 4;
    if (!fullySpaced && !NINO_CONTEXT.test(before(text, m.index, 50))) continue;
    found.push({ type: 'NATIONAL_ID', start: m.index, end: m.index + m[0].length });
  }
  return found;
}
