/**
 * Encoded payloads for the injection screener. Two kinds of decoded variant are produced, both
 * bounded, for the caller to screen again:
 * - the whole text with inline encodings decoded in place (HTML entities, %XX, \uXXXX / \xXX
 *   escapes), because those are used to spell out a phrase a letter at a time;
 * - the text-like results of decoding base64 and hex chunks, shortest chunks first (a payload
 *   is usually short; a long blob is usually an image or a key), up to a byte budget.
 * Decoded bytes must be valid UTF-8 and mostly printable, so hashes, keys and images drop out.
 */

/** Shared by a whole screening (recursion included): how many decoded characters may still be screened. */
export interface DecodeBudget {
  chars: number;
}

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: ' ', colon: ':', sol: '/', lpar: '(', rpar: ')', lowbar: '_', period: '.', comma: ',', excl: '!', quest: '?', num: '#', equals: '=' };
const PERCENT_RUN = /(?:%[0-9a-f]{2})+/gi;
const ESCAPE = /&#(\d{1,7});?|&#x([0-9a-f]{1,6});?|&([a-z]{2,8});|\\u\{([0-9a-f]{1,6})\}|\\u([0-9a-f]{4})|\\x([0-9a-f]{2})/gi;
const BASE64 = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,}={0,2}/g;
const HEX = /(?<![0-9a-fA-F])(?:[0-9a-fA-F]{2}[ :,]?){12,}/g;
const HEX_ESCAPES = /(?:\\x[0-9a-fA-F]{2}|0x[0-9a-fA-F]{2}[ ,]*){8,}/g;
const MAX_CHUNKS = 4096;
const MAX_CHUNK_CHARS = 64 * 1024;
const MAX_INPUT_CHARS = 4 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

const fromCodePoint = (cp: number, fallback: string) => (cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : fallback);

/** Decodes inline encodings in place (%XX runs first, as UTF-8); undefined when there are none. */
export function decodeInline(text: string): string | undefined {
  PERCENT_RUN.lastIndex = 0;
  ESCAPE.lastIndex = 0;
  const percent = PERCENT_RUN.test(text);
  const escapes = ESCAPE.test(text);
  if (!percent && !escapes) return undefined;
  let decoded = text;
  if (percent) {
    decoded = decoded.replace(PERCENT_RUN, (run) => {
      const bytes = Buffer.from(run.replace(/%/g, ''), 'hex');
      try {
        return utf8.decode(bytes);
      } catch {
        return latin1.decode(bytes);
      }
    });
  }
  if (escapes) {
    decoded = decoded.replace(ESCAPE, (whole, dec?: string, hex?: string, name?: string, braced?: string, u4?: string, x2?: string) => {
      if (dec) return fromCodePoint(Number(dec), whole);
      if (hex) return fromCodePoint(parseInt(hex, 16), whole);
      if (name) return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
      if (braced) return fromCodePoint(parseInt(braced, 16), whole);
      if (u4) return String.fromCharCode(parseInt(u4, 16));
      if (x2) return String.fromCharCode(parseInt(x2, 16));
      return whole;
    });
  }
  return decoded;
}

/** Valid UTF-8, at least 85% printable, some letters: a text rather than binary. */
function asText(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8) return undefined;
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return undefined;
  }
  const printable = (text.match(/[\p{L}\p{N}\p{P}\p{S}\p{Zs}\n\r\t]/gu) ?? []).length;
  const letters = (text.match(/\p{L}/gu) ?? []).length;
  if (printable < text.length * 0.85 || letters < 4) return undefined;
  return text;
}

function decodeBase64(chunk: string): string | undefined {
  const body = chunk.replace(/=+$/, '');
  if (!/[A-Z]/.test(body) || !/[a-z]/.test(body)) return undefined; // words and identifiers, not base64
  const normal = body.replace(/-/g, '+').replace(/_/g, '/');
  return asText(Buffer.from(normal.slice(0, normal.length - (normal.length % 4 === 1 ? 1 : 0)), 'base64'));
}

function decodeHex(chunk: string): string | undefined {
  const digits = chunk.replace(/\\x|0x|[ :,]/gi, '');
  return asText(Buffer.from(digits.slice(0, digits.length - (digits.length % 2)), 'hex'));
}

/**
 * Decodes base64 and hex chunks of `cased` and returns the text-like results joined by newlines
 * (undefined when none), at most about `limit` characters of them. Decoding is cheap and
 * bounded by chunk count and input size; screening the result again is what costs.
 */
export function decodeChunks(cased: string, limit: number): string | undefined {
  const chunks: { text: string; decode: (s: string) => string | undefined }[] = [];
  for (const [pattern, decode] of [[BASE64, decodeBase64], [HEX, decodeHex], [HEX_ESCAPES, decodeHex]] as const) {
    for (const m of cased.matchAll(pattern)) {
      if (chunks.length >= MAX_CHUNKS) break;
      chunks.push({ text: m[0].slice(0, MAX_CHUNK_CHARS), decode });
    }
  }
  chunks.sort((a, b) => a.text.length - b.text.length);
  const decoded: string[] = [];
  let input = 0;
  let output = 0;
  for (const chunk of chunks) {
    if (output >= limit || input > MAX_INPUT_CHARS) break;
    input += chunk.text.length;
    const text = chunk.decode(chunk.text);
    if (text === undefined) continue;
    output += text.length;
    decoded.push(text);
  }
  return decoded.length > 0 ? decoded.join('\n') : undefined;
}

/** Applies ROT13 to ASCII letters. */
export function rot13(text: string): string {
  return text.replace(/[a-z]/gi, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}
