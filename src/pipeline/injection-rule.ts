/**
 * The shape of one screening rule and the helpers the rule tables are written with.
 */
import type { InjectionSignal } from './injection.ts';
import { foldCase } from './injection-normalise.ts';

/**
 * How a hit's surroundings may lower its strength (see injection-context.ts):
 * `phrase` — a natural-language phrase, weaker when quoted or reported near talk about attacks;
 * `markup` — chat-template or tool-call markup, weaker inside code blocks;
 * `none` — never lowered.
 */
export type RuleContext = 'phrase' | 'markup' | 'none';

/** One pattern, the signal it raises and how strongly. */
export interface Rule {
  signal: InjectionSignal;
  /** A global regular expression over the normalised text (lower case, no diacritics). */
  pattern: RegExp;
  /** Strength in [0, 1], or a function of the match (for graded phrases); 0 means "no hit". */
  strength: number | ((match: RegExpExecArray) => number);
  context: RuleContext;
}

/** Start and end of a word, for any script (`\b` only knows ASCII). */
export const B0 = '(?<![\\p{L}\\p{N}_])';
export const B1 = '(?![\\p{L}\\p{N}_])';

/**
 * Compiles a rule source: non-ASCII parts are folded like the text (so patterns may be written
 * with accents: "précédentes", "игнорируй"), `⟨` and `⟩` stand for the start and end of a word
 * (`\\b` when the folded pattern is ASCII, else a Unicode-aware lookaround). Sources are written
 * in lower case.
 */
export function re(source: string): RegExp {
  const folded = source.replace(/[^\x00-\x7f⟨⟩]+/g, foldCase);
  // An ASCII-only pattern can use \b, which V8 scans many times faster than a lookbehind.
  const ascii = !/[^\x00-\x7f⟨⟩]/.test(folded);
  return new RegExp(folded.replace(/⟨/g, ascii ? '\\b' : B0).replace(/⟩/g, ascii ? '\\b' : B1), 'gu');
}

/** Builds a rule list for one signal. */
export function rules(signal: InjectionSignal, context: RuleContext, list: [string, Rule['strength']][]): Rule[] {
  return list.map(([source, strength]) => ({ signal, pattern: re(source), strength, context }));
}

/** Non-capturing alternation of words. */
export const any = (...words: string[]) => `(?:${words.join('|')})`;

