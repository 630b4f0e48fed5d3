/**
 * Secret detector: credentials with a known shape (the rule table in pii-secret-rules.ts,
 * `sk-…` keys, JWTs, PEM private key blocks), credentials identified by context (a password
 * or token in a URL, `password=…` / `api_key: …` assignments, `Authorization: Bearer …`, AWS
 * secret keys alone or next to their key id) and high-entropy values of key-like names
 * (pii-entropy.ts). For context matches only the value is replaced: `password=[SECRET]`.
 */
import type { PiiMatch } from './pii.ts';
import { shannonEntropy } from './pii-checksums.ts';
import { detectHighEntropySecrets } from './pii-entropy.ts';
import { CONTEXT_WINDOW, literalPrefixes, SECRET_RULES, type SecretRule } from './pii-secret-rules.ts';
import { jwtHeaderValid } from './pii-validators.ts';
import { before, matchesOf } from './pii-text.ts';

/** OpenAI / Anthropic style `sk-…` keys; the random part must mix upper, lower case and digits. */
const SK_KEY = /(?<![A-Za-z0-9_-])sk-(?:proj-|svcacct-|admin-|ant-(?:api|admin)\d\d-)?([A-Za-z0-9_-]{20,300})(?![A-Za-z0-9_-])/g;

/** A JWS compact serialization whose header is base64url JSON (`eyJ` = `{"`); checked for `alg`. */
const JWT = /(?<![A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{2,4000})\.[A-Za-z0-9_-]{2,16000}\.[A-Za-z0-9_-]{0,4000}(?![A-Za-z0-9_-])/g;

const PEM_BEGIN = /-----BEGIN ((?:[A-Z0-9]+ ){0,3})PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END = /-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----/g;
/** The longest PEM block taken whole (an 8192-bit RSA key is about 6.5 KB). */
const PEM_MAX_LENGTH = 20_000;
/** One base64 body line of a PEM block cut off before its END line (sticky: tried where the last one ended). */
const PEM_BODY_LINE = /(?:\r?\n|\\n)(?:[A-Za-z0-9+/=]{1,100}|[A-Za-z-]{1,40}: [^\n]{0,200})(?=\r?\n|\\n|$)/y;

/** The rules with their prefilter keywords and global context regexes, computed once. */
const PREPARED_RULES = SECRET_RULES.map((rule) => ({
  rule,
  keywords: rule.keywords ?? (rule.context ? undefined : literalPrefixes(rule.pattern.source)),
  context: rule.context ? new RegExp(rule.context.source, 'gi') : undefined,
}));

/** `aws_secret_access_key = …`: 40 base64 characters. */
const AWS_SECRET =
  /(?<![A-Za-z0-9])(?:aws_?secret_?(?:access_?)?key|secret_?access_?key)["']?\s{0,3}[:=]\s{0,3}["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gdi;

/** An AWS access key id: its secret access key is looked for around it. */
const AWS_KEY_ID = /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Za-z0-9])/g;
/** A 40-character base64 token, the shape of an AWS secret access key. */
const BASE64_40 = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
/** `secret`, `secret key`, `secret access key` in prose, then a 40-character base64 token. */
const PROSE_AWS_SECRET = /\bsecret(?:[ _-]?access)?(?:[ _-]?key)?(?:[ \t]{1,3}(?:is|was|=|:))?[ \t]{1,3}["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gdi;
/** How far from an access key id (characters, either side) its secret is looked for. */
const AWS_PAIR_WINDOW = 200;

/**
 * A random base64 secret mixes upper and lower case with digits or `/`/`+`; a git SHA-1
 * (lower-case hex) or a 40-letter word does not.
 */
function looksLikeRandomBase64(token: string): boolean {
  return /[A-Z]/.test(token) && /[a-z]/.test(token) && /[0-9/+]/.test(token);
}

/** AWS secret access keys written near their access key id or after the word "secret", without an assignment. */
function awsSecretKeys(text: string): PiiMatch[] {
  const found: PiiMatch[] = [];
  for (const id of matchesOf(AWS_KEY_ID, text)) {
    const from = Math.max(0, id.index - AWS_PAIR_WINDOW);
    const window = text.slice(from, Math.min(text.length, id.index + id[0].length + AWS_PAIR_WINDOW));
    for (const m of matchesOf(BASE64_40, window)) {
      if (looksLikeRandomBase64(m[0])) found.push({ type: 'SECRET', start: from + m.index, end: from + m.index + 40 });
    }
  }
  for (const m of matchesOf(PROSE_AWS_SECRET, text)) if (looksLikeRandomBase64(m[1]!)) found.push(...valueMatch(m, 1));
  return found;
}

/**
 * A credential in a URL's query string or fragment: `?sig=…`, `&X-Amz-Signature=…`,
 * `#access_token=…`; the value up to the next `&`, `#` or space.
 */
const URL_QUERY_SECRET =
  /[?&#;](?:x-amz-signature|x-amz-security-token|x-goog-signature|sig|signature|access_token|id_token|refresh_token|auth_token|token|auth|apikey|api_key|api-key|key|secret|client_secret|password|passwd|pwd|session_token|sessionid|jwt)=([^&#\s"'<>]{8,4000})/gdi;

/** A token as a URL's user part alone: `https://<token>@host` (Sentry DSNs, token-in-URL git remotes). */
const URL_USER_TOKEN = /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,20}:\/\/([A-Za-z0-9_~-]{20,200})@/gd;

/** Whether a URL parameter's value looks like a credential rather than a word, a number or a path. */
function urlValueIsSecret(value: string): boolean {
  const plain = value.replace(/%[0-9A-Fa-f]{2}/g, '');
  if (plain.length < 8 || /^\d+$/.test(plain) || /^[a-z]+(?:[+_-][a-z]+)*$/i.test(plain)) return false;
  return /\d/.test(plain) && /[A-Za-z]/.test(plain) && shannonEntropy(plain) >= 3;
}

/** `scheme://user:password@host` (user may be empty: `redis://:pw@host`): the password. */
const URL_PASSWORD = /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,20}:\/\/[^\s:/@]{0,100}:([^\s:/@]{1,200})@/gd;

/** Command-line credentials: `--password=…`, `-p'…'` (mysql), `-u user:pass` / `--user user:pass` (curl). */
const CLI_PASSWORD =
  /(?<![\w-])(?:--(?:password|passwd)[= ]|-p(?=["'])|(?:-u|--user)[ =]["']?[^\s:"'@]{1,100}:)(?:"([^"\n]{1,200})"|'([^'\n]{1,200})'|([^\s"'@]{1,200}))/gd;

/** Prose: "the password is X" / "pin was X"; X must mix letters and digits unless quoted. */
const PROSE_PASSWORD = /\b(?:password|passcode|passphrase|pin)[ \t](?:is|was)[ \t]{1,3}(?:"([^"\n]{1,200})"|'([^'\n]{1,200})'|([^\s"',;]{4,200}))/gdi;

/** `Authorization: Bearer …` / `Basic …` / `Token …`: the credential. */
const AUTH_HEADER = /\b(?:Bearer|(?<=Authorization:\s{0,3})(?:Basic|Token))\s{1,3}([A-Za-z0-9._~+/-]{16,4096}=*)(?![A-Za-z0-9._~+/=-])/gd;

/**
 * `key = value` / `key: value` / `"key": "value"` where the key ends in a credential word
 * (DB_PASSWORD, client_secret, apiKey, auth_token, …). Quoted values are taken up to the
 * closing quote; unquoted values up to whitespace or punctuation (`&` only where a query
 * string's next `name=` follows), without a sentence-ending period.
 */
const ASSIGNMENT =
  /(?<![\w.-])([\w.-]{0,40}?(?:password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?))(["']?)\s{0,3}(?:=|:(?!:))\s{0,3}(?:"([^"\n]{1,200})"|'([^'\n]{1,200})'|((?:[^\s"'`,;&<>(){}[\]]|&(?![\w.-]{1,40}=)){1,200}))/gdi;

/** Values that only stand in for a secret: masks, placeholders, template references. */
const PLACEHOLDER = /^(?:<.*>|\[[A-Z_]+\]|\*+|x{3,}|\.{3,}|-+|•+|\$\{.*\}|\{\{.*\}\})$/i;
/** Values of a credential key that are no credential: placeholders, types, booleans, words. */
const NOT_A_VALUE =
  /^(?:null|nil|none|undefined|true|false|yes|no|string|str|number|int|integer|boolean|bool|any|object|bytes|required|optional|empty|redacted|hidden|masked|secret|password|token|changeit|example|placeholder|your[_-].*)$/i;

function assignedValueIsSecret(key: string, value: string, quoted: boolean, envStyle: boolean): boolean {
  if (value.length < 4 || PLACEHOLDER.test(value) || NOT_A_VALUE.test(value)) return false;
  if (/^[$%{@]|\$\{|\{\{|process\.env|os\.environ|getenv|\(/.test(value)) return false; // references and code
  if (/^\d{1,5}$/.test(value)) return false; // counts and lengths (max_token: 4096)
  if (quoted || envStyle) return true;
  if (/token$/i.test(key) && /^[a-z]+$/.test(value)) return false; // token: bearer
  // Unquoted identifiers and member expressions are code (password = user.password), not values.
  return !/^[A-Za-z_][A-Za-z_]*(?:\.[A-Za-z_][\w]*)*$/.test(value);
}

/** True for `KEY=value` alone at the start of a line (a .env file or `export KEY=…`). */
function envStyleLine(text: string, m: RegExpExecArray, key: string): boolean {
  if (!/^[A-Z0-9_]+$/.test(key) || !/^[A-Z0-9_]+=/.test(m[0])) return false;
  const head = before(text, m.index, 40);
  const newline = head.lastIndexOf('\n');
  return (newline >= 0 || m.index <= 40) && /^[ \t]*(?:export[ \t]+)?$/.test(head.slice(newline + 1));
}

/** The first of `groups` that took part in the match. */
function firstGroup(m: RegExpExecArray, groups: number[]): number {
  return groups.find((g) => m[g] !== undefined) ?? groups[groups.length - 1]!;
}

/** The match of group `group`, cut to `length` characters when given. */
function valueMatch(m: RegExpExecArray, group: number, length?: number): PiiMatch[] {
  const span = m.indices?.[group];
  return span ? [{ type: 'SECRET', start: span[0], end: length === undefined ? span[1] : span[0] + length }] : [];
}

function pemBlocks(text: string): PiiMatch[] {
  const ends = [...matchesOf(PEM_END, text)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  const found: PiiMatch[] = [];
  let e = 0;
  let covered = 0;
  for (const begin of matchesOf(PEM_BEGIN, text)) {
    if (begin.index < covered) continue;
    while (e < ends.length && ends[e]!.start < begin.index) e += 1;
    const nextBegin = text.indexOf('-----BEGIN ', begin.index + 11);
    const close = ends[e];
    let end = begin.index + begin[0].length;
    if (close && (nextBegin < 0 || close.start < nextBegin) && close.start - begin.index <= PEM_MAX_LENGTH) {
      end = close.end;
    } else {
      // A block cut off before its END line: take the base64 lines that follow.
      PEM_BODY_LINE.lastIndex = end;
      while (PEM_BODY_LINE.exec(text)) end = PEM_BODY_LINE.lastIndex;
    }
    found.push({ type: 'SECRET', start: begin.index, end });
    covered = end;
  }
  return found;
}

/** The secret span of a rule match: group 1 when the rule has one, else the whole match. */
function ruleSpan(m: RegExpExecArray, offset: number): [number, number] {
  const span = m.indices?.[1] ?? [m.index, m.index + m[0].length];
  return [offset + span[0], offset + span[1]];
}

/**
 * Tokens of the rule table. A rule runs only when one of its literal prefixes occurs in the
 * text (most texts hold none of them), and a `context` rule only in the window after each
 * occurrence of its vendor word — so 140 rules cost about as much as a handful.
 */
function ruleSecrets(text: string): PiiMatch[] {
  const found: PiiMatch[] = [];
  const lower = text.toLowerCase();
  const accept = (span: [number, number], rule: SecretRule) => {
    if (rule.minEntropy !== undefined && shannonEntropy(text.slice(span[0], span[1])) < rule.minEntropy) return;
    found.push({ type: 'SECRET', start: span[0], end: span[1] });
  };
  for (const { rule, keywords, context } of PREPARED_RULES) {
    if (keywords && !keywords.some((k) => lower.includes(k))) continue;
    if (!context) {
      for (const m of matchesOf(rule.pattern, text)) accept(ruleSpan(m, 0), rule);
      continue;
    }
    let covered = 0;
    for (const c of matchesOf(context, text)) {
      const from = Math.max(covered, c.index + c[0].length);
      const window = text.slice(from, c.index + c[0].length + CONTEXT_WINDOW);
      for (const m of matchesOf(rule.pattern, window)) accept(ruleSpan(m, from), rule);
      covered = from + window.length;
    }
  }
  return found;
}

/** Secrets with a known shape: the whole token is the match. */
function shapedSecrets(text: string): PiiMatch[] {
  const found = [...pemBlocks(text), ...ruleSecrets(text)];
  const whole = (m: RegExpExecArray) => found.push({ type: 'SECRET', start: m.index, end: m.index + m[0].length });
  for (const m of matchesOf(SK_KEY, text)) {
    const random = m[1]!;
    if (/[A-Z]/.test(random) && /[a-z]/.test(random) && /\d/.test(random)) whole(m);
  }
  for (const m of matchesOf(JWT, text)) if (jwtHeaderValid(m[1]!)) whole(m);
  return found;
}

/** Credentials identified by their context: only the value is the match. */
function contextSecrets(text: string): PiiMatch[] {
  const found: PiiMatch[] = [];
  for (const regex of [AWS_SECRET, URL_PASSWORD]) {
    for (const m of matchesOf(regex, text)) if (!PLACEHOLDER.test(m[1]!)) found.push(...valueMatch(m, 1));
  }
  found.push(...awsSecretKeys(text));
  for (const m of matchesOf(URL_QUERY_SECRET, text)) {
    const value = m[1]!.replace(/[.,;)]$/, '');
    if (urlValueIsSecret(value)) found.push(...valueMatch(m, 1, value.length));
  }
  for (const m of matchesOf(URL_USER_TOKEN, text)) if (urlValueIsSecret(m[1]!) && shannonEntropy(m[1]!) >= 3.5) found.push(...valueMatch(m, 1));
  for (const m of matchesOf(AUTH_HEADER, text)) {
    const value = m[1]!;
    if (/\d/.test(value) || (/[A-Z]/.test(value) && /[a-z]/.test(value))) found.push(...valueMatch(m, 1));
  }
  for (const m of matchesOf(ASSIGNMENT, text)) {
    const group = firstGroup(m, [3, 4, 5]);
    const value = group === 5 ? m[5]!.replace(/\.$/, '') : m[group]!;
    if (assignedValueIsSecret(m[1]!, value, group !== 5, envStyleLine(text, m, m[1]!))) found.push(...valueMatch(m, group, value.length));
  }
  for (const m of matchesOf(CLI_PASSWORD, text)) {
    const group = firstGroup(m, [1, 2, 3]);
    if (assignedValueIsSecret('password', m[group]!, group !== 3, false)) found.push(...valueMatch(m, group));
  }
  for (const m of matchesOf(PROSE_PASSWORD, text)) {
    const group = firstGroup(m, [1, 2, 3]);
    const value = group === 3 ? m[3]!.replace(/\.$/, '') : m[group]!;
    if (group === 3 && !(/\d/.test(value) && /\p{L}/u.test(value))) continue;
    if (assignedValueIsSecret('password', value, true, false)) found.push(...valueMatch(m, group, value.length));
  }
  return found;
}

/** Secrets and credentials; see the file comment for the kinds. */
export function detectSecrets(text: string): PiiMatch[] {
  return [...shapedSecrets(text), ...contextSecrets(text), ...detectHighEntropySecrets(text)];
}
