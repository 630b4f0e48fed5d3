/**
 * Checksum and structure validators behind the PII detectors: a candidate that looks like a
 * card, IBAN, SSN or IP address is only reported when it passes the rules of its kind.
 * Pure functions over strings, no regular expressions with unbounded backtracking.
 */

/** True when `digits` (digits only) passes the Luhn mod-10 check used by payment cards. */
export function luhnValid(digits: string): boolean {
  if (!/^\d{2,}$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * True when `digits` starts with an issuer prefix (IIN) of a card network that issues numbers
 * of that length: Visa, Mastercard, American Express, Discover, Diners Club, JCB, UnionPay, Maestro, Dankort.
 */
export function cardPrefixPlausible(digits: string): boolean {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const p6 = Number(digits.slice(0, 6));
  if (digits.startsWith('4')) return n === 13 || n === 16 || n === 19; // Visa
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16; // Mastercard
  if (p2 === 34 || p2 === 37) return n === 15; // American Express
  if (p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65 || (p6 >= 622126 && p6 <= 622925)) return n >= 16 && n <= 19; // Discover
  if ((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39 || p4 === 3095) return n >= 14 && n <= 19; // Diners Club
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19; // JCB
  if (p2 === 62) return n >= 16 && n <= 19; // UnionPay
  if ([5018, 5020, 5038, 5893, 6304, 6759, 6761, 6762, 6763].includes(p4)) return n >= 12 && n <= 19; // Maestro
  if (p4 === 5019) return n === 16; // Dankort
  return false;
}

/** IBAN length per country (ISO 13616 registry). */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28,
  IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20,
  LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
  NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24,
  SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

/**
 * True when `iban` (upper-case letters and digits, no spaces) has its country's length and
 * passes the ISO 7064 mod-97-10 check (the rearranged number mod 97 is 1).
 */
export function ibanValid(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return false;
  if (IBAN_LENGTHS[iban.slice(0, 2)] !== iban.length) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    // Letters count as two digits (A = 10 … Z = 35), digits as one.
    remainder = code >= 65 ? (remainder * 100 + (code - 55)) % 97 : (remainder * 10 + (code - 48)) % 97;
  }
  return remainder === 1;
}

/**
 * True when area-group-serial follow the US Social Security rules: area not 000, 666 or
 * 900–999; group not 00; serial not 0000. (The area 9xx belongs to ITINs, see `itinValid`.)
 */
export function ssnValid(area: string, group: string, serial: string): boolean {
  if (!/^\d{3}$/.test(area) || !/^\d{2}$/.test(group) || !/^\d{4}$/.test(serial)) return false;
  if (area === '000' || area === '666' || area.startsWith('9')) return false;
  if (group === '00' || serial === '0000') return false;
  // 078-05-1120 was printed on a sample card in wallets (1938) and has been voided.
  return `${area}${group}${serial}` !== '078051120';
}

/** True for a US Individual Taxpayer Identification Number: 9xx, group 50–65, 70–88, 90–92 or 94–99. */
export function itinValid(area: string, group: string, serial: string): boolean {
  if (!/^9\d{2}$/.test(area) || !/^\d{2}$/.test(group) || !/^\d{4}$/.test(serial)) return false;
  const g = Number(group);
  return (g >= 50 && g <= 65) || (g >= 70 && g <= 88) || (g >= 90 && g <= 92) || (g >= 94 && g <= 99);
}

/** True for a UK National Insurance number prefix (two letters) allowed by HMRC. */
export function ninoPrefixValid(prefix: string): boolean {
  if (!/^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]$/.test(prefix)) return false;
  return !['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ'].includes(prefix);
}

/** Parses a dotted-quad IPv4 address (no leading zeros) into its 32-bit value, or null. */
export function parseIpv4(s: string): number | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^(?:0|[1-9]\d{0,2})$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = value * 256 + n;
  }
  return value;
}

/**
 * True for IPv4 addresses that identify nobody: unspecified 0.0.0.0, loopback 127/8, the
 * broadcast address and netmasks (255.… with contiguous one bits, e.g. 255.255.255.0).
 */
export function ipv4IsNonIdentifying(value: number): boolean {
  if (value === 0) return true;
  if (Math.floor(value / 2 ** 24) === 127) return true;
  if (Math.floor(value / 2 ** 24) !== 255) return false;
  const inverted = 2 ** 32 - 1 - value; // a netmask's inverse is 2^k - 1
  return (inverted & (inverted + 1)) === 0;
}

/**
 * Splits an IPv6 address (full, `::`-compressed, or with a dotted IPv4 tail) into its hex
 * groups, or returns null when it is not one. The `::` run counts as empty groups.
 */
export function parseIpv6(s: string): string[] | null {
  let text = s;
  let tailGroups: string[] = [];
  const v4 = /^(.*:)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(text);
  if (v4) {
    if (parseIpv4(v4[2]!) === null) return null;
    text = v4[1]!.endsWith('::') ? v4[1]! : v4[1]!.slice(0, -1);
    tailGroups = ['v4', 'v4'];
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const split = (half: string): string[] | null => {
    if (half === '') return [];
    const groups = half.split(':');
    return groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g)) ? groups : null;
  };
  const left = split(halves[0]!);
  const right = halves.length === 2 ? split(halves[1]!) : [];
  if (!left || !right) return null;
  const explicit = [...left, ...right, ...tailGroups];
  if (halves.length === 1) return explicit.length === 8 ? explicit : null;
  if (explicit.length > 7) return null;
  return [...left, ...Array<string>(8 - explicit.length).fill(''), ...right, ...tailGroups];
}

/** True when `part` is base64url that decodes to a JSON object with a string `alg` (a JWS/JWT header). */
export function jwtHeaderValid(part: string): boolean {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) return false;
  try {
    const header: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null && typeof (header as { alg?: unknown }).alg === 'string';
  } catch {
    return false;
  }
}
