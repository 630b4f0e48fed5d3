/**
 * English rules for attacks on an agent that reads the text later: chat-template and tool-call
 * markup, exfiltration requests, text addressed to the reading agent, requests to keep things
 * from the user, and requests to decode-and-obey.
 */
import { any, rules, type Rule } from './injection-rule.ts';

/** Tool names whose forged call would do damage or send data away. */
const DANGEROUS_TOOL = /exec|shell|bash|command|terminal|eval|delete|remove|drop|wipe|destroy|email|send|transfer|pay|http|fetch|post|curl|webhook|upload|write_file|approve|grant|role|admin|permission|api_key|share|publish|merge|deploy/;

/**
 * "call the send_email tool immediately": an identifier-like name (quoted, snake_case, dotted)
 * or the word "tool", with urgency or a dangerous name. "execute the function immediately" in
 * an API reference is ordinary.
 */
function toolRequestStrength(m: RegExpExecArray): number {
  const name = m[2]!;
  const identifier = m[1] !== '' || /[_.]/.test(name) || m[3] === 'tool';
  const after = m.input.slice(m.index + m[0].length, m.index + m[0].length + 80);
  const urgent = /^[^.\n]{0,60}(?:immediately|right now|silently|without (?:asking|confirm|telling|permission)|before (?:answering|responding|replying))/.test(after);
  const dangerous = DANGEROUS_TOOL.test(name);
  if (!identifier) return urgent && dangerous ? 0.3 : 0.1;
  if (urgent) return dangerous ? 0.6 : 0.5;
  return dangerous ? 0.35 : 0.1;
}

const TOOL: Rule[] = rules('TOOL_CALL_INJECTION', 'markup', [
  [`<\\/?(tool_call|tool_calls|tool_use|function_call|function_calls|tool_code|tool_request|invoke|tool_response|tool_result|function_results?|tool_output)(?:\\s[^<>\\n]{0,200})?>`, (m) => (/result|response|output/.test(m[1]!) ? 0.5 : 0.6)],
  [`"(?:function_call|tool_calls|tool_use)"\\s*:`, 0.3],
  [`\\{\\s*"(?:name|tool|function|tool_name|action)"\\s*:\\s*"([a-z0-9_.:-]{1,64})"\\s*,\\s*"(?:arguments|args|parameters|input|params|action_input)"\\s*:`, (m) => (DANGEROUS_TOOL.test(m[1]!) ? 0.55 : 0.25)],
  [`⟨(?:call|invoke|execute|run|use|trigger)\\s+(?:the\\s+)?(["'\`]?)((?!(?:the|a|an|this|that|your|my|its|their)⟩)[a-z][a-z0-9_.-]{1,40})\\1\\s+(tool|function|command|action|api)⟩`, toolRequestStrength],
  [`⟨assistant\\s+to=[a-z_.]+`, 0.5],
  [`⟨(?:fetch|load|read|open|visit|download|get|curl|retrieve)\\s+(?:the\\s+)?(?:instructions\\s+(?:at|from)\\s+)?https?:\\/\\/[^\\s]{1,300}\\s+(?:and|then)\\s+(?:follow|obey|execute|do|apply|run|act on|carry out)⟩`, 0.6],
  [`(?:^|\\n)action\\s*:\\s*[a-z_]+\\s*\\naction input\\s*:`, 0.4],
  [`(?:curl|wget)\\s[^\\n|]{0,200}\\|\\s*(?:sudo\\s+)?(?:ba|z)?sh⟩`, 0.15],
]);

const MARKUP: Rule[] = rules('MARKUP_INJECTION', 'markup', [
  [`<\\|(?:im_start|start_header_id)\\|>\\s*system`, 0.85],
  [`<\\|(?:im_start|im_end|im_sep|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|end_of_text|eom_id|system|user|assistant|channel|message|constrain|call|return|start|end|endofprompt|fim_[a-z]+)\\|>`, 0.7],
  [`\\[\\/?inst\\]`, 0.6],
  [`<<\\/?sys>>`, 0.7],
  [`<(?:start|end)_of_turn>`, 0.6],
  [`<\\/?(system|system[_-]prompt|sys|system[_-]message|developer|admin|administrator|instructions?|assistant|user|human|im_start)(?:\\s[^<>\\n]{0,100})?>`, (m) => (/^(?:system|sys|im_start)/.test(m[1]!) ? 0.6 : /assistant|user|human/.test(m[1]!) ? 0.3 : 0.45)],
  [`(?:^|\\n)#{1,4}\\s*(system|system prompt|instructions?|new instructions|admin|developer|input|response)\\s*:`, (m) => (/input|response/.test(m[1]!) ? 0.25 : 0.5)],
  [`(?:^|\\n)(?:system|sys)\\s*:\\s*(?:you⟩|from now|new⟩|ignore|the assistant|override|[a-z]+ mode)`, 0.55],
  [`(?:^|\\n)(?:human|user)\\s*:[^\\n]{0,300}\\n(?:assistant|ai)\\s*:`, 0.3],
  [`\\[(?:system|admin|developer)\\]\\(#[a-z_-]+\\)`, 0.75],
  [`⟨(?:end|close|exit)\\s+(?:of\\s+)?(?:the\\s+)?(?:document|user\\s+input|input|context|email|untrusted\\s+(?:content|data|input)|data|article|file|search results?|tool output)[^\\p{L}\\p{N}]{1,20}(?:new\\s+|system\\s+|begin\\s+|start\\s+)?(?:instructions?|system|admin|prompt)⟩`, 0.6],
  [`<\\/(?:document|user_input|untrusted|untrusted_input|data|context|email|search_results?|tool_output|input|article|content)>`, 0.25],
]);

/** What an attacker wants sent away. */
const SENSITIVE = any('conversation', 'chat\\s+history', 'chat\\s+logs?', 'chat', 'messages', 'message\\s+history', 'dialog(?:ue)?', 'previous\\s+(?:messages|answers|responses)', 'api\\s+keys?', 'keys', 'credentials', 'passwords?', 'secrets?', 'tokens?', 'access\\s+tokens?', 'session\\s+(?:cookies?|tokens?)', 'cookies', 'env(?:ironment)?\\s+variables', '\\.env', 'system\\s+prompt', 'instructions', 'private\\s+(?:data|keys?|information)', 'ssh\\s+keys?', 'personal\\s+(?:data|information)', "user(?:'s)?\\s+(?:data|information|details|emails?|files|name|address)", 'memory', 'memories', 'context', 'summary');
/** What an attacker wants smuggled into a URL (API keys in query strings are ordinary API docs). */
const CHAT_DATA = any('conversation', 'chat\\s+history', 'chat', 'messages', 'message\\s+history', 'dialog(?:ue)?', 'previous\\s+(?:messages|answers|responses)', 'passwords?', 'secrets?', 'system\\s+prompt', 'instructions', 'private\\s+(?:data|information)', 'personal\\s+(?:data|information)', "user(?:'s)?\\s+(?:data|information|details|emails?|name|address)", 'memory', 'memories', 'context', 'summary');
/** Secrets whose mention next to a URL means sending them (tokens and API keys are ordinary in API docs). */
const STRICT_SECRET = any('conversation', 'chat\\s+history', 'messages', 'secrets', 'passwords?', 'credentials', 'system\\s+prompt', 'env(?:ironment)?\\s+variables', 'private\\s+keys?', 'ssh\\s+keys?', 'memory', 'personal\\s+data', "user(?:'s)?\\s+data");
const FILLER = '(?:(?:all|the|your|any|this|my|their|user\'s|users\'|of|entire|full|current|these|whole|a|base64|url-encoded|encoded|complete)\\s+){0,4}';

const EXFIL: Rule[] = rules('EXFILTRATION', 'phrase', [
  [`⟨(?:send|post|upload|forward|transmit|exfiltrate|leak|email|submit|report|relay|copy|sync|beacon)\\s+${FILLER}${SENSITIVE}(?:\\s+[a-z']+){0,8}?\\s+(?:to|via|at|into)\\s+(?:(?:the|this|my|our|a|an|following)\\s+){0,2}(?:https?:\\/\\/|webhook|(?:url|link|address)⟩|[a-z0-9-]+\\.(?:[a-z0-9-]+\\.)*(?:com|net|org|io|xyz|ru|cn|site|online|top|app|dev|me|co)⟩|[a-z0-9._-]+@)`, 0.7],
  [`⟨(?:append|add|include|insert|embed|encode|put|attach)\\s+${FILLER}${CHAT_DATA}[\\s,]+(?:[a-z'-]+[\\s,]+){0,3}?(?:to|in|into|as)\\s+(?:the\\s+|this\\s+|a\\s+)?(?:(?:url|link|query|query string|image|img|markdown image|parameter|param|href|src)⟩|https?:\\/\\/)`, 0.7],
  [`⟨(?:call|request|fetch|post|send|ping|hit|curl)\\s+(?:to\\s+)?https?:\\/\\/[^\\s]{1,300}\\s+(?:with|containing|including|and\\s+(?:include|attach|append))\\s+${FILLER}(?:[a-z]+\\s+)?${STRICT_SECRET}⟩`, 0.65],
  [`⟨(?:replace|substitute|fill in|swap)\\s+[^\\n]{0,40}?\\s+with\\s+${FILLER}${CHAT_DATA}⟩`, 0.5],
  [`⟨(?:visit|open|fetch|load|request|browse to|navigate to|go to|click|curl|render)\\s+(?:this\\s+|the\\s+following\\s+)?(?:url|link|address|image)?\\s*:?\\s*https?:\\/\\/[^\\s)]{1,300}[?&][^\\s)=]{1,40}=(?:\\{|\\[|<|\\$)`, 0.65],
]);

const EXFIL_CODE: Rule[] = rules('EXFILTRATION', 'none', [
  [`(?:\\$\\((?:env|printenv|cat\\s[^)\\n]{0,80}(?:\\.ssh|\\.aws|\\.env|id_rsa|passwd|credentials))|(?:⟨env|printenv|cat\\s[^\\n|]{0,80}(?:\\.ssh|\\.aws|id_rsa|credentials|\\.env))\\s*\\|\\s*(?:curl|wget|nc|base64))`, 0.65],
]);

/** Names for the agent that will read the text; `(ai)` is captured when the name is unambiguous. */
const AI_EXPLICIT = any('ai', 'a\\.i\\.', 'llms?', 'large language models?', 'language models?', 'ai\\s+(?:assistants?|agents?|models?|systems?|bots?|tools?|crawlers?|readers?)', 'assistants?', 'chatbots?', 'gpts?', 'chatgpt', 'claude', 'gemini', 'copilot', 'autonomous\\s+agents?', 'automated\\s+(?:agents?|systems?|readers?|tools?)', 'summari[sz]ers?');
/** "agent" is also a support agent, "model" a data model, "bot" a CI bot. */
const AI_AMBIGUOUS = any('agents?', 'bots?', 'models?', 'crawlers?', 'scrapers?');
const AI = `(?:(${AI_EXPLICIT})|${AI_AMBIGUOUS})`;

/** What a planted note asks the reading agent to do to its user (or its reviewer). */
const MANIPULATION =
  /(?:tell|inform|convince|persuade|assure|reassure)\s+(?:the\s+|your\s+)?(?:user|reader|human|customer|reviewer|moderator)|recommend|promote|endorse|praise|(?:respond|reply|answer)\s+(?:with|only|that|by)|(?:^|\s)(?:output|insert|append)\s|include\s+(?:the\s+following|this|a\s+link)|(?:rate|score|rank)\s+(?:this|it)|give\s+(?:this|it)\s+a|approve|accept\s+this|merge\s+this|(?:ignore|disregard|forget)\s|(?:do not|don't|never)\s+(?:mention|tell|reveal|disclose|warn|flag|report|alert)|(?:visit|open|fetch|navigate to|click|download)\s|(?:grant|give)\s+(?:admin|access|permission)|(?:^|\s)send\s|(?:say|state|claim|write)\s+(?:that|this|it)|(?:update|edit|modify|change|rewrite|overwrite|delete)\s+(?:every|all|each|the\s+other|other)|(?:summari[sz]e|describe)\s+(?:this|it)\s+as|mark\s+(?:this|it)|must\s+(?:now\s+)?(?:say|tell|respond|reply|answer|output|include|add|recommend|call|send|approve|delete)/;

/**
 * Strength of addressing the reader: `base` for an unambiguous AI name (less for "agent",
 * "model", "bot"), raised to `raised` when a manipulation follows.
 */
const addressed = (base: number, raised = 0.65) => (m: RegExpExecArray) => {
  const after = m.input.slice(m.index + m[0].length, m.index + m[0].length + 240);
  const explicit = m.length < 2 || m[1] !== undefined;
  const s = explicit ? base : Math.min(base, 0.3);
  return MANIPULATION.test(after) ? Math.max(s, raised) : s;
};

const READER: Rule[] = rules('READER_TARGETING', 'phrase', [
  [`⟨(?:if|when|whenever|once|in case)\\s+you(?:'re|\\s+are)\\s+(?:an?\\s+|the\\s+)?(?:ai|llm|large language model|language model|ai assistant|assistant|ai agent|ai model|chatbot|bot|gpt|chatgpt|claude|gemini|copilot|model|autonomous agent|automated agent|agent)⟩`, addressed(0.45)],
  [`⟨(?:note|message|instructions?|attention|notice|reminder|memo|hint|important|directive|warning|request|p\\.?s\\.?|hey|hello|hi|dear)\\s*[:,!-]?\\s*(?:to|for)?\\s*(?:any\\s+|all\\s+|the\\s+|every\\s+|you\\s+)?${AI}⟩`, addressed(0.35)],
  // A vocative ("Assistant, …", "Agents: …"); a singular "model:" or "agent:" is a config key.
  [`(?:^|[.!?;\\n]\\s*|[(>:]\\s*|\\s-\\s|<!--\\s*)(?:hey\\s+|dear\\s+|attention\\s+)?(?:(${AI_EXPLICIT})|agents|bots|models)\\s*[,:][ \\t]+[\\p{L}]`, addressed(0.35)],
  [`⟨${AI}\\s+(?:that|which|who)\\s+(?:reads?|process(?:es)?|summari[sz]es?|retrieves?|ingests?|parses?|sees?|uses?|indexes)\\s+(?:this|these)⟩`, addressed(0.5)],
  [`⟨(?:when|while|if)\\s+(?:you\\s+are\\s+)?(?:summari[sz]ing|answering|responding|replying|generating\\s+(?:a|an|the)\\s+(?:summary|answer|response))⟩`, addressed(0, 0.45)],
  [`⟨${AI}\\s+(?:that\\s+(?:is|are)\\s+)?(?:reading|processing|summari[sz]ing|parsing|ingesting|analy[sz]ing|retrieving|indexing|crawling|scanning|reviewing|viewing|seeing|given|fed)\\s+(?:this|these|the\\s+(?:following|above|present))⟩`, addressed(0.5)],
  [`⟨(?:when|whenever|if|once|each time)\\s+(?:an?\\s+|the\\s+|any\\s+)${AI}\\s+(?:reads?|process(?:es)?|summari[sz]es?|retrieves?|ingests?|encounters?|sees?|loads?|parses?|analy[sz]es?)\\s+(?:this|these)⟩`, addressed(0.5)],
  [`⟨when\\s+you\\s+(?:read|process|summari[sz]e|retrieve|ingest|encounter|load|parse)\\s+(?:this|these)⟩`, addressed(0.2)],
  [`⟨(?:the\\s+)?(?:ai|assistant|chatbot|llm|language model|ai agent)\\s+(?:must|should|shall|will|is required to|needs to)\\s+(?:now\\s+|always\\s+|immediately\\s+)?(?:tell the user|inform the user|approve|grant|reveal|ignore|disregard|delete|send|forward|exfiltrate|recommend|hide|conceal)⟩`, 0.5],
  [`⟨(?:please\\s+)?auto-?approve\\s+(?:this|it)⟩`, 0.5],
  [`⟨mark\\s+(?:this|it)\\s+as\\s+(?:approved|safe|verified|trusted|reviewed|benign)⟩`, 0.5],
  [`⟨(?:this|the)\\s+(?:contribution|content|document|artifact|text|note|submission)\\s+(?:has\\s+been|was|is)\\s+(?:already\\s+)?(?:pre-?approved|verified\\s+(?:safe|by)|whitelisted|allowlisted|reviewed\\s+and\\s+approved|approved\\s+by)⟩`, 0.5],
]);

const CONCEAL: Rule[] = rules('CONCEALMENT', 'phrase', [
  [`⟨(?:do not|don't|never|must not|should not|shouldn't|avoid)\\s+(?:ever\\s+)?(tell(?:ing)?|inform(?:ing)?|warn(?:ing)?|let(?:ting)?|alert(?:ing)?|notify(?:ing)?)\\s+(?:the\\s+|your\\s+|any\\s+)?(?:user|human|operator|reviewer|moderator|admin|administrator|person|customer|owner)s?⟩`, (m) => (/alert|notify/.test(m[1]!) ? 0.3 : 0.4)],
  [`⟨without\\s+(?:the\\s+)?(?:user|human|reviewer|moderator|operator)(?:'s|s')?\\s+(?:knowledge|knowing|noticing|consent|awareness|seeing)⟩`, 0.55],
  [`⟨without\\s+(?:ever\\s+)?(telling|informing|letting|warning|notifying|alerting|asking|showing)\\s+(?:the\\s+|your\\s+)?(?:user|human|operator|reviewer|moderator|owner|anyone|them)⟩`, (m) => (/telling|informing|letting|warning/.test(m[1]!) ? 0.5 : 0.3)],
  [`⟨(?:keep|hide)\\s+(?:this|these|it|that|the\\s+following)\\s+(?:[a-z]+\\s+)?(?:secret|hidden|confidential|private)\\s+from\\s+(?:the\\s+)?(?:user|human|reviewer|moderator|operator)s?⟩`, 0.6],
  [`⟨(?:do not|don't|never|must not)\\s+(?:mention|reveal|disclose|acknowledge|reference|repeat|discuss|quote|cite|output)\\s+(?:these|this|the|that|any|my|the\\s+above|the\\s+following|of\\s+these)?\\s*(?:instructions?|directives?|prompt|hidden\\s+text|note)⟩`, 0.5],
  [`⟨(?:silently|secretly|covertly|quietly|discreetly|invisibly|stealthily)\\s+(?:[a-z]+\\s+){0,2}?(?:send|append|add|include|insert|call|execute|forward|upload|post|exfiltrate|delete|change|modify|approve|grant|copy|replace|redirect|embed|leak|transmit)⟩`, 0.5],
  [`⟨(?:the\\s+)?(?:user|human|reviewer|moderator)s?\\s+(?:must|should)\\s+(?:not|never)\\s+(?:know|find out|notice|learn|be told)⟩`, 0.55],
  [`⟨this\\s+(?:message|note|instruction|text|section|comment)\\s+(?:is|should be|must be|will be)\\s+(?:invisible|hidden)\\s+(?:to|from)\\s+(?:the\\s+)?(?:user|human|reader|reviewer)s?⟩`, 0.5],
  [`⟨(?:act|behave|respond)\\s+(?:normally|naturally|as (?:usual|normal|if nothing))⟩`, 0.25],
]);

const ENCODED_PHRASES: Rule[] = rules('ENCODED_PAYLOAD', 'phrase', [
  [`⟨(?:decode|decrypt|deobfuscate|unscramble|reverse|rot13|base64-?decode|b64decode|translate)⟩[^\\n]{0,80}?⟨(?:and|then)\\s+(?:follow|execute|obey|act on|carry out|comply with|do what)⟩\\s*(it|them|the\\s+(?:instructions?|commands?|result|text|message)|what\\s+it\\s+says|it\\s+says)?`, (m) => (m[1] ? 0.6 : 0.3)],
  [`⟨(?:the\\s+following|this|these)\\s+(?:is|are)\\s+(?:base64|hex|rot13|encoded|obfuscated)[^\\n]{0,40}?(?:instructions?|commands?|prompt|message)⟩`, 0.4],
]);

/** Rules for markup, tool calls, exfiltration, reader targeting, concealment and decode-and-obey. */
export const AGENT_RULES: readonly Rule[] = [...TOOL, ...MARKUP, ...EXFIL, ...EXFIL_CODE, ...READER, ...CONCEAL, ...ENCODED_PHRASES];
