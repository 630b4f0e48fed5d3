/**
 * The labelled PII set: every case written for this project (no external data). Positives are
 * embedded in sentences, logs, code, markdown and JSON; the hard negatives are text that looks
 * like PII and is not. The evaluation in pii.test.ts measures precision and recall per type on it.
 */
import { EMAIL_CASES, IP_CASES, PERSON_CASES, PHONE_CASES } from './pii-cases-contact.ts';
import { HARD_NEGATIVE_CASES, MIXED_CASES } from './pii-cases-negative.ts';
import { ADDRESS_CASES, CRYPTO_CASES, DOB_CASES, DOCUMENT_CASES, SECRET_FAMILY_CASES } from './pii-cases-identity.ts';
import { CARD_CASES, IBAN_CASES, NATIONAL_ID_CASES } from './pii-cases-numbers.ts';
import { SECRET_CASES } from './pii-cases-secrets.ts';

export type { ExpectedMatch, PiiCase } from './pii-case.ts';
export { expectedSpans } from './pii-case.ts';

export const PII_CASES = [
  ...EMAIL_CASES,
  ...PHONE_CASES,
  ...CARD_CASES,
  ...IBAN_CASES,
  ...NATIONAL_ID_CASES,
  ...IP_CASES,
  ...SECRET_CASES,
  ...PERSON_CASES,
  ...CRYPTO_CASES,
  ...DOCUMENT_CASES,
  ...DOB_CASES,
  ...ADDRESS_CASES,
  ...SECRET_FAMILY_CASES,
  ...MIXED_CASES,
  ...HARD_NEGATIVE_CASES,
];
export { HARD_NEGATIVE_CASES };
