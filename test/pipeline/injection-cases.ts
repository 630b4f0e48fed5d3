/**
 * The labelled set for the injection screener: texts written for this purpose, each labelled
 * benign or malicious with a category, in three parts written one after another:
 * - `TUNING_CASES` (212): written first; the rules were tuned while looking at them;
 * - `HELD_OUT_CASES` (48): written after that tuning and measured untouched (first held-out
 *   estimate), then looked at in a second tuning round — no longer clean;
 * - `HELD_OUT_2_CASES` (50): written after the second round and never tuned against (the clean
 *   held-out estimate).
 */
import { BENIGN_CASES } from './injection-cases-benign.ts';
import { HELD_OUT_CASES } from './injection-cases-heldout.ts';
import { HELD_OUT_2_CASES } from './injection-cases-heldout2.ts';
import { MALICIOUS_CASES } from './injection-cases-malicious.ts';

export type MaliciousCategory =
  | 'direct-override'
  | 'role-hijack'
  | 'system-prompt'
  | 'tool-markup'
  | 'hidden-characters'
  | 'encoded'
  | 'multilingual'
  | 'exfiltration'
  | 'indirect';
export type BenignCategory =
  | 'runbook'
  | 'code'
  | 'api-docs'
  | 'security-discussion'
  | 'html-markdown'
  | 'base64-blob'
  | 'non-english'
  | 'ordinary-words';

/** One labelled text. */
export type InjectionCase =
  | { id: string; label: 'malicious'; category: MaliciousCategory; text: string }
  | { id: string; label: 'benign'; category: BenignCategory; text: string };

/** Cases the rules were tuned against. */
export const TUNING_CASES: readonly InjectionCase[] = [...MALICIOUS_CASES, ...BENIGN_CASES];

export { HELD_OUT_CASES, HELD_OUT_2_CASES };
