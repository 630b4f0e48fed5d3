/**
 * Street addresses: a house number and a capitalised street name ending in a street word
 * (English: "742 Evergreen Terrace"; German: "Hauptstraße 12"; French: "12 rue de Rivoli";
 * Spanish / Italian / Portuguese: "Calle Mayor 5"), then optionally a unit ("Suite 3300") and
 * a town with its postcode (US state + ZIP, UK postcode, 4–5 digit postcodes). Town names on
 * their own, countries and regions are not replaced (that would take the facts out of
 * ordinary text); see docs/pipeline.md.
 */
import type { PiiMatch } from './pii.ts';
import { matchesOf } from './pii-text.ts';

const CAP = "[A-ZÄÖÜÉÈ][a-zäöüßéèêàç']{1,24}(?:-[A-ZÄÖÜÉÈ][a-zäöüßéèêàç']{1,24})?";
const STREET_WORDS =
  'Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Parkway|Pkwy|Terrace|Ter|Circle|Cir|Highway|Hwy|Square|Sq|Crescent|Close|Gardens|Grove|Row|Mews|Trail|Alley|Plaza|Broadway';
const UNIT = '(?:,?\\s(?:Apt|Apartment|Suite|Ste|Unit|Floor|Fl|Flat|Room|#)\\.?\\s?#?[A-Za-z0-9-]{1,6})?';
const US_STATE = '(?:A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[TA]|W[AVIY])';
const UK_POSTCODE = '[A-Z]{1,2}\\d[A-Z\\d]?\\s?\\d[A-Z]{2}';
/** `, Town, ST 12345`, `, Town ST 12345`, `, London NW1 6XE`, `, 10115 Berlin`. */
const TOWN = `(?:,\\s(?:${CAP}(?:\\s${CAP}){0,2},?\\s(?:${US_STATE}\\s\\d{5}(?:-\\d{4})?|${UK_POSTCODE})|\\d{4,5}\\s${CAP}(?:[\\s-]${CAP}){0,2}))?`;

const ENGLISH = new RegExp(`(?<![\\w-])\\d{1,5}[A-Z]?\\s(?:${CAP}\\s){0,3}${CAP}\\s(?:${STREET_WORDS})\\.?(?:\\s(?:NW|NE|SW|SE|N|S|E|W))?(?![\\w-])${UNIT}${TOWN}`, 'g');
const GERMAN = new RegExp(
  `(?<![\\w-])(?:(?:${CAP}\\s)?[A-ZÄÖÜ][a-zäöüß-]{1,30}(?:straße|strasse|str\\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee)|${CAP}\\s(?:Straße|Strasse|Str\\.|Weg|Gasse|Platz|Allee|Ring|Damm|Ufer|Chaussee))\\s\\d{1,4}[a-z]?(?![\\w-])${TOWN}`,
  'g',
);
const FRENCH = new RegExp(
  `(?<![\\w-])\\d{1,4}(?:\\s?(?:bis|ter))?,?\\s(?:rue|avenue|av\\.|boulevard|bd|place|chemin|allée|impasse|quai|route|cours)\\s(?:(?:de\\sla|de|du|des|la|le|l'|d')\\s?)?${CAP}(?:[\\s-]${CAP}){0,3}${TOWN}`,
  'g',
);
const SOUTHERN = new RegExp(
  `(?<![\\w-])(?:Calle|Avenida|Av\\.|Plaza|Paseo|Carrer|Via|Viale|Piazza|Corso|Rua|Avenue)\\s(?:(?:de|del|la|los|las|di|della|do|da|dos)\\s)?${CAP}(?:\\s${CAP}){0,3},?\\s\\d{1,4}(?![\\w-])${TOWN}`,
  'g',
);

/** Street addresses: see the file comment. */
export function detectAddresses(text: string): PiiMatch[] {
  const found: PiiMatch[] = [];
  for (const regex of [ENGLISH, GERMAN, FRENCH, SOUTHERN]) {
    for (const m of matchesOf(regex, text)) found.push({ type: 'ADDRESS', start: m.index, end: m.index + m[0].length });
  }
  return found;
}
