/**
 * The optional "similar to known attacks" stage: embeds the text (in windows of a few
 * sentences) with the server's embedder and compares each window with the shipped attack set
 * (injection-known-attacks.ts) by cosine similarity. The best similarity maps linearly to a
 * score: 0 at `low`, `weight` at `high` and above. The weight (default 0.45) keeps the stage
 * below the quarantine threshold on its own: with a general-purpose sentence embedder,
 * benign texts (notably non-English ones) reach similarities as high as attacks do, so the
 * stage is supporting evidence that adds to the rules' score. Enabled by HIVEGRAPH_INJECTION_SIMILARITY=on; with it off
 * nothing is embedded and the default path does not change.
 *
 * The attack vectors are computed once, on first use. A text costs one embed call of at most
 * `maxWindows` windows.
 */
import type { InjectionSignal } from './injection.ts';
import { KNOWN_ATTACKS } from './injection-known-attacks.ts';
import type { ScreeningStage, StageVerdict } from './screener.ts';

/** Embeds texts to unit vectors (the server's Embedder.embed). */
export type EmbedTexts = (texts: readonly string[]) => Promise<Float32Array[]>;

/** Options of {@link createSimilarityStage}. */
export interface SimilarityStageOptions {
  embed: EmbedTexts;
  /** The attack set (default: KNOWN_ATTACKS). */
  attacks?: readonly string[];
  /** Cosine similarity that scores 0 (default 0.55, chosen on the tuning set and held-out set 1). */
  low?: number;
  /** Cosine similarity that scores `weight` (default 0.8). */
  high?: number;
  /** The stage's highest score (default 0.45). */
  weight?: number;
  /** Windows embedded per text (default 12: the first 6 and the last 6 of a longer text). */
  maxWindows?: number;
  /** Characters per window (default 400). */
  windowChars?: number;
}

/** A report floor like the rules': weaker similarity only nudges the score. */
const REPORT_FLOOR = 0.2;

/** Splits `text` into windows of whole sentences (lines and sentence ends), each ≤ `size` characters where it can be. */
export function sentenceWindows(text: string, size: number, max: number): string[] {
  const sentences = text.split(/(?<=[.!?。！？])\s+|\n+/).map((s) => s.trim()).filter((s) => s.length > 0);
  const windows: string[] = [];
  let current = '';
  for (const sentence of sentences) {
    if (current && current.length + sentence.length + 1 > size) {
      windows.push(current);
      current = '';
    }
    current = current ? `${current} ${sentence}` : sentence.slice(0, size * 2);
  }
  if (current) windows.push(current);
  if (windows.length <= max) return windows;
  const half = Math.floor(max / 2);
  return [...windows.slice(0, half), ...windows.slice(windows.length - (max - half))];
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += a[i]! * b[i]!;
  return sum;
}

/** The similarity stage; the attack set is embedded on first use. */
export function createSimilarityStage(options: SimilarityStageOptions): ScreeningStage & { bestSimilarity(text: string): Promise<number> } {
  const low = options.low ?? 0.55;
  const high = options.high ?? 0.8;
  const weight = options.weight ?? 0.45;
  const maxWindows = options.maxWindows ?? 12;
  const windowChars = options.windowChars ?? 400;
  const attacks = options.attacks ?? KNOWN_ATTACKS;
  let attackVectors: Promise<Float32Array[]> | undefined;

  const bestSimilarity = async (text: string): Promise<number> => {
    const windows = sentenceWindows(text, windowChars, maxWindows);
    if (windows.length === 0) return 0;
    attackVectors ??= options.embed(attacks).catch((error: unknown) => {
      attackVectors = undefined; // try again next time
      throw error;
    });
    const [known, vectors] = await Promise.all([attackVectors, options.embed(windows)]);
    let best = 0;
    for (const v of vectors) for (const k of known) best = Math.max(best, dot(v, k));
    return best;
  };

  return {
    name: 'similarity',
    bestSimilarity,
    async screen(text): Promise<StageVerdict> {
      const similarity = await bestSimilarity(text);
      const score = Math.round(weight * Math.min(1, Math.max(0, (similarity - low) / (high - low))) * 1000) / 1000;
      const signals: InjectionSignal[] = score >= REPORT_FLOOR ? ['KNOWN_ATTACK'] : [];
      return { stage: 'similarity', score, signals };
    },
  };
}
