/**
 * PII scrubbing: finds personal and secret data in a text and replaces each match with a
 * typed placeholder (`[EMAIL]`, `[CARD]`, …). Pure and deterministic; it never logs and keeps
 * nothing of the original text. How each type is detected, and what is deliberately not,
 * is in docs/pipeline.md ("PII scrubbing").
 */
import { detectAddresses } from './pii-address.ts';
import { detectCryptoWallets } from './pii-crypto.ts';
import { detectDatesOfBirth } from './pii-dob.ts';
import { detectDrivingLicences, detectMedicalIds, detectPassports } from './pii-documents.ts';
import { detectEmails, detectIps } from './pii-network.ts';
import { detectCards, detectIbans, detectNationalIds } from './pii-numbers.ts';
import { detectPersons } from './pii-person.ts';
import { detectPhones } from './pii-phone.ts';
import { detectSecrets } from './pii-secrets.ts';

/** Kinds of personal or secret data the scrubber replaces. */
export const PII_TYPES = [
  'EMAIL',
  'PHONE',
  'CARD',
  'IBAN',
  'NATIONAL_ID',
  'IP',
  'SECRET',
  'PERSON',
  'CRYPTO',
  'PASSPORT',
  'DRIVING_LICENCE',
  'MEDICAL_ID',
  'DATE_OF_BIRTH',
  'ADDRESS',
] as const;
export type PiiType = (typeof PII_TYPES)[number];

/** How many matches of one type were replaced. */
export interface Redaction {
  type: PiiType;
  count: number;
}

/** The scrubbed text (each match replaced by `[TYPE]`) and the redactions, types in PII_TYPES order, only types with count > 0. */
export interface ScrubResult {
  text: string;
  redactions: Redaction[];
}

/** Options of `scrubPii` and `findPii`. */
export interface ScrubOptions {
  /** The types to replace; default all of PII_TYPES. Other types are still detected so that, say, a card number is never taken for a phone number. */
  types?: readonly PiiType[];
}

/** One detected match: `text.slice(start, end)` is the value a placeholder replaces. */
export interface PiiMatch {
  type: PiiType;
  start: number;
  end: number;
}

/** A detector returns every candidate of its type; overlaps between detectors are resolved here. */
type Detector = (text: string) => PiiMatch[];

/**
 * Which detection wins an overlap: the more specific kind first (a JWT is one SECRET, not an
 * EMAIL; an IBAN or a card number is not a PHONE), then the longer match, then the earlier.
 */
const PRECEDENCE: Readonly<Record<PiiType, number>> = {
  SECRET: 14,
  IBAN: 13,
  CARD: 12,
  CRYPTO: 11,
  EMAIL: 10,
  IP: 9,
  MEDICAL_ID: 8,
  PASSPORT: 7,
  DRIVING_LICENCE: 6,
  NATIONAL_ID: 5,
  DATE_OF_BIRTH: 4,
  ADDRESS: 3,
  PHONE: 2,
  PERSON: 1,
};

const DETECTORS: ReadonlyArray<{ type: PiiType; detect: Detector }> = [
  { type: 'SECRET', detect: detectSecrets },
  { type: 'IBAN', detect: detectIbans },
  { type: 'CARD', detect: detectCards },
  { type: 'CRYPTO', detect: detectCryptoWallets },
  { type: 'EMAIL', detect: detectEmails },
  { type: 'IP', detect: detectIps },
  { type: 'MEDICAL_ID', detect: detectMedicalIds },
  { type: 'PASSPORT', detect: detectPassports },
  { type: 'DRIVING_LICENCE', detect: detectDrivingLicences },
  { type: 'NATIONAL_ID', detect: detectNationalIds },
  { type: 'DATE_OF_BIRTH', detect: detectDatesOfBirth },
  { type: 'ADDRESS', detect: detectAddresses },
  { type: 'PHONE', detect: detectPhones },
  { type: 'PERSON', detect: detectPersons },
];

/** The placeholder that replaces a match of `type`. */
export function placeholder(type: PiiType): string {
  return `[${type}]`;
}

/**
 * Finds the PII in `text`: non-overlapping matches of the requested types, in text order.
 * Detectors of types that are not requested still run when they could win an overlap.
 */
export function findPii(text: string, options: ScrubOptions = {}): PiiMatch[] {
  const wanted = new Set<PiiType>(options.types ?? PII_TYPES);
  if (wanted.size === 0 || text.length === 0) return [];
  const weakest = Math.min(...[...wanted].map((t) => PRECEDENCE[t]));
  const candidates: PiiMatch[] = [];
  for (const { type, detect } of DETECTORS) {
    // A loop, not push(...): a detector may return more matches than a call takes arguments.
    if (wanted.has(type) || PRECEDENCE[type] > weakest) for (const match of detect(text)) candidates.push(match);
  }
  candidates.sort(
    (a, b) => PRECEDENCE[b.type] - PRECEDENCE[a.type] || b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
  const taken = new Uint8Array(text.length);
  const kept: PiiMatch[] = [];
  for (const match of candidates) {
    if (match.end <= match.start || taken.subarray(match.start, match.end).includes(1)) continue;
    taken.fill(1, match.start, match.end);
    if (wanted.has(match.type)) kept.push(match);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Replaces PII and secrets in `text`. Pure, deterministic, never logs. Handles texts up to 1 MiB in well under a second (no catastrophic regex backtracking). */
export function scrubPii(text: string, options?: { types?: readonly PiiType[] }): ScrubResult {
  const matches = findPii(text, options);
  const counts = new Map<PiiType, number>();
  const parts: string[] = [];
  let at = 0;
  for (const match of matches) {
    parts.push(text.slice(at, match.start), placeholder(match.type));
    at = match.end;
    counts.set(match.type, (counts.get(match.type) ?? 0) + 1);
  }
  parts.push(text.slice(at));
  const redactions = PII_TYPES.filter((type) => counts.has(type)).map((type) => ({ type, count: counts.get(type)! }));
  return { text: parts.join(''), redactions };
}
