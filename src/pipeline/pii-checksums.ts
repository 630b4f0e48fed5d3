/**
 * Checksums behind the newer PII detectors: crypto wallet addresses (Base58Check with a
 * double SHA-256, Bech32 / Bech32m, Ethereum's EIP-55 mixed-case Keccak-256 checksum), the
 * NHS number's mod 11, the ICAO 9303 machine-readable-zone check digit, and calendar dates.
 * Pure functions; no regular expression with unbounded backtracking.
 */
import { createHash } from 'node:crypto';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Decodes Base58 (Bitcoin alphabet) to bytes, or null on a character outside it. */
export function base58Decode(text: string): Uint8Array | null {
  let value = 0n;
  for (const ch of text) {
    const digit = BASE58.indexOf(ch);
    if (digit < 0) return null;
    value = value * 58n + BigInt(digit);
  }
  const bytes: number[] = [];
  while (value > 0n) {
    bytes.unshift(Number(value & 0xffn));
    value >>= 8n;
  }
  for (const ch of text) {
    if (ch !== '1') break;
    bytes.unshift(0); // each leading '1' is a leading zero byte
  }
  return Uint8Array.from(bytes);
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();

/**
 * The version byte of a Base58Check string whose payload is 21 bytes (version + 20-byte hash,
 * as a P2PKH / P2SH address) and whose last 4 bytes are the double-SHA-256 checksum; else null.
 */
export function base58CheckVersion(text: string): number | null {
  const bytes = base58Decode(text);
  if (!bytes || bytes.length !== 25) return null;
  const payload = bytes.subarray(0, 21);
  const check = sha256(sha256(payload));
  for (let i = 0; i < 4; i += 1) if (check[i] !== bytes[21 + i]) return null;
  return bytes[0]!;
}

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

function bech32Polymod(values: number[]): number {
  const gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i += 1) if ((top >>> i) & 1) chk ^= gen[i]!;
  }
  return chk >>> 0;
}

/**
 * The human-readable part of a valid segwit address (`bc1q…` Bech32 for witness v0, `bc1p…`
 * Bech32m for v1+), checked by BIP 173 / BIP 350 polymod and program length; else null.
 * One case only (all lower or all upper), as the BIPs require.
 */
export function segwitHrp(address: string): string | null {
  if (address !== address.toLowerCase() && address !== address.toUpperCase()) return null;
  const text = address.toLowerCase();
  const sep = text.lastIndexOf('1');
  if (sep < 1 || text.length - sep - 1 < 7 || text.length > 90) return null;
  const hrp = text.slice(0, sep);
  const data: number[] = [];
  for (const ch of text.slice(sep + 1)) {
    const v = BECH32.indexOf(ch);
    if (v < 0) return null;
    data.push(v);
  }
  const expanded = [...[...hrp].map((c) => c.charCodeAt(0) >> 5), 0, ...[...hrp].map((c) => c.charCodeAt(0) & 31)];
  const polymod = bech32Polymod([...expanded, ...data]);
  const version = data[0]!;
  if (polymod !== (version === 0 ? 1 : 0x2bc830a3)) return null;
  const programBits = (data.length - 7) * 5; // minus version and 6 checksum characters
  const programBytes = Math.floor(programBits / 8);
  if (version > 16 || programBytes < 2 || programBytes > 40) return null;
  if (version === 0 && programBytes !== 20 && programBytes !== 32) return null;
  return hrp;
}

/** Encodes a segwit address (for tests and fixtures): `hrp`, witness version, program bytes. */
export function segwitEncode(hrp: string, version: number, program: Uint8Array): string {
  const data = [version];
  let acc = 0;
  let bits = 0;
  for (const byte of program) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      data.push((acc >> bits) & 31);
    }
  }
  if (bits > 0) data.push((acc << (5 - bits)) & 31);
  const expanded = [...[...hrp].map((c) => c.charCodeAt(0) >> 5), 0, ...[...hrp].map((c) => c.charCodeAt(0) & 31)];
  const polymod = bech32Polymod([...expanded, ...data, 0, 0, 0, 0, 0, 0]) ^ (version === 0 ? 1 : 0x2bc830a3);
  const checksum = [0, 1, 2, 3, 4, 5].map((i) => (polymod >>> (5 * (5 - i))) & 31);
  return `${hrp}1${[...data, ...checksum].map((v) => BECH32[v]).join('')}`;
}

/** Encodes Base58Check (for tests and fixtures): version byte + 20-byte payload. */
export function base58CheckEncode(version: number, payload: Uint8Array): string {
  const body = Uint8Array.from([version, ...payload]);
  const bytes = Uint8Array.from([...body, ...sha256(sha256(body)).subarray(0, 4)]);
  let value = 0n;
  for (const b of bytes) value = value * 256n + BigInt(b);
  let out = '';
  while (value > 0n) {
    out = BASE58[Number(value % 58n)]! + out;
    value /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}

const KECCAK_ROUNDS = [
  0x0000000000000001n, 0x0000000000008082n, 0x800000000000808an, 0x8000000080008000n, 0x000000000000808bn, 0x0000000080000001n,
  0x8000000080008081n, 0x8000000000008009n, 0x000000000000008an, 0x0000000000000088n, 0x0000000080008009n, 0x000000008000000an,
  0x000000008000808bn, 0x800000000000008bn, 0x8000000000008089n, 0x8000000000008003n, 0x8000000000008002n, 0x8000000000000080n,
  0x000000000000800an, 0x800000008000000an, 0x8000000080008081n, 0x8000000000008080n, 0x0000000080000001n, 0x8000000080008008n,
];
const ROTATIONS = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];
const MASK = (1n << 64n) - 1n;
const rotl = (x: bigint, n: number) => (n === 0 ? x : ((x << BigInt(n)) | (x >> BigInt(64 - n))) & MASK);

function keccakF(s: bigint[]): void {
  for (const rc of KECCAK_ROUNDS) {
    const c = [0, 1, 2, 3, 4].map((x) => s[x]! ^ s[x + 5]! ^ s[x + 10]! ^ s[x + 15]! ^ s[x + 20]!);
    for (let x = 0; x < 5; x += 1) {
      const d = c[(x + 4) % 5]! ^ rotl(c[(x + 1) % 5]!, 1);
      for (let y = 0; y < 25; y += 5) s[y + x] = s[y + x]! ^ d;
    }
    const b = new Array<bigint>(25);
    for (let x = 0; x < 5; x += 1) for (let y = 0; y < 5; y += 1) b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(s[x + 5 * y]!, ROTATIONS[x + 5 * y]!);
    for (let x = 0; x < 5; x += 1) for (let y = 0; y < 5; y += 1) s[x + 5 * y] = b[x + 5 * y]! ^ (~b[((x + 1) % 5) + 5 * y]! & MASK & b[((x + 2) % 5) + 5 * y]!);
    s[0] = s[0]! ^ rc;
  }
}

/** Keccak-256 (the original padding Ethereum uses, not SHA3-256) of an ASCII/UTF-8 string, as hex. */
export function keccak256Hex(text: string): string {
  const rate = 136;
  const input = Buffer.from(text, 'utf8');
  const padded = new Uint8Array(Math.ceil((input.length + 1) / rate) * rate);
  padded.set(input);
  padded[input.length] = 0x01;
  padded[padded.length - 1]! |= 0x80;
  const s = new Array<bigint>(25).fill(0n);
  for (let off = 0; off < padded.length; off += rate) {
    for (let i = 0; i < rate / 8; i += 1) {
      let lane = 0n;
      for (let k = 7; k >= 0; k -= 1) lane = (lane << 8n) | BigInt(padded[off + i * 8 + k]!);
      s[i] = s[i]! ^ lane;
    }
    keccakF(s);
  }
  let hex = '';
  for (let i = 0; i < 4; i += 1) for (let k = 0; k < 8; k += 1) hex += Number((s[i]! >> BigInt(8 * k)) & 0xffn).toString(16).padStart(2, '0');
  return hex;
}

/** The EIP-55 checksummed spelling of a 40-hex-digit Ethereum address (without `0x`). */
export function eip55(hex40: string): string {
  const lower = hex40.toLowerCase();
  const hash = keccak256Hex(lower);
  return [...lower].map((ch, i) => (/[a-f]/.test(ch) && parseInt(hash[i]!, 16) >= 8 ? ch.toUpperCase() : ch)).join('');
}

/** True when a mixed-case Ethereum address (40 hex digits, no `0x`) carries a valid EIP-55 checksum. */
export function eip55Valid(hex40: string): boolean {
  return /^[0-9a-fA-F]{40}$/.test(hex40) && eip55(hex40) === hex40;
}

/** True for a 10-digit NHS number (England, Wales, Isle of Man) whose mod-11 check digit is right. */
export function nhsNumberValid(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += (digits.charCodeAt(i) - 48) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === digits.charCodeAt(9) - 48;
}

/** The ICAO 9303 check digit (weights 7, 3, 1; `<` = 0, A = 10 … Z = 35) of a machine-readable-zone field. */
export function mrzCheckDigit(field: string): number {
  const weights = [7, 3, 1];
  let sum = 0;
  [...field].forEach((ch, i) => {
    const code = ch.charCodeAt(0);
    const value = ch === '<' ? 0 : code >= 65 ? code - 55 : code - 48;
    sum += value * weights[i % 3]!;
  });
  return sum % 10;
}

/** True for a real calendar date with a year in [1900, 2099]. */
export function calendarDateValid(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || year < 1900 || year > 2099 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Shannon entropy of `text` in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
