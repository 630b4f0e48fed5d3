/**
 * Identity-document numbers: passports (the number after a passport word in a dozen
 * languages, shapes of the largest issuing countries; the machine-readable zone line with its
 * ICAO 9303 check digits anywhere), driving licences (the UK DVLA number by structure anywhere,
 * India's by state code and structure, others after a driving-licence word) and medical
 * identifiers (NHS numbers with mod 11 after a health word, medical record numbers after
 * "MRN", US Medicare Beneficiary Identifiers by their position rules).
 */
import type { PiiMatch, PiiType } from './pii.ts';
import { mrzCheckDigit, nhsNumberValid } from './pii-checksums.ts';
import { before, matchesOf } from './pii-text.ts';

/** How far after a context word its number is looked for. */
const AFTER_CONTEXT = 32;

/**
 * The first token after each match of `context` (within {@link AFTER_CONTEXT} characters,
 * same line) that matches `token` and passes `accept`.
 */
function afterContext(text: string, context: RegExp, token: RegExp, type: PiiType, accept: (value: string) => boolean): PiiMatch[] {
  const found: PiiMatch[] = [];
  for (const c of matchesOf(context, text)) {
    const from = c.index + c[0].length;
    const window = text.slice(from, from + AFTER_CONTEXT).split('\n')[0]!;
    for (const m of matchesOf(token, window)) {
      if (!accept(m[0])) continue;
      found.push({ type, start: from + m.index, end: from + m.index + m[0].length });
      break;
    }
  }
  return found;
}

const digits = (value: string) => value.replace(/\D/g, '').length;

const PASSPORT_CONTEXT = /passports?|passeport|reisepass|pasaporte|passaporto|paspoort|passaporte|pasport|паспорт|护照|旅券|여권/gi;
/** US/UK 9 digits, India A1234567, China E12345678 / EA1234567, Canada AB123456, France 18AB12345, Germany C01X00T47, Japan TK1234567. */
const PASSPORT_TOKEN = /(?<![A-Za-z0-9])(?:[A-Z0-9]{6,10}|\d{2} ?\d{7})(?![A-Za-z0-9])/g;
/** TD3 passport MRZ line 2: number, check, nationality, birth date, check, sex, expiry, check, optional data, checks. */
const MRZ_LINE_2 = /(?<![A-Z0-9<])([A-Z0-9<]{9})(\d)[A-Z<]{3}(\d{6})(\d)[MFX<](\d{6})(\d)[A-Z0-9<]{14}[0-9<]\d(?![A-Z0-9<])/g;

function passports(text: string): PiiMatch[] {
  const found = afterContext(text, PASSPORT_CONTEXT, PASSPORT_TOKEN, 'PASSPORT', (v) => digits(v) >= 5 && !/^(?:19|20)\d\d$/.test(v));
  for (const m of matchesOf(MRZ_LINE_2, text)) {
    const [, number, numberCheck, birth, birthCheck, expiry, expiryCheck] = m as unknown as string[];
    if (mrzCheckDigit(number!) !== Number(numberCheck) || mrzCheckDigit(birth!) !== Number(birthCheck) || mrzCheckDigit(expiry!) !== Number(expiryCheck)) continue;
    found.push({ type: 'PASSPORT', start: m.index, end: m.index + m[0].length });
  }
  return found;
}

/** UK DVLA: surname (5, padded with 9), decade, month (+50 for women), day, year, initials, digit, 2 check letters. */
const DVLA = /(?<![A-Za-z0-9])[A-Z9]{5}\d([0156]\d)([0-3]\d)\d[A-Z9]{2}\d[A-Z]{2}(?![A-Za-z0-9])/g;
const INDIA_STATES = new Set(
  'AN AP AR AS BR CH CG DD DL DN GA GJ HR HP JK JH KA KL LA LD MP MH MN ML MZ NL OD OR PY PB RJ SK TN TS TR UP UK UA WB'.split(' '),
);
/** India: state code, RTO code, year of issue, 7 digits (MH12 20110012345, DL-0420110149646). */
const INDIA_DL = /(?<![A-Za-z0-9])([A-Z]{2})[- ]?\d{2}[- ]?(?:19|20)\d{2}\d{7}(?![A-Za-z0-9])/g;
const LICENCE_CONTEXT =
  /driv(?:er'?s?|ing)[\s-]{0,2}licen[cs]es?(?:\s(?:no\.?|number|#|nr\.?))?|\bDL\s?(?:#|no\.?|number|nr\.?)|\bDVLA\b|führerschein(?:nummer)?|permis de conduire|licencia de conducir|carteira de motorista|patente di guida|rijbewijs/gi;
/** A licence number: 5–18 letters and digits, dashes or single spaces between groups, ≥ 4 digits. */
const LICENCE_TOKEN = /(?<![A-Za-z0-9])[A-Z0-9]{1,12}(?:[- ][A-Z0-9]{1,12}){0,4}(?![A-Za-z0-9])/g;

function drivingLicences(text: string): PiiMatch[] {
  const found = afterContext(text, LICENCE_CONTEXT, LICENCE_TOKEN, 'DRIVING_LICENCE', (v) => {
    const compact = v.replace(/[- ]/g, '');
    return compact.length >= 5 && compact.length <= 18 && digits(v) >= 4;
  });
  for (const m of matchesOf(DVLA, text)) {
    const month = Number(m[1]) % 50;
    const day = Number(m[2]);
    if (month >= 1 && month <= 12 && day >= 1 && day <= 31) found.push({ type: 'DRIVING_LICENCE', start: m.index, end: m.index + m[0].length });
  }
  for (const m of matchesOf(INDIA_DL, text)) if (INDIA_STATES.has(m[1]!)) found.push({ type: 'DRIVING_LICENCE', start: m.index, end: m.index + m[0].length });
  return found;
}

const NHS = /(?<![\w.+-])\d{3}([ -]?)\d{3}\1\d{4}(?![\w]|[.-]\d)/g;
const NHS_CONTEXT = /(?:\bnhs\b|\bchi\b|patient|health\s?(?:service|care)|\bgp\b)[^\n]{0,30}$/i;
const MRN_CONTEXT = /\bMRN\b|medical\s+record\s*(?:number|no\.?|#|nr)?|patient\s+(?:id|number|no\.?|#)|hospital\s+(?:number|no\.?)|\bUR\s?(?:number|no\.?)/gi;
const MRN_TOKEN = /(?<![A-Za-z0-9])(?:[A-Z]{1,3}-?)?\d[\d-]{3,14}\d(?![A-Za-z0-9])/g;
/** Medicare Beneficiary Identifier: C A AN N - A AN N - A A N N (no S L O I B Z). */
const MBI = /(?<![A-Za-z0-9])[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d(-?)[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d\1[AC-HJKMNP-RT-Y]{2}\d{2}(?![A-Za-z0-9])/g;

function medicalIds(text: string): PiiMatch[] {
  const found = afterContext(text, MRN_CONTEXT, MRN_TOKEN, 'MEDICAL_ID', (v) => digits(v) >= 5);
  for (const m of matchesOf(NHS, text)) {
    if (nhsNumberValid(m[0].replace(/\D/g, '')) && NHS_CONTEXT.test(before(text, m.index, 50))) {
      found.push({ type: 'MEDICAL_ID', start: m.index, end: m.index + m[0].length });
    }
  }
  for (const m of matchesOf(MBI, text)) {
    if (m[1] === '-' || /medicare|\bmbi\b|beneficiary/i.test(before(text, m.index, 40))) found.push({ type: 'MEDICAL_ID', start: m.index, end: m.index + m[0].length });
  }
  return found;
}

/** Passport numbers and MRZ lines. */
export const detectPassports = passports;
/** Driving-licence numbers. */
export const detectDrivingLicences = drivingLicences;
/** NHS numbers, medical record numbers and Medicare identifiers. */
export const detectMedicalIds = medicalIds;
