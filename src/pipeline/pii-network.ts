/**
 * Detectors for network identifiers: e-mail addresses and IP addresses (IPv4 and IPv6).
 * Every quantifier is bounded and every pattern is anchored by a look-behind, so a long run
 * of dots, digits or `@` costs linear time.
 */
import type { PiiMatch } from './pii.ts';
import { ipv4IsNonIdentifying, parseIpv4, parseIpv6 } from './pii-validators.ts';
import { after, before, matchesOf } from './pii-text.ts';

/** local@domain.tld (or local%40domain.tld, URL-encoded): local part up to 64 characters, up to 8 domain labels, alphabetic TLD. */
const EMAIL =
  /(?<![\w.%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}(?:@|%40)(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.){1,8}([A-Za-z]{2,24})(?![\w\-]|\.[A-Za-z0-9])/g;

/** File extensions that follow an `@` in asset names (logo@2x.png) but are no mail domain. */
const FILE_EXTENSIONS = new Set(
  'png jpg jpeg gif svg webp ico bmp tif tiff avif js mjs cjs ts tsx jsx css scss less json yaml yml toml lock txt html htm xml log map wasm'.split(' '),
);

/**
 * E-mail addresses, including example.com ones (an example address is still an address).
 * Not: asset names like `logo@2x.png`, scp-style remotes `git@github.com:org/repo.git`,
 * package specs `lodash@4.17.21`, decorators, `user@localhost`.
 */
export function detectEmails(text: string): PiiMatch[] {
  const found: PiiMatch[] = [];
  for (const m of matchesOf(EMAIL, text)) {
    const end = m.index + m[0].length;
    if (FILE_EXTENSIONS.has(m[1]!.toLowerCase())) continue;
    if (/^:[^\s]/.test(after(text, end, 2))) continue; // user@host:path is a remote, not a mailbox
    found.push({ type: 'EMAIL', start: m.index, end });
  }
  return found;
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
/** A dotted quad that is not part of a longer dotted or dashed number (5-part versions, OIDs). */
const IPV4 = new RegExp(`(?<![\\w.\\-])${OCTET}(?:\\.${OCTET}){3}(?![\\w]|\\.\\d|-\\d)`, 'g');
/**
 * Words or operators right before a dotted quad that make it a version or section number:
 * `v1.2.3.4`, `version 10.0.0.1`, `pkg==1.2.3.4`, `section 1.2.3.4`. (`root@10.0.0.5` stays an address.)
 */
const VERSION_CONTEXT =
  /(?:\bv|\bver\.?|\bversion|\brelease|\brel\.?|\bbuild|\bfirmware|\bdriver|\bsection|\bchapter|\bfig(?:ure)?\.?|§|==|~=|>=|<=|!=|\^|~)\s?[:=]?\s?$/i;

/** Candidate IPv6: hex groups joined by `:` (at most 8), `::` allowed, optional dotted IPv4 tail. */
const IPV6 =
  /(?<![\w:.])(?:[0-9A-Fa-f]{1,4})?(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}\.\d{1,3}\.\d{1,3})?(?![\w:]|\.\d)/g;

function ipv6Identifying(candidate: string): boolean {
  const groups = parseIpv6(candidate);
  if (!groups) return false;
  const nonEmpty = groups.filter((g) => g !== '' && g !== 'v4');
  const hexDigits = nonEmpty.reduce((sum, g) => sum + g.length, 0);
  const withV4 = groups.includes('v4');
  // ::, ::1 and other near-empty forms (and slices like a[1::2]) identify nobody.
  if (!withV4 && (nonEmpty.length < 2 || hexDigits < 4)) return false;
  if (groups.every((g) => g === '' || g === 'v4' || /^0+$/.test(g)) && !withV4) return false;
  // All-decimal groups look like times, ratios or slices unless long enough: 2001:4860:4860::8888.
  if (!withV4 && nonEmpty.every((g) => /^\d+$/.test(g)) && (nonEmpty.length < 3 || !nonEmpty.some((g) => g.length === 4))) {
    return false;
  }
  return true;
}

/**
 * IP addresses. IPv4: four decimal octets 0–255 without leading zeros, not part of a longer
 * dotted number, not right after a version/section marker (see VERSION_CONTEXT), and not the
 * non-identifying 0.0.0.0, 127.x.x.x, 255.255.255.255 or a netmask. IPv6: full, compressed
 * or IPv4-mapped forms validated group by group; hashes, times and `::1` are not matched.
 * The span is the address alone: a `/24` prefix length or `:8080` port stays in the text.
 */
export function detectIps(text: string): PiiMatch[] {
  const found: PiiMatch[] = [];
  for (const m of matchesOf(IPV4, text)) {
    const value = parseIpv4(m[0]);
    if (value === null || ipv4IsNonIdentifying(value)) continue;
    if (VERSION_CONTEXT.test(before(text, m.index, 16))) continue;
    found.push({ type: 'IP', start: m.index, end: m.index + m[0].length });
  }
  for (const m of matchesOf(IPV6, text)) {
    if (!ipv6Identifying(m[0])) continue;
    found.push({ type: 'IP', start: m.index, end: m.index + m[0].length });
  }
  return found;
}
