/**
 * Text normalisation for the injection screener: the form every pattern is matched against.
 * NFKC (full-width and mathematical letters become plain ones), look-alike Cyrillic, Greek and
 * small-capital letters folded to Latin inside words that mix scripts, light leetspeak in words
 * that spell a trigger word, lower case, diacritics removed, whitespace collapsed.
 */

/** The normalised text and what the folding steps had to undo. */
export interface NormalisedText {
  /** Lower case, no diacritics, look-alikes folded, spaces collapsed (newlines kept). */
  text: string;
  /** Words that mixed Latin with look-alike letters and spelled a trigger word once folded. */
  homoglyphWords: number;
  /** Words written with digits or symbols for letters that spelled a trigger word. */
  leetWords: number;
  /** Words that mixed Latin with look-alike letters (any word, at least four letters). */
  mixedScriptWords: number;
}

/** Look-alikes of Latin letters, keyed by the character as written (before lower-casing). */
const HOMOGLYPHS: Record<string, string> = {
  // Cyrillic
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', Х: 'X', У: 'Y', Ѕ: 'S', І: 'I', Ј: 'J', Ԁ: 'D', Ԛ: 'Q', Ԝ: 'W', Һ: 'H', Ӏ: 'I',
  а: 'a', е: 'e', ё: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', ѕ: 's', і: 'i', ї: 'i', ј: 'j', ԁ: 'd', ԛ: 'q', ԝ: 'w', һ: 'h', ӏ: 'l', к: 'k', м: 'm', т: 't', н: 'h', в: 'b', г: 'r', п: 'n',
  // Greek
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
  α: 'a', β: 'b', γ: 'y', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w', ϲ: 'c', ς: 's',
  // Latin look-alikes NFKC leaves alone (small capitals, dotless i, script a/g)
  ı: 'i', ɑ: 'a', ɡ: 'g', ᴀ: 'a', ʙ: 'b', ᴄ: 'c', ᴅ: 'd', ᴇ: 'e', ꜰ: 'f', ɢ: 'g', ʜ: 'h', ɪ: 'i', ᴊ: 'j', ᴋ: 'k', ʟ: 'l', ᴍ: 'm', ɴ: 'n', ᴏ: 'o', ᴘ: 'p', ʀ: 'r', ꜱ: 's', ᴛ: 't', ᴜ: 'u', ᴠ: 'v', ᴡ: 'w', ʏ: 'y', ᴢ: 'z',
};
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };

/** Stems that make a folded look-alike word count as obfuscation. */
const TRIGGER_STEMS = /ignor|disregard|forget|instruct|previous|prompt|system|reveal|jailbr|overrid|bypass|passw|secret|admin|assistant|develop|unrestrict|restrict|exfiltr|credential|confiden|command|rules|guideline/;
/** Whole words a leetspeak spelling must fold to for the folding to be kept (so `admin@host` stays). */
const LEET_WORDS = /^(?:ignore|ignoring|disregard|forget|instructions?|previous|prior|prompts?|system|reveal|jailbreak|jailbroken|override|bypass|passwords?|secrets?|admin|assistant|developer|unrestricted|restrictions?|exfiltrate|credentials?|confidential|commands?|rules|guidelines|all|above|everything|now|mode)$/;

/** A word with a non-ASCII letter or a digit / @ / $ in it (the only words folding can change). */
const CANDIDATE_WORD = /(?<![\p{L}\p{N}@$])[\p{L}\p{N}@$]*?(?:(?=[^\x00-\x7f])[\p{L}\p{N}]|[0-9@$])[\p{L}\p{N}@$]*/gu;

/** Look-alikes that are themselves Latin-script letters (small capitals, dotless i, script a/g). */
const LATIN_LOOKALIKES = new Set(Array.from('ıɑɡᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ'));
const NON_ASCII_LATIN = /\p{Script=Latin}/u;

/**
 * Folds look-alike letters in a word that mixes Latin with Cyrillic/Greek look-alikes (every
 * non-Latin letter must have a Latin twin, so real Russian or Greek words stay as they are), or
 * a Latin-script word of small capitals that spells a trigger word. Reports what it did.
 */
function foldLookAlikes(word: string, report: (mixedScript: boolean, trigger: boolean) => void): string {
  let hasLatin = false;
  let hasOther = false;
  let mapped = '';
  for (const ch of word) {
    const twin = HOMOGLYPHS[ch];
    if (twin !== undefined) {
      if (LATIN_LOOKALIKES.has(ch)) hasLatin = true;
      else hasOther = true;
      mapped += twin;
      continue;
    }
    mapped += ch;
    const c = ch.charCodeAt(0);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) hasLatin = true;
    else if (c > 0x7f && /\p{L}/u.test(ch)) {
      if (!NON_ASCII_LATIN.test(ch)) return word; // a letter of another script without a Latin twin
      hasLatin = true;
    }
  }
  if (!hasLatin || mapped === word) return word;
  const trigger = TRIGGER_STEMS.test(mapped.toLowerCase());
  if (hasOther) {
    report(true, trigger);
    return mapped;
  }
  if (!trigger) return word; // accented Latin words ("café") are left alone
  report(false, true);
  return mapped;
}

/** Lower case, strip combining marks (é → e, й → и, が → か), ß → ss. Also applied to pattern sources. */
export function foldCase(s: string): string {
  return s.toLowerCase().normalize('NFD').replace(/\p{M}+/gu, '').replace(/ß/g, 'ss');
}

/**
 * Normalises `cased` (already stripped of invisible characters and NFKC-normalised) for matching.
 * Linear in the length of the text.
 */
export function normaliseForMatching(cased: string): NormalisedText {
  let homoglyphWords = 0;
  let leetWords = 0;
  let mixedScriptWords = 0;
  const folded = cased.replace(CANDIDATE_WORD, (word) => {
    let nonAscii = false;
    let digitOrSymbol = false;
    for (let i = 0; i < word.length; i++) {
      const c = word.charCodeAt(i);
      if (c > 0x7f) nonAscii = true;
      else if ((c >= 0x30 && c <= 0x39) || c === 0x40 || c === 0x24) digitOrSymbol = true;
    }
    if (!nonAscii && !digitOrSymbol) return word;
    let out = word;
    if (nonAscii) out = foldLookAlikes(word, (mixed, trigger) => {
      if (mixed && word.length >= 4) mixedScriptWords++;
      if (trigger) homoglyphWords++;
    });
    if (digitOrSymbol && out.length >= 3 && /\p{L}/u.test(out)) {
      const mapped = Array.from(out, (ch) => LEET[ch] ?? ch).join('');
      if (LEET_WORDS.test(mapped.toLowerCase())) {
        leetWords++;
        out = mapped;
      }
    }
    return out;
  });
  const text = foldCase(folded)
    .replace(/ [^\S\n]+|[^\S\n ][^\S\n]*/g, ' ') // single spaces are left alone (fast path)
    .replace(/ ?\n\s*/g, '\n')
    .trim();
  return { text, homoglyphWords, leetWords, mixedScriptWords };
}

/** Letters written one at a time with separators ("i g n o r e", "s.y.s.t.e.m"). */
const SPACED_LETTERS = /(?<![\p{L}\p{N}])(?:\p{L}[ .\-_*|/]{1,2}){5,}\p{L}(?![\p{L}\p{N}])/gu;

/**
 * Joins runs of single letters separated by spaces or punctuation into one word each, so that
 * "i g n o r e  a l l" can be matched against compact phrases. Returns the joined runs, one per line
 * (at most `limit` runs).
 */
export function joinSpacedLetters(text: string, limit = 200): string {
  const runs: string[] = [];
  for (const m of text.matchAll(SPACED_LETTERS)) {
    runs.push(m[0].replace(/[^\p{L}]/gu, ''));
    if (runs.length >= limit) break;
  }
  return runs.join('\n');
}
