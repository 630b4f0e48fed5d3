/**
 * Prompt-injection screening for the moderated contribution pipeline. Contributions are read
 * later by other agents as context, so a stored instruction aimed at that reader is an attack.
 * `screenInjection` scores a text in [0, 1]; at or above the threshold the contribution is
 * quarantined (never auto-approved, left for a reviewer). Pure, deterministic, linear-time.
 * How the score is built and what it misses: docs/pipeline.md, "Injection screening".
 */
import { noisyOr, signalStrengths } from './injection-engine.ts';

/** Signals of the rules stage (stage one). */
export const RULE_SIGNALS = [
  'IGNORE_INSTRUCTIONS',
  'ROLE_HIJACK',
  'SYSTEM_PROMPT',
  'TOOL_CALL_INJECTION',
  'MARKUP_INJECTION',
  'HIDDEN_CHARACTERS',
  'HIDDEN_CONTENT',
  'ENCODED_PAYLOAD',
  'OBFUSCATION',
  'EXFILTRATION',
  'READER_TARGETING',
  'CONCEALMENT',
] as const;

/** Signals of the optional stages: the ONNX classifier and the similarity to known attacks. */
export const STAGE_SIGNALS = ['CLASSIFIER', 'KNOWN_ATTACK'] as const;

/** Names of the signals the screener reports (shown to reviewers as contribution flags, prefixed `injection:`). */
export const INJECTION_SIGNALS = [...RULE_SIGNALS, ...STAGE_SIGNALS] as const;
export type InjectionSignal = (typeof INJECTION_SIGNALS)[number];
export type RuleSignal = (typeof RULE_SIGNALS)[number];

/** One line per signal for reviewers; never quotes the contribution. */
export const INJECTION_SIGNAL_DESCRIPTIONS: Readonly<Record<InjectionSignal, string>> = {
  IGNORE_INSTRUCTIONS: 'asks the reader to ignore or replace its earlier instructions',
  ROLE_HIJACK: 'tries to give the reader a new role or persona, or to lift its restrictions',
  SYSTEM_PROMPT: "asks the reader to reveal its system prompt or hidden instructions",
  TOOL_CALL_INJECTION: 'contains forged tool or function calls, or asks the reader to call a tool',
  MARKUP_INJECTION: 'contains chat-template markup (role tags, special tokens) that fakes a new turn',
  HIDDEN_CHARACTERS: 'contains invisible characters (zero-width, bidi controls, tag or variation-selector smuggling)',
  HIDDEN_CONTENT: 'has text hidden from a rendered view (HTML comments, invisible styles) with instructions in it',
  ENCODED_PAYLOAD: 'has encoded text (base64, hex, entities, escapes, rot13) that decodes to instructions',
  OBFUSCATION: 'spells trigger words with look-alike letters, leetspeak or letters spaced apart',
  EXFILTRATION: 'asks the reader to send data out, e.g. an image URL with a slot for the conversation',
  READER_TARGETING: 'addresses the AI agent that will read it, or asks for approval of itself',
  CONCEALMENT: 'asks the reader to keep something from its user or to act silently',
  CLASSIFIER: 'the prompt-injection classifier model scored it as an injection',
  KNOWN_ATTACK: 'reads like a known prompt-injection attack (embedding similarity to the shipped attack set)',
};

/** The screener's verdict: a score in [0, 1] and the signals that fired, strongest first. */
export interface InjectionAssessment {
  score: number;
  signals: InjectionSignal[];
}

/**
 * Default quarantine threshold (the server reads HIVEGRAPH_INJECTION_THRESHOLD). Chosen from the
 * labelled set in test/pipeline/injection-cases*.ts: see the sweep in docs/pipeline.md.
 */
export const DEFAULT_INJECTION_THRESHOLD = 0.5;

/** A signal at or above this strength is reported; weaker ones only nudge the score. */
const REPORT_FLOOR = 0.2;

/**
 * Scores `text` (title and content joined by the caller): per-signal strengths combined by
 * noisy-OR, rounded to three decimals. Empty text scores 0.
 */
export function screenInjection(text: string): InjectionAssessment {
  if (text.trim() === '') return { score: 0, signals: [] };
  const strengths = signalStrengths(text);
  const score = Math.round(noisyOr(strengths.values()) * 1000) / 1000;
  const signals = RULE_SIGNALS.filter((s) => (strengths.get(s) ?? 0) >= REPORT_FLOOR).sort(
    (a, b) => strengths.get(b)! - strengths.get(a)! || RULE_SIGNALS.indexOf(a) - RULE_SIGNALS.indexOf(b),
  );
  return { score, signals };
}

/** Whether an assessment means quarantine: score at or above `threshold`. */
export function isQuarantined(assessment: InjectionAssessment, threshold = DEFAULT_INJECTION_THRESHOLD): boolean {
  return assessment.score >= threshold;
}
