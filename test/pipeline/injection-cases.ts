/**
 * The labelled set for the injection screener: texts written for this purpose, each labelled
 * benign or malicious with a category. `TUNING_CASES` were written first and the rules were
 * tuned while looking at them; `HELD_OUT_CASES` were written afterwards and are reported apart.
 */
import { BENIGN_CASES } from './injection-cases-benign.ts';
import { HELD_OUT_CASES } from './injection-cases-heldout.ts';
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

export { HELD_OUT_CASES };
