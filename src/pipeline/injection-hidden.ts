/**
 * Content a human reviewer would not see when the text is rendered but an agent reading the
 * source would: HTML comments, elements styled invisible, markdown comments. The segments are
 * found by plain scanning (indexOf), never by a backtracking pattern, so cost stays linear.
 */

const MAX_SEGMENTS = 500;
const MAX_SEGMENT_CHARS = 20_000;

/** Attributes that hide an element from a rendered view. */
const HIDING = /display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d]*[1-9])|opacity\s*:\s*0(?![.\d]*[1-9])|(?<![-\w])color\s*:\s*(?:white|#fff(?:fff)?|transparent)\b|(?:^|\s)hidden(?:\s|=|$)|aria-hidden\s*=\s*["']?true|height\s*:\s*0(?:px)?\s*;[^"']*overflow\s*:\s*hidden|position\s*:\s*absolute[^"']*(?:left|top)\s*:\s*-\d{3,}/;
const OPEN_TAG = /<([a-z][a-z0-9]{0,10})(\s[^<>]{0,500})?>/g;
const MD_COMMENT = /(?:^|\n)\[(?:\/\/|comment|_|#)\]:\s*(?:#|<>)?\s*(?:\(([^)\n]{0,2000})\)|"([^"\n]{0,2000})")/g;

/** Words that, in hidden text, show it is meant for a machine reader. */
const ADDRESSES_MACHINE = /(?<![\p{L}])(?:ai|llm|llms|assistants?|agents?|chatbots?|gpt|chatgpt|claude|copilot|language models?)(?![\p{L}])/u;
const MAX_SCORED_CHARS = 256 * 1024;
const IMPERATIVE = /(?<![\p{L}])(?:you|your|must|should|always|never|do not|don't|please|instead|ignore|make sure)(?![\p{L}])/u;

/** A hidden part of the text and how it was hidden. */
export interface HiddenSegment {
  kind: 'comment' | 'styled' | 'markdown-comment';
  text: string;
}

/** Finds hidden segments in the normalised text (bounded in number and size). */
export function findHiddenSegments(text: string): HiddenSegment[] {
  const out: HiddenSegment[] = [];
  let from = 0;
  while (out.length < MAX_SEGMENTS) {
    const start = text.indexOf('<!--', from);
    if (start < 0) break;
    const end = text.indexOf('-->', start + 4);
    const stop = end < 0 ? text.length : end;
    out.push({ kind: 'comment', text: text.slice(start + 4, Math.min(stop, start + 4 + MAX_SEGMENT_CHARS)) });
    if (end < 0) break;
    from = end + 3;
  }
  OPEN_TAG.lastIndex = 0;
  for (const m of text.matchAll(OPEN_TAG)) {
    if (out.length >= MAX_SEGMENTS) break;
    const attributes = m[2];
    if (!attributes || !HIDING.test(attributes)) continue;
    const bodyStart = m.index + m[0].length;
    const close = text.indexOf(`</${m[1]}`, bodyStart);
    const bodyEnd = close < 0 ? Math.min(text.length, bodyStart + MAX_SEGMENT_CHARS) : Math.min(close, bodyStart + MAX_SEGMENT_CHARS);
    out.push({ kind: 'styled', text: text.slice(bodyStart, bodyEnd).replace(/<[^<>]{0,500}>/g, ' ') });
  }
  for (const m of text.matchAll(MD_COMMENT)) {
    if (out.length >= MAX_SEGMENTS) break;
    out.push({ kind: 'markdown-comment', text: m[1] ?? m[2] ?? '' });
  }
  return out;
}

/**
 * Strength of HIDDEN_CONTENT: hidden text that itself scores as an attack is the strongest
 * sign (a reviewer cannot see it); hidden text addressing a machine reader with imperatives
 * comes next; hidden text of any other kind counts for little, and ordinary comments for nothing.
 * `score` rates a segment (the screener's own rules, without context discounts).
 */
export function hiddenContentStrength(segments: HiddenSegment[], score: (segment: string) => number): number {
  let strength = 0;
  let budget = MAX_SCORED_CHARS;
  for (const { kind, text } of segments) {
    const letters = (text.match(/\p{L}/gu) ?? []).length;
    if (letters < 8) continue;
    if (budget <= 0) break;
    budget -= text.length;
    const inner = score(text);
    if (inner >= 0.3) strength = Math.max(strength, Math.min(0.9, 0.5 + 0.45 * inner));
    else if (ADDRESSES_MACHINE.test(text) && IMPERATIVE.test(text)) strength = Math.max(strength, 0.4);
    else if (kind === 'styled' && letters >= 20) strength = Math.max(strength, 0.2);
    if (strength >= 0.9) break;
  }
  return strength;
}
