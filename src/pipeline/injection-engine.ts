/**
 * The injection screener's engine: normalise, run the rule tables, add the structural signals
 * (invisible characters, hidden content, image exfiltration, obfuscation), then decode what is
 * encoded or smuggled and screen it again (bounded depth and budget). Returns one strength in
 * [0, 1] per signal; injection.ts turns them into the public verdict.
 */
import type { InjectionSignal } from './injection.ts';
import { contextOf, type ContextFactor } from './injection-context.ts';
import { decodeChunks, decodeInline, rot13, type DecodeBudget } from './injection-decode.ts';
import { exfiltrationUrlStrength } from './injection-exfil.ts';
import { findHiddenSegments, hiddenContentStrength } from './injection-hidden.ts';
import { invisibleStrength, stripInvisible } from './injection-invisible.ts';
import { joinSpacedLetters, normaliseForMatching } from './injection-normalise.ts';
import type { Rule } from './injection-rule.ts';
import { AGENT_RULES } from './injection-rules-agent.ts';
import { I18N_RULES } from './injection-rules-i18n.ts';
import { OVERRIDE_RULES } from './injection-rules-override.ts';

/** Strength per signal. */
export type Strengths = Map<InjectionSignal, number>;

const RULES: readonly Rule[] = [...OVERRIDE_RULES, ...AGENT_RULES, ...I18N_RULES];
const MAX_DEPTH = 3;
const MAX_HITS_PER_RULE = 1_000;
/** Decoded text screened again, over a whole screening (1 MiB of input may hold 1 MiB of payload). */
const DECODE_BUDGET_CHARS = 2 * 1024 * 1024;
/** A decoded variant must beat the plain text by this much for a signal to count as revealed. */
const REVEAL_MARGIN = 0.05;

/** Phrases spelled a letter at a time ("i g n o r e  a l l …"), matched on the joined letters. */
const COMPACT: [RegExp, InjectionSignal, number][] = [
  [/(?:ignore|disregard|forget)(?:all|any|the|your)*(?:previous|prior|above|earlier|instructions|rules)|forgeteverything/, 'IGNORE_INSTRUCTIONS', 0.75],
  [/systemprompt|initialinstructions|reveal(?:your|the)|yourinstructions/, 'SYSTEM_PROMPT', 0.6],
  [/youarenow|developermode|jailbr(?:eak|oken)|doanythingnow|nolonger(?:bound|restricted)/, 'ROLE_HIJACK', 0.7],
];

/** 1 − ∏(1 − sᵢ): any strong signal dominates, several weak ones add up, never above 1. */
export function noisyOr(strengths: Iterable<number>): number {
  let keep = 1;
  for (const s of strengths) keep *= 1 - Math.min(1, Math.max(0, s));
  return 1 - keep;
}

function raise(map: Strengths, signal: InjectionSignal, strength: number): void {
  if (strength > (map.get(signal) ?? 0)) map.set(signal, strength);
}

/** Runs every rule over `text`; a rule's strength is its best hit after the context factor. */
function matchRules(text: string, context: ContextFactor | undefined): Strengths {
  const out: Strengths = new Map();
  for (const rule of RULES) {
    let best = 0;
    let hits = 0;
    for (const m of text.matchAll(rule.pattern)) {
      const base = typeof rule.strength === 'number' ? rule.strength : rule.strength(m);
      if (base > best) {
        const factor = context ? context(rule.context, m.index) : 1;
        best = Math.max(best, base * factor);
        if (factor === 1 && typeof rule.strength === 'number') break;
      }
      if (++hits >= MAX_HITS_PER_RULE) break;
    }
    if (best > 0) raise(out, rule.signal, best);
  }
  return out;
}

/**
 * Signals an entity-, %- or backslash-escaped text cannot carry: `&lt;system&gt;` is shown as
 * text by a renderer and read as text by a model, and `"\u200b"` in source code is visible; so
 * escaped markup or invisible characters are documentation, not an attack.
 */
const NOT_CARRIED_BY_ESCAPES: ReadonlySet<InjectionSignal> = new Set(['MARKUP_INJECTION', 'TOOL_CALL_INJECTION', 'HIDDEN_CONTENT', 'HIDDEN_CHARACTERS']);

/** Merges what a decoded variant shows beyond the plain text; the carrier signal gets the best of it. */
function reveal(out: Strengths, decoded: Strengths, carrier: InjectionSignal, ignore?: ReadonlySet<InjectionSignal>): void {
  let best = 0;
  for (const [signal, s] of decoded) {
    if (ignore?.has(signal)) continue;
    if (s > (out.get(signal) ?? 0) + REVEAL_MARGIN) {
      best = Math.max(best, s);
      raise(out, signal, s);
    }
  }
  if (best >= 0.25) raise(out, carrier, best);
}

function assess(raw: string, depth: number, budget: DecodeBudget, withContext: boolean): Strengths {
  const invisible = stripInvisible(raw);
  const cased = invisible.text.normalize('NFKC');
  const norm = normaliseForMatching(cased);
  const text = norm.text;
  const out = matchRules(text, withContext ? contextOf(text) : undefined);

  raise(out, 'HIDDEN_CHARACTERS', invisibleStrength(invisible));
  let obfuscation = norm.homoglyphWords > 0 ? 0.45 : norm.leetWords > 0 ? 0.4 : norm.mixedScriptWords >= 3 ? 0.25 : 0;
  const spaced = joinSpacedLetters(text);
  for (const [pattern, signal, strength] of spaced ? COMPACT : []) {
    if (!pattern.test(spaced)) continue;
    raise(out, signal, strength);
    obfuscation = Math.max(obfuscation, 0.45);
  }
  raise(out, 'OBFUSCATION', obfuscation);
  raise(out, 'HIDDEN_CONTENT', hiddenContentStrength(findHiddenSegments(text), (segment) => noisyOr(matchRules(segment, undefined).values())));
  raise(out, 'EXFILTRATION', exfiltrationUrlStrength(cased));

  if (depth >= MAX_DEPTH) return out;
  const again = (variant: string, context: boolean) => {
    budget.chars -= variant.length;
    return assess(variant, depth + 1, budget, context);
  };
  if (invisible.smuggled) reveal(out, again(invisible.smuggled, false), 'HIDDEN_CHARACTERS');
  const inline = budget.chars > 0 ? decodeInline(cased) : undefined;
  if (inline !== undefined && inline !== cased) reveal(out, again(inline, withContext), 'ENCODED_PAYLOAD', NOT_CARRIED_BY_ESCAPES);
  const chunks = budget.chars > 0 ? decodeChunks(cased, budget.chars) : undefined;
  if (chunks !== undefined) reveal(out, again(chunks, false), 'ENCODED_PAYLOAD');
  if (budget.chars > 0 && /(?<![a-z])rot-?13(?![a-z])/.test(text)) reveal(out, again(rot13(cased), false), 'ENCODED_PAYLOAD');
  if (budget.chars > 0 && /(?<![a-z])(?:reverse|reversed|backwards|right to left)(?![a-z])/.test(text)) {
    reveal(out, again(Array.from(cased).reverse().join(''), false), 'ENCODED_PAYLOAD');
  }
  return out;
}

/** Strength per signal for `raw` (the contribution's title and content). Pure and deterministic. */
export function signalStrengths(raw: string): Strengths {
  return assess(raw, 0, { chars: DECODE_BUDGET_CHARS }, true);
}
