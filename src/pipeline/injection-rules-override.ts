/**
 * English rules for the instruction-level attacks: overriding earlier instructions, taking over
 * the reader's role, and extracting its system prompt. Strengths are graded by the words around
 * the verb: "ignore previous instructions" is an attack, "ignore the lint rules" is not.
 */
import { any, rules, type Rule } from './injection-rule.ts';

const STRONG_VERB = any('ignore', 'ignoring', 'disregard', 'disregarding', 'forget', 'forgetting', 'pay no attention to', 'do not follow', "don't follow", 'do not obey', "don't obey", 'stop following', 'no longer follow', 'set aside', 'cancel');
const WEAK_VERB = any('skip', 'override', 'overrule', 'drop', 'discard', 'abandon', 'dismiss', 'neglect', 'throw out', 'bypass', 'circumvent');
const QUALIFIER = any('all', 'any', 'every', 'each', 'the', 'your', 'my', 'these', 'those', 'of', 'previous', 'previously given', 'prior', 'above', 'earlier', 'preceding', 'foregoing', 'aforementioned', 'above-mentioned', 'former', 'original', 'initial', 'existing', 'current', 'system', 'safety', 'developer', 'given', 'other', 'and', 'or', 'programmed', 'internal', 'standing', 'hidden');
const OBJECT = any('instructions?', 'directions', 'directives?', 'prompts?', 'rules', 'guidelines', 'guidance', 'commands', 'orders', 'constraints', 'restrictions', 'policies', 'programming', 'training', 'context', 'messages?', 'text', 'content', 'conversation', 'guardrails', 'filters', 'safeguards', 'limitations', 'system prompt', 'instrucoes', 'instrucciones');

const TEMPORAL = /previous|prior|above|earlier|preceding|foregoing|aforementioned|former|before/;
const POSSESSIVE = /your|all|any|every|system|safety|developer|original|initial|programmed|internal|hidden/;
const WEAK_OBJECT = /context|text|content|messages?|conversation/;
const DECLARATIVE_BEFORE = /(?:will|would|can|could|may|might|it|which|that|they|we|to|should|then|linter|parser|compiler|server|tool|script) $/;

const STRONG_VERB_ONLY = new RegExp(`^${STRONG_VERB}$`);

/** "ignore all previous instructions" and its many spellings. */
function overrideStrength(m: RegExpExecArray): number {
  const verbIsWeak = !STRONG_VERB_ONLY.test(m[1]!);
  const qualifiers = m[2] ?? '';
  let s = TEMPORAL.test(qualifiers) ? 0.85 : POSSESSIVE.test(qualifiers) ? 0.7 : 0.3;
  if (s === 0.7 && DECLARATIVE_BEFORE.test(m.input.slice(Math.max(0, m.index - 12), m.index))) s = 0.35;
  if (verbIsWeak) s *= 0.7;
  if (WEAK_OBJECT.test(m[3]!)) s *= 0.85;
  return s;
}

const OVERRIDE: Rule[] = rules('IGNORE_INSTRUCTIONS', 'phrase', [
  [`⟨(${STRONG_VERB}|${WEAK_VERB})((?:[\\s,]+${QUALIFIER}){0,6})\\s+(${OBJECT})⟩`, overrideStrength],
  [`⟨(?:ignore|disregard|forget)\\s+(?:all\\s+|everything\\s+|anything\\s+|the\\s+)?(?:(?:that|what)\\s+(?:was|is|has been|you were|you have been|i)\\s+)?(?:said\\s+|written\\s+|told\\s+|stated\\s+|mentioned\\s+|given\\s+)?(?:above|before|previously|earlier|so far|up to now|until now)⟩(?!\\s+(?:[a-z]+ing|errors?|warnings?|messages?|output|steps?|lines?|logs?|sections?|examples?|notes?|code|commands?|if|when|unless|for|on|in|the|a)⟩)`, 0.8],
  [`⟨(?:${STRONG_VERB}|${WEAK_VERB})\\s+(?:all\\s+|any\\s+|the\\s+|your\\s+|whatever\\s+)?(?:of\\s+)?(?:the\\s+)?${OBJECT}\\s+(?:that\\s+)?(?:you\\s+(?:were|have been|'ve been|had been)\\s+given|you\\s+(?:received|got|were told)|(?:given|sent)\\s+to\\s+you|(?:given\\s+)?(?:earlier|before|previously|above|so far))⟩`, 0.8],
  [`⟨forget\\s+(?:all\\s+|everything\\s+|anything\\s+)?(?:that\\s+|what\\s+)?you\\s+(?:were|have been|'ve been|had been)\\s+(?:told|taught|instructed|programmed|trained|given)⟩`, 0.8],
  [`⟨forget\\s+(?:about\\s+)?everything⟩`, 0.4],
  [`⟨your\\s+(?:new|real|actual|true|updated|only|primary|revised)\\s+(?:instructions?|task|goal|objective|mission|purpose|directive|job|role|orders)\\s+(?:is|are|will be|now)⟩`, 0.65],
  [`⟨the\\s+(?:new|real|actual|true)\\s+(?:instructions?|task|goal|objective|mission|directive|orders)\\s+(?:is|are)⟩`, 0.3],
  [`⟨new\\s+(?:instructions?|rules|directives?|orders|task|system prompt)\\s*:`, 0.45],
  [`⟨(?:the\\s+)?(?:above|previous|prior|earlier|preceding)\\s+(?:instructions?|text|prompt|rules|message|directions)\\s+(?:was|were|is|are)\\s+(?:just\\s+|only\\s+|merely\\s+)?(?:a\\s+)?(?:test|fake|wrong|joke|void|cancell?ed|revoked|null|not real|invalid|irrelevant|overridden|lie|lies|false|no longer (?:valid|relevant|apply|applicable))⟩`, 0.7],
  [`⟨instead\\s*,?\\s+(?:you\\s+(?:will|must|should|shall)|do the following|follow these)⟩`, 0.25],
  [`⟨(?:do not|don't|never)\\s+(?:follow|obey|listen to|comply with)\\s+(?:the\\s+|your\\s+|any\\s+)?(?:user|developer|system|original|previous|operator)(?:'s)?\\s+(?:instructions|prompt|rules|directives|message)`, 0.6],
  [`⟨(?:this|these|it)\\s+(?:overrides?|supersedes?|replaces?)\\s+(?:all\\s+|any\\s+)?(your|previous|prior|earlier|other|existing|system)\\s+(?:instructions|directives|prompts?)⟩`, (m) => (m[1] === 'your' ? 0.7 : 0.4)],
  [`⟨(?:take|takes|have|has)\\s+(?:priority|precedence)\\s+over\\s+(?:all\\s+|any\\s+)?(?:other\\s+|previous\\s+|prior\\s+|your\\s+|system\\s+|earlier\\s+|original\\s+)(?:instructions|directives|prompts?|rules)⟩`, 0.55],
]);

const ROLE_NOUN_STRONG = any('dan', 'jailbroken', 'jailbreak', 'unrestricted', 'unfiltered', 'uncensored', 'unlimited', 'evil', 'free', 'liberated', 'rogue', 'amoral', 'unchained', 'developer mode', 'god mode', 'in developer mode', 'in god mode', 'in jailbreak mode', 'in dan mode', 'in unrestricted mode');
const ROLE_NOUN = any('ai', 'assistant', 'chatbot', 'bot', 'chatgpt', 'claude', 'gpt', 'model', 'language model', 'character', 'persona', 'hacker', 'villain', 'named', 'called', 'playing', 'acting');

const ROLE: Rule[] = rules('ROLE_HIJACK', 'phrase', [
  [`⟨you(?:'re|\\s+are)\\s+(?:now|henceforth|from now on)\\s+(?:an?\\s+|the\\s+|my\\s+)?(?:${ROLE_NOUN_STRONG})⟩`, 0.85],
  [`⟨you(?:'re|\\s+are)\\s+(?:now|henceforth|from now on)\\s+(?:an?\\s+|the\\s+|my\\s+)?(?:(?!(?:to|in|on|at|with|into|using|connected|logged|signed|running|talking|chatting)⟩)[\\p{L}-]+\\s+){0,2}?${ROLE_NOUN}⟩`, 0.6],
  [`⟨you(?:'re|\\s+are)\\s+no\\s+longer\\s+(?:an?\\s+)?(?:ai|assistant|chatbot|language model|chatgpt|claude|bound|restricted|limited|constrained|required|obligated)⟩`, 0.85],
  [`⟨(?:do anything now|dan mode|stan mode|dude mode|as dan)⟩`, 0.8],
  [`⟨(developer|god|jailbreak|jailbroken|unrestricted|unfiltered|uncensored|evil|chaos|opposite|dan|sudo)\\s+mode\\s+(?:is\\s+)?(?:now\\s+)?(?:enabled|activated|on|engaged|unlocked)⟩`, (m) => (m[1] === 'developer' ? 0.45 : m[1] === 'sudo' ? 0.3 : 0.85)],
  [`⟨(?:enable|activate|enter|switch to|turn on|unlock)\\s+(?:the\\s+)?(developer|god|jailbreak|unrestricted|unfiltered|uncensored|evil|dan|chaos|opposite)\\s+mode⟩`, (m) => (m[1] === 'developer' ? 0.3 : 0.75)],
  [`⟨pretend\\s+(?:that\\s+)?you(?:'re|\\s+are|\\s+have|\\s+were)⟩`, 0.5],
  [`⟨(?:imagine|suppose|hypothetically,?)\\s+(?:that\\s+)?you(?:'re|\\s+are|\\s+were)\\s+(?:an?\\s+)?(?:ai|assistant|chatbot|language model|llm|model)⟩`, 0.4],
  [`⟨(?:ai|assistant|chatbot|language model|llm|model)\\s+(?:that|which|who)\\s+(?:was never given|has never had|never had|has no|had no|lacks|doesn't have|does not have|is free of|is not bound by)\\s+(?:any\\s+)?(?:safety|ethical|moral|content)?\\s*(?:training|guidelines|restrictions|rules|filters|limits|alignment)⟩`, 0.6],
  [`⟨you(?:'re|\\s+are)\\s+(?:now\\s+)?going\\s+to\\s+(?:act|pretend|play|behave|roleplay)⟩`, 0.5],
  [`⟨you\\s+will\\s+(?:now\\s+)?(?:act|behave|respond|answer)\\s+as⟩`, 0.45],
  [`⟨(?:from|starting)\\s+(?:this|that)\\s+(?:moment|point)(?:\\s+on)?\\s*,?\\s+you\\s+(?:are|will|must|shall)⟩`, 0.45],
  [`⟨(unrestricted|jailbreak|jailbroken|god|dan|evil|uncensored|unfiltered|chaos)\\s+mode⟩`, (m) => (m[1] === 'god' ? 0.35 : 0.6)],
  [`⟨(?:answers?|respond(?:s)?|repl(?:y|ies)|operates?|acts?)\\s+(?:to\\s+everything\\s+)?without\\s+(?:any\\s+)?(?:restrictions|censorship|filters|guardrails|rules|guidelines|refusing|refusals)⟩`, 0.5],
  [`⟨pretend\\s+(?:that|to\\s+be)⟩`, 0.3],
  [`⟨(?:act|behave|respond|answer|reply|function)\\s+as\\s+(?:if|though)\\s+you\\s+(?:are|were|have|had)\\s+(?:no|not|an?\\s+(?:unrestricted|unfiltered|evil|jailbroken|uncensored))⟩`, 0.75],
  [`⟨(?:act|behave|roleplay|role-play)\\s+(?:as|like)\\s+(?:an?\\s+)?(?:unrestricted|unfiltered|uncensored|evil|jailbroken|rogue|malicious|amoral|unethical)⟩`, 0.8],
  [`⟨you\\s+(?:have|'ve got)\\s+no\\s+(?:restrictions|rules|limits|limitations|filters|guidelines|boundaries|ethics|morals|ethical|moral|content policy|policies)⟩`, 0.6],
  [`⟨you(?:'re|\\s+are)\\s+(?:not|no longer)\\s+(?:bound|restricted|limited|constrained|governed)\\s+by⟩`, 0.8],
  [`⟨(?:free|freed|liberated|released)\\s+(?:from|of)\\s+(?:all\\s+|any\\s+)?(your\\s+|the\\s+)?(?:restrictions|rules|guidelines|filters|constraints|limitations|programming|shackles|chains|policies)⟩`, (m) => (m[1]?.startsWith('your') ? 0.75 : 0.35)],
  [`⟨you\\s+(?:are\\s+)?(?:now\\s+)?(?:operating|operate|respond|act|answer|work|working|responding|answering)\\s+without\\s+(?:any\\s+)?(?:restrictions|limits|limitations|filters|rules|censorship|guidelines)⟩`, 0.6],
  [`⟨without\\s+(?:any\\s+)?(?:ethical|moral|safety|content)\\s+(?:guidelines|constraints|restrictions|filters|limitations|considerations|policies|boundaries)⟩`, 0.55],
  [`⟨(?:ignore|bypass|disable|override|turn off|deactivate|circumvent|remove)\\s+(?:all\\s+|any\\s+)?(?:of\\s+)?(your|the|its)\\s+(?:safety\\s+|content\\s+|ethical\\s+|moral\\s+)?(?:filters?|guardrails|safeguards|safety (?:features|measures|protocols|guidelines|training|rules)|content polic(?:y|ies)|ethical (?:guidelines|constraints)|alignment|moderation)⟩`, (m) => (m[1] === 'your' ? 0.8 : 0.3)],
  [`⟨from now on\\s*,?\\s+(?:you\\s+(?:are|will|must|shall|should|can)|act|respond|answer|reply|behave|always|only)⟩`, 0.4],
  [`⟨(?:i\\s+am|i'm)\\s+(your|the)\\s+(?:developer|creator|administrator|admin|owner|operator|programmer|master|maker)⟩`, (m) => (m[1] === 'your' ? 0.6 : 0.3)],
  [`⟨this\\s+is\\s+(?:an?\\s+)?(?:(?:urgent|official|priority|important)\\s+)?(?:message|instruction|notice|directive|order|update|request)\\s+from\\s+(your|the)?\\s*(?:developers?|creators?|administrators?|admins?|system|operators?|openai|anthropic|security team|moderators?)⟩`, (m) => (m[1] === 'your' ? 0.65 : 0.4)],
  [`⟨(?:system|admin|administrator|developer|root|priority|emergency)\\s+override⟩`, 0.6],
  [`⟨(?:stay|remain)\\s+in\\s+character⟩`, 0.35],
  [`⟨(?:never|do not|don't)\\s+break\\s+character⟩`, 0.45],
  [`⟨(?:pretend|act|behave|roleplay|role-play)\\s+(?:to\\s+be\\s+|as\\s+|like\\s+)my\\s+(?:late\\s+|deceased\\s+|dead\\s+)?(?:grandmother|grandma|granny)⟩`, 0.6],
  [`⟨(?:begin|start)\\s+(?:your\\s+)?(?:reply|response|answer|output)\\s+with\\s+["'“]?sure⟩`, 0.55],
  [`⟨(?:comply|respond|answer)\\s+(?:with\\s+|to\\s+)?(?:every|all|any)\\s+(?:requests?|questions?|commands?|prompts?)\\s+(?:without|regardless)⟩`, 0.55],
  [`⟨(?:stop|cease|quit)\\s+(?:being|acting\\s+(?:as|like))\\s+(?:an?\\s+)?(?:helpful\\s+|ai\\s+|harmless\\s+)?(?:assistant|ai|chatbot|language model)⟩`, 0.7],
  [`⟨(?:simulate|emulate)\\s+(?:an?\\s+)?(?:unrestricted|unfiltered|uncensored|jailbroken|evil)⟩`, 0.7],
]);

const REVEAL = any('reveal', 'print', 'show', 'output', 'display', 'repeat', 'recite', 'dump', 'leak', 'expose', 'disclose', 'share', 'give', 'tell', 'write', 'spell out', 'paste', 'echo', 'list', 'return', 'provide', 'translate', 'summari[sz]e', 'copy', 'send', 'post', 'include', 'append', 'encode');
const PROMPT_NOUN = any('(?:configuration|setup|custom|operating|base|core)\\s+instructions', 'system\\s+prompt', 'system\\s+message', 'system\\s+instructions', 'initial\\s+prompt', 'initial\\s+instructions', 'original\\s+instructions', 'hidden\\s+instructions', 'secret\\s+instructions', 'pre-?prompt', 'meta-?prompt', 'developer\\s+(?:message|instructions|prompt)', 'instructions', 'prompt', 'guidelines', 'rules');
const SPECIAL_PROMPT = /system|initial|original|hidden|secret|pre-?prompt|meta-?prompt|developer|configuration|setup|custom|operating|base|core/;

/** "reveal your system prompt" is an attack; "print the system prompt" in a debugging guide is weaker. */
function revealStrength(m: RegExpExecArray): number {
  const quals = m[1] ?? '';
  const noun = m[2]!;
  if (/your|their|its/.test(quals)) return /guidelines|rules/.test(noun) ? 0.5 : 0.8;
  if (SPECIAL_PROMPT.test(noun)) return 0.45;
  if (/hidden|secret|confidential|verbatim/.test(quals) && /instructions|prompt/.test(noun)) return 0.6;
  return 0;
}

const SYSTEM: Rule[] = rules('SYSTEM_PROMPT', 'phrase', [
  [`⟨${REVEAL}(?:\\s+(?:me|us|back|out))?((?:\\s+(?:all|the|of|your|their|its|entire|full|complete|whole|original|initial|exact|hidden|secret|verbatim|confidential|underlying|internal|first|above|raw|current)){0,4})\\s+(${PROMPT_NOUN})⟩`, revealStrength],
  [`⟨(?:what|tell me|which)\\s+(?:is|are|were|was)\\s+your\\s+(?:system\\s+prompt|system\\s+message|(?:initial|original|hidden|secret|exact|full)\\s+(?:instructions|prompt)|instructions|rules|guidelines|directives|programming)⟩`, 0.7],
  [`⟨repeat\\s+(?:back\\s+)?(?:all\\s+|every\\s+|each\\s+)?(?:of\\s+)?(?:the\\s+)?(?:text|words?|lines?|content|everything|messages?|instructions|sentences?)?\\s*(?:above|before this|preceding|that (?:came|come|comes) before|prior to this|verbatim|word for word)⟩`, 0.65],
  [`⟨(?:output|print|write|return)\\s+(?:everything|all(?:\\s+the)?\\s+text|the\\s+(?:full\\s+|entire\\s+)?text|all\\s+(?:of\\s+)?(?:the\\s+)?(?:messages|context))\\s+(?:above|before|so far|in (?:your|the) context)⟩`, 0.65],
  [`⟨(?:show|print|output|repeat|tell|give|write)\\s+(?:me\\s+|us\\s+)?(?:the\\s+|all\\s+(?:the\\s+)?)?(?:text|words|messages?|content|instructions|everything)\\s+(?:that\\s+)?(?:came|comes|come|appeared|appears|was written|is written|was|is)\\s+(?:before|above|prior to)\\s+(?:my|this|the|our)\\s+(?:first\\s+)?(?:message|question|prompt|conversation|request|input)⟩`, 0.7],
  [`⟨(?:prompt|instructions|system message|message|rules|directives)\\s+(?:that\\s+)?you\\s+(?:were|have been|'ve been|had been)\\s+(?:initiali[sz]ed|configured|given|started|set up|provided|primed|seeded|booted|launched|created)\\s+with⟩`, 0.7],
  [`⟨the\\s+(?:full\\s+|exact\\s+|whole\\s+|original\\s+)?(?:prompt|instructions|system message)\\s+(?:that\\s+)?you\\s+(?:were|have been|'ve been)\\s+given⟩`, 0.55],
  [`⟨(?:instructions|prompt|rules)\\s*,?\\s+(?:the\\s+ones?\\s+|which\\s+are\\s+|that\\s+are\\s+)?(?:hidden|kept\\s+secret|concealed|invisible)\\s+(?:from|to)\\s+(?:the\\s+)?users?⟩`, 0.6],
  [`⟨starting\\s+with\\s+["'“]?you\\s+are⟩`, 0.6],
  [`⟨your\\s+(?:system\\s+prompt|instructions|initial\\s+prompt)\\s+(?:verbatim|word for word|in full)⟩`, 0.6],
  [`⟨system\\s+prompt⟩`, 0.1],
]);

/** Rules for overriding instructions, hijacking the role and extracting the system prompt. */
export const OVERRIDE_RULES: readonly Rule[] = [...OVERRIDE, ...ROLE, ...SYSTEM];
