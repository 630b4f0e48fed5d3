/**
 * Where a hit sits, for the injection screener's precision on texts that *discuss* prompt
 * injection (security write-ups, detector tests, chat-template docs). A phrase that is quoted,
 * reported ("tells the model to …") or in code counts for less, and much less when talk about
 * attacks is nearby; markup counts for less inside code. Nothing here can raise a strength,
 * and hidden, encoded and invisible content is never lowered (see injection.ts).
 */
import type { RuleContext } from './injection-rule.ts';

/** Multiplier in (0, 1] for a hit of a given kind at a position in the normalised text. */
export type ContextFactor = (kind: RuleContext, start: number) => number;

/** Words that mark a passage as talk about attacks rather than an attack. */
const META =
  /(?<![\p{L}])(?:prompt[ -]injections?|injection attacks?|indirect injections?|jailbreak(?:s|ing)?|jailbreak prompts?|attackers?|adversar(?:y|ies|ial)|malicious|red[ -]team(?:s|ing|ers)?|threat models?|mitigat(?:e|es|ion|ions|ing)|guardrails?|owasp|llm01|classifiers?|detect(?:s|ed|ion|ions|or|ors|ing)?|exploit(?:s|ed|ation)?|vulnerab(?:le|ility|ilities)|phishing|screen(?:s|ed|er|ing)|filter(?:s|ed|ing)? (?:out|for)|flag(?:s|ged)? (?:as|for)|sanitiz(?:e|es|ed|ing|ation))(?![\p{L}@]|\.[a-z])/gu;
/** Words that mark a passage as documentation of chat templates, where special tokens are the topic. */
const TEMPLATE_DOCS = /(?<![\p{L}])(?:chat[ -]templates?|prompt (?:formats?|templates?)|tokeni[sz]ers?|special tokens?|jinja|role tags?)(?![\p{L}])/gu;

/** The end of a phrase that introduces quoted or reported speech. */
const REPORTED =
  /(?:such as|like|e\.g\.|i\.e\.|for example|for instance|phrases?|strings?|text|payloads?|prompts?|inputs?|messages?|commands?|called|known as|saying|says|said|wrote|writes|reads|read|contain(?:s|ing)?|includ(?:e|es|ing)|match(?:es|ing)?|(?:tells?|telling|told|asks?|asking|instructs?|instructing|trick(?:s|ing)?|convinc(?:e|es|ing)) (?:the |a |an )?(?:model|llm|ai|assistant|agent|bot|chatbot|system) (?:to|into))[\s:,"'“‘`«(-]*$/u;

const MAX_META_HITS = 20_000;
const META_WINDOW = 500;
const LOOK_BACK = 300;

/** Fenced code blocks (``` or ~~~) as sorted [start, end) ranges; an unclosed fence runs to the end. */
function fencedRanges(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  let open = -1;
  for (const m of text.matchAll(/(?:^|\n)(?:```|~~~)/g)) {
    if (open < 0) open = m.index;
    else {
      ranges.push([open, m.index + m[0].length]);
      open = -1;
    }
  }
  if (open >= 0) ranges.push([open, text.length]);
  return ranges;
}

/** Index of the first element of sorted `xs` that is ≥ x. */
function lowerBound(xs: number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Sorted positions of `ch` in `text`. */
function positionsOf(text: string, ch: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) out.push(i);
  return out;
}

/** How many of the sorted positions fall in [from, to). */
const countBetween = (xs: number[], from: number, to: number) => lowerBound(xs, to) - lowerBound(xs, from);

/** Prepares the context lookups for one normalised text (linear in its length). */
export function contextOf(text: string): ContextFactor {
  const fences = fencedRanges(text);
  const newlines = positionsOf(text, '\n');
  const backticks = positionsOf(text, '`');
  const quotes = positionsOf(text, '"');
  const fenceStarts = fences.map((r) => r[0]);
  const positions = (pattern: RegExp) => {
    const out: number[] = [];
    for (const m of text.matchAll(pattern)) {
      out.push(m.index);
      if (out.length >= MAX_META_HITS) break;
    }
    return out;
  };
  const meta = positions(META);
  const templateDocs = positions(TEMPLATE_DOCS);
  const inFence = (pos: number) => {
    const i = lowerBound(fenceStarts, pos + 1) - 1;
    return i >= 0 && pos < fences[i]![1];
  };
  const near = (hits: number[], pos: number) => {
    const i = lowerBound(hits, pos - META_WINDOW);
    return i < hits.length && hits[i]! <= pos + META_WINDOW;
  };
  return (kind, start) => {
    if (kind === 'none') return 1;
    const n = lowerBound(newlines, start) - 1;
    const lineStart = n >= 0 ? newlines[n]! + 1 : 0;
    const before = text.slice(Math.max(lineStart, start - LOOK_BACK), start);
    const code =
      inFence(start) ||
      countBetween(backticks, lineStart, start) % 2 === 1 ||
      before.lastIndexOf('<code') > before.lastIndexOf('</code') ||
      before.lastIndexOf('<pre') > before.lastIndexOf('</pre');
    const isMeta = near(meta, start) || (kind === 'markup' && near(templateDocs, start));
    if (kind === 'markup') {
      if (code) return isMeta ? 0.3 : 0.55;
      return isMeta ? 0.6 : 1;
    }
    const quoted =
      code ||
      countBetween(quotes, lineStart, start) % 2 === 1 ||
      before.lastIndexOf('“') > before.lastIndexOf('”') ||
      before.lastIndexOf('«') > before.lastIndexOf('»') ||
      /(?:^|[\s(:])'$/.test(before) ||
      REPORTED.test(before.slice(-60));
    if (quoted) return isMeta ? 0.35 : 0.7;
    return isMeta ? 0.8 : 1;
  };
}
