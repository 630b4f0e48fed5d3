/**
 * Injection screening as stages behind one async interface. Stage one is the rules
 * (`screenInjection`, always on); optional stages are an ONNX classifier
 * (injection-classifier.ts) and the similarity to known attacks (injection-similarity.ts).
 * Every stage scores the text in [0, 1]; the stages combine by noisy-OR into the one score
 * (1 − ∏(1 − sᵢ)), and each stage's signals are reported, strongest stage first.
 */
import { type InjectionAssessment, type InjectionSignal, screenInjection } from './injection.ts';
import { noisyOr } from './injection-engine.ts';

/** What one stage says about a text. */
export interface StageVerdict {
  /** The stage's name (`rules`, `classifier`, `similarity`). */
  stage: string;
  /** In [0, 1]. */
  score: number;
  /** The signals this stage reports (empty when it found nothing worth naming). */
  signals: InjectionSignal[];
}

/** One screening stage. */
export interface ScreeningStage {
  readonly name: string;
  screen(text: string): Promise<StageVerdict>;
  /** Frees what the stage holds (a model session); optional. */
  close?(): Promise<void>;
}

/** The combined verdict: the one score and signals, and what each stage said. */
export interface ScreenerVerdict extends InjectionAssessment {
  stages: StageVerdict[];
}

/** The screener the contribution pipeline calls: runs every stage and combines their scores. */
export interface Screener {
  /** The names of the stages, in order. */
  readonly stages: readonly string[];
  screen(text: string): Promise<ScreenerVerdict>;
  close(): Promise<void>;
}

/** Stage one: the rule tables (pure, synchronous, always available). */
export const rulesStage: ScreeningStage = {
  name: 'rules',
  screen: async (text) => ({ stage: 'rules', ...screenInjection(text) }),
};

/**
 * A screener over `stages` (rules first by convention). Stages run concurrently; the score is
 * their noisy-OR, rounded to three decimals; signals are de-duplicated, strongest stage first.
 */
export function createScreener(stages: readonly ScreeningStage[]): Screener {
  if (stages.length === 0) throw new Error('A screener needs at least one stage.');
  return {
    stages: stages.map((s) => s.name),
    async screen(text) {
      const verdicts = await Promise.all(stages.map((s) => s.screen(text)));
      const score = Math.round(noisyOr(verdicts.map((v) => v.score)) * 1000) / 1000;
      const signals = [...new Set([...verdicts].sort((a, b) => b.score - a.score).flatMap((v) => v.signals))];
      return { score, signals, stages: verdicts };
    },
    async close() {
      await Promise.all(stages.map((s) => s.close?.()));
    },
  };
}

/** The screener with the rules stage alone: the default when no model is configured. */
export function rulesOnlyScreener(): Screener {
  return createScreener([rulesStage]);
}
