/**
 * Dates of birth: a full calendar date right after a birth word ("DOB", "date of birth",
 * "born on", "geboren am", "né le", …). Only the date is replaced; dates elsewhere (releases,
 * deadlines, expiries) are kept — they are not personal data on their own.
 */
import type { PiiMatch } from './pii.ts';
import { calendarDateValid } from './pii-checksums.ts';
import { matchesOf } from './pii-text.ts';

const BIRTH_CONTEXT =
  /\b(?:DOB|D\.O\.B\.?|dates?[\s_-]of[\s_-]birth|birth[\s_-]?(?:date|day)|born(?:\s+on)?|geb(?:oren)?\.?(?:\s+am)?|geburtsdatum|n[ée]e?\s+le|date\s+de\s+naissance|fecha\s+de\s+nacimiento|nacid[oa]\s+el|data\s+di\s+nascita|nat[oa]\s+il|nascid[oa]\s+em|data\s+de\s+nascimento)(?![a-z])/gi;

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1, january: 1, januar: 1, janvier: 1, enero: 1, gennaio: 1, feb: 2, february: 2, februar: 2, février: 2, febrero: 2, febbraio: 2,
  mar: 3, march: 3, märz: 3, mars: 3, marzo: 3, apr: 4, april: 4, avril: 4, abril: 4, aprile: 4, may: 5, mai: 5, mayo: 5, maggio: 5,
  jun: 6, june: 6, juni: 6, juin: 6, junio: 6, giugno: 6, jul: 7, july: 7, juli: 7, juillet: 7, julio: 7, luglio: 7,
  aug: 8, august: 8, août: 8, agosto: 8, sep: 9, sept: 9, september: 9, septembre: 9, septiembre: 9, settembre: 9,
  oct: 10, october: 10, oktober: 10, octobre: 10, octubre: 10, ottobre: 10, nov: 11, november: 11, novembre: 11, noviembre: 11,
  dec: 12, december: 12, dezember: 12, décembre: 12, diciembre: 12, dicembre: 12,
};
const MONTH = '[A-Za-zäéû]{3,9}\\.?';

/** Date shapes, tried at the start of the text after the birth word (and a short gap). */
const DATE_SHAPES: ReadonlyArray<{ regex: RegExp; parse: (m: RegExpExecArray) => boolean }> = [
  { regex: /^(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?!\d)/, parse: (m) => calendarDateValid(+m[1]!, +m[2]!, +m[3]!) },
  {
    regex: /^(\d{1,2})[-./](\d{1,2})[-./](\d{4}|\d{2})(?!\d)/,
    parse: (m) => {
      const year = m[3]!.length === 2 ? 1900 + +m[3]! : +m[3]!;
      return calendarDateValid(year, +m[2]!, +m[1]!) || calendarDateValid(year, +m[1]!, +m[2]!);
    },
  },
  {
    regex: new RegExp(`^(\\d{1,2})(?:st|nd|rd|th|\\.)?\\s(?:of\\s)?(${MONTH}),?\\s(\\d{4})(?!\\d)`, 'i'),
    parse: (m) => calendarDateValid(+m[3]!, MONTHS[m[2]!.toLowerCase().replace('.', '')] ?? 0, +m[1]!),
  },
  {
    regex: new RegExp(`^(${MONTH})\\s(\\d{1,2})(?:st|nd|rd|th)?,?\\s(\\d{4})(?!\\d)`, 'i'),
    parse: (m) => calendarDateValid(+m[3]!, MONTHS[m[1]!.toLowerCase().replace('.', '')] ?? 0, +m[2]!),
  },
];

/** A birth word, then at most 12 characters of punctuation, quotes or filler words, then the date. */
const GAP = /^(?:[\s:="'#(,-]|is\b|was\b|on\b|am\b|le\b|el\b|il\b|em\b){0,12}/i;

/** Dates of birth: see the file comment. */
export function detectDatesOfBirth(text: string): PiiMatch[] {
  const found: PiiMatch[] = [];
  for (const c of matchesOf(BIRTH_CONTEXT, text)) {
    const from = c.index + c[0].length;
    const window = text.slice(from, from + 40);
    const gap = GAP.exec(window)![0].length;
    const rest = window.slice(gap);
    for (const { regex, parse } of DATE_SHAPES) {
      const m = regex.exec(rest);
      if (!m || !parse(m)) continue;
      found.push({ type: 'DATE_OF_BIRTH', start: from + gap, end: from + gap + m[0].length });
      break;
    }
  }
  return found;
}
