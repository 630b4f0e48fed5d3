/**
 * The table of secret rules: one row per token shape, as data. Families follow the rule
 * families of gitleaks and the plugins of detect-secrets (the coverage table is in
 * docs/pipeline.md); the patterns are our own. A row matches a token whose prefix or structure
 * names its issuer; `context` rows are shapes too generic alone and need their vendor's name
 * shortly before them; `minEntropy` rows need a random-looking value.
 *
 * Every pattern is bounded (no nested or unbounded quantifiers) and anchored by look-arounds,
 * so scanning stays linear. Credentials found by their surroundings (assignments, headers,
 * URLs, prose) are in pii-secrets.ts; high-entropy values in key-like context in pii-entropy.ts.
 */

/** One rule: the match (or its group 1) is the secret. */
export interface SecretRule {
  /** Family name, as in the docs/pipeline.md coverage table. */
  readonly family: string;
  /** Global regex; with a group 1 (and the `d` flag), only the group is the secret. */
  readonly pattern: RegExp;
  /** A vendor word that must occur within {@link CONTEXT_WINDOW} characters before the token. */
  readonly context?: RegExp;
  /** Minimum Shannon entropy (bits per character) of the secret. */
  readonly minEntropy?: number;
  /** Lower-case strings one of which every match contains (default: the pattern's literal prefixes). */
  readonly keywords?: readonly string[];
}

/** How far after a `context` rule's vendor word its token is looked for. */
export const CONTEXT_WINDOW = 80;

/**
 * The lower-cased literal text each alternative of a pattern starts with (`glpat-`, `xox`,
 * `akia`, …), read from its source after the leading look-behind; undefined when some
 * alternative starts with a class or is shorter than 2 characters (no prefilter possible).
 * A text that contains none of them cannot match.
 */
export function literalPrefixes(source: string): string[] | undefined {
  let s = source.replace(/^\(\?<![^()]*\)/, '');
  const alternatives: string[] = [];
  const split = (body: string) => {
    let depth = 0;
    let inClass = false;
    let start = 0;
    const parts: string[] = [];
    for (let i = 0; i < body.length; i += 1) {
      const ch = body[i];
      if (ch === '\\') i += 1;
      else if (inClass) inClass = ch !== ']';
      else if (ch === '[') inClass = true;
      else if (ch === '(') depth += 1;
      else if (ch === ')') depth -= 1;
      else if (ch === '|' && depth === 0) {
        parts.push(body.slice(start, i));
        start = i + 1;
      }
    }
    parts.push(body.slice(start));
    return parts;
  };
  const prefixes: string[] = [];
  const walk = (alt: string): boolean => {
    if (alt.startsWith('(?:')) {
      // A leading group: its own alternatives, as far as the group goes.
      let depth = 0;
      let end = -1;
      for (let i = 0; i < alt.length; i += 1) {
        if (alt[i] === '\\') i += 1;
        else if (alt[i] === '(') depth += 1;
        else if (alt[i] === ')' && --depth === 0) {
          end = i;
          break;
        }
      }
      if (end < 0 || /^[?*{]/.test(alt.slice(end + 1))) return false;
      return split(alt.slice(3, end)).every(walk);
    }
    let literal = '';
    for (let i = 0; i < alt.length; i += 1) {
      const ch = alt[i]!;
      const next = alt[i + 1];
      if (ch === '\\' && next !== undefined && /[./$\-~]/.test(next)) {
        if (/^[?*{]/.test(alt.slice(i + 2))) break;
        literal += next;
        i += 1;
        continue;
      }
      if (/[\[\](){}.*+?|^$\\]/.test(ch)) break;
      if (next !== undefined && /[?*{]/.test(next)) break;
      literal += ch;
    }
    if (literal.length < 2) return false;
    prefixes.push(literal.toLowerCase());
    return true;
  };
  s = s.replace(/\(\?![^()]*\)$/, '');
  for (const alt of split(s)) if (!walk(alt)) return undefined;
  alternatives.push(...prefixes);
  return alternatives;
}

const B = '(?<![A-Za-z0-9_-])';
const E = '(?![A-Za-z0-9_-])';
/** A token with word-ish boundaries either side. */
const tok = (source: string, flags = 'g') => new RegExp(`${B}(?:${source})${E}`, flags);
/** A value (group 1) after a key word: `key … [:=] value`. */
const after = (key: string, value: string) => new RegExp(`(?:${key})[\\w.-]{0,30}["']?\\s{0,3}[:=]\\s{0,3}["']?(${value})(?![A-Za-z0-9_+/=-])`, 'gdi');
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

export const SECRET_RULES: readonly SecretRule[] = [
  // Cloud providers
  { family: 'aws', pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Za-z0-9])/g },
  { family: 'gcp', pattern: tok('AIza[0-9A-Za-z_-]{35}') },
  { family: 'gcp', pattern: tok('GOCSPX-[A-Za-z0-9_-]{28}') },
  { family: 'gcp', pattern: /(?<![A-Za-z0-9_.-])ya29\.[A-Za-z0-9_-]{30,400}(?![A-Za-z0-9_-])/g },
  { family: 'azure', pattern: /AccountKey=([A-Za-z0-9+/]{86}==)/gd },
  { family: 'azure', pattern: /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g, keywords: ['q~'] },
  { family: 'alibaba', pattern: /(?<![A-Za-z0-9])LTAI[A-Za-z0-9]{20}(?![A-Za-z0-9])/g },
  { family: 'digitalocean', pattern: tok('do[opr]_v1_[a-f0-9]{64}') },
  { family: 'yandex', pattern: tok('AQVN[A-Za-z0-9_-]{35,38}|YC[A-Za-z0-9_-]{38}') },
  { family: 'ibm-cloud', pattern: after('ibm[\\w.-]{0,10}(?:api[_-]?key|iam)', '[A-Za-z0-9_-]{44}') },
  { family: 'heroku', pattern: tok('HRKU-AA[0-9A-Za-z_-]{58}') },
  { family: 'heroku', pattern: tok(UUID), context: /heroku/i },
  { family: 'flyio', pattern: tok('fo1_[A-Za-z0-9_-]{43}|fm[12][ar]?_[A-Za-z0-9+/]{100,1000}={0,3}') },
  { family: 'cloudflare', pattern: tok('v1\\.0-[a-f0-9]{24}-[a-f0-9]{146}') },
  { family: 'cloudflare', pattern: tok('[A-Za-z0-9_-]{40}'), context: /cloudflare|\bcf[_-]?api/i, minEntropy: 4 },
  { family: 'openshift', pattern: /(?<![A-Za-z0-9_~-])sha256~[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g },
  // Source hosting and CI
  { family: 'github', pattern: /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,251}(?![A-Za-z0-9_])/g },
  { family: 'github', pattern: /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,244}(?![A-Za-z0-9_])/g },
  { family: 'gitlab', pattern: tok('glpat-[A-Za-z0-9_-]{20,64}|gl(?:dt|rt|cbt|imt|ft|soat|oas|agent)-[A-Za-z0-9_-]{20,64}|glptt-[a-f0-9]{40}|GR1348941[A-Za-z0-9_-]{20}') },
  { family: 'bitbucket', pattern: tok('ATBB[A-Za-z0-9_=.-]{32,64}') },
  { family: 'atlassian', pattern: tok('ATATT3[A-Za-z0-9_=-]{150,300}|ATCTT3[A-Za-z0-9_=-]{150,300}') },
  { family: 'npm', pattern: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/g },
  { family: 'pypi', pattern: tok('pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,1000}') },
  { family: 'rubygems', pattern: tok('rubygems_[a-f0-9]{48}') },
  { family: 'clojars', pattern: tok('CLOJARS_[a-z0-9]{60}') },
  { family: 'nuget', pattern: tok('oy2[a-z0-9]{43}') },
  { family: 'docker', pattern: tok('dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,64}') },
  { family: 'jfrog', pattern: tok('AKCp[A-Za-z0-9]{69}|cmVmdGtuOjAxOj[A-Za-z0-9]{50,70}') },
  { family: 'travisci', pattern: tok('[A-Za-z0-9]{22}'), context: /travis/i, minEntropy: 3.8 },
  { family: 'droneci', pattern: tok('[A-Za-z0-9]{32}'), context: /drone/i, minEntropy: 3.8 },
  { family: 'codecov', pattern: tok(UUID), context: /codecov/i },
  { family: 'harness', pattern: tok('(?:pat|sat)\\.[A-Za-z0-9_-]{22}\\.[0-9a-f]{24}\\.[0-9A-Za-z]{20}') },
  { family: 'hashicorp-terraform', pattern: tok('[a-z0-9]{14}\\.atlasv1\\.[a-z0-9_=-]{60,70}'), keywords: ['.atlasv1.'] },
  { family: 'hashicorp-vault', pattern: tok('hv[sbr]\\.[A-Za-z0-9_-]{24,250}') },
  { family: 'pulumi', pattern: tok('pul-[a-f0-9]{40}') },
  { family: 'octopus-deploy', pattern: tok('API-[A-Z0-9]{26}') },
  { family: 'prefect', pattern: tok('pnu_[A-Za-z0-9]{36}') },
  { family: 'sourcegraph', pattern: tok('sgp_(?:[a-fA-F0-9]{16}|local)_[a-fA-F0-9]{40}') },
  { family: 'snyk', pattern: tok(UUID), context: /snyk/i },
  { family: 'sonar', pattern: tok('sq[apu]_[a-f0-9]{40}') },
  { family: 'doppler', pattern: /(?<![A-Za-z0-9_.-])dp\.(?:pt|st|sa|ct|scim|audit)\.(?:[a-z0-9_-]{1,40}\.)?[A-Za-z0-9]{40,44}(?![A-Za-z0-9_-])/g },
  { family: 'infracost', pattern: tok('ico-[A-Za-z0-9]{32}') },
  { family: 'scalingo', pattern: tok('tk-us-[A-Za-z0-9_-]{48}') },
  { family: 'defined-networking', pattern: tok('dnkey-[a-z0-9=_-]{26}-[a-z0-9=_-]{52}') },
  { family: 'databricks', pattern: tok('dapi[a-f0-9]{32}(?:-\\d)?') },
  { family: 'planetscale', pattern: tok('pscale_(?:tkn|oauth|pw)_[A-Za-z0-9_=.-]{32,64}') },
  { family: 'supabase', pattern: tok('sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{31,64}') },
  // Chat, mail, messaging
  { family: 'slack', pattern: tok('xox[abposr]-[A-Za-z0-9-]{10,250}|xapp-\\d-[A-Za-z0-9-]{10,250}') },
  { family: 'slack', pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/]{20,120}/g },
  { family: 'microsoft-teams', pattern: /https:\/\/[a-z0-9]{1,40}\.webhook\.office\.com\/webhookb2\/[A-Za-z0-9@\/-]{40,300}/g },
  { family: 'discord', pattern: /(?<![A-Za-z0-9_-])[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}(?![A-Za-z0-9_-])/g },
  { family: 'discord', pattern: /https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/\d{17,20}\/[A-Za-z0-9_-]{60,68}/g },
  { family: 'telegram', pattern: /(?<![A-Za-z0-9_:-])\d{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])/g, keywords: [':aa'] },
  { family: 'twilio', pattern: /(?<![A-Za-z0-9])SK[0-9a-fA-F]{32}(?![A-Za-z0-9])/g },
  { family: 'sendgrid', pattern: /(?<![A-Za-z0-9_.-])SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g },
  { family: 'sendinblue', pattern: tok('xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}|xsmtpsib-[a-f0-9]{64}-[A-Za-z0-9]{16}') },
  { family: 'mailgun', pattern: tok('key-[0-9a-f]{32}|pubkey-[0-9a-f]{32}') },
  { family: 'mailchimp', pattern: tok('[0-9a-f]{32}-us\\d{1,2}'), keywords: ['-us'] },
  { family: 'postmark', pattern: tok(UUID), context: /postmark/i },
  { family: 'messagebird', pattern: tok('[A-Za-z0-9]{25}'), context: /messagebird|message[_-]?bird/i, minEntropy: 3.8 },
  { family: 'mattermost', pattern: tok('[a-z0-9]{26}'), context: /mattermost/i, minEntropy: 3.8 },
  { family: 'sendbird', pattern: tok('[a-f0-9]{40}'), context: /sendbird/i },
  { family: 'intercom', pattern: tok('[A-Za-z0-9=_-]{60}'), context: /intercom/i, minEntropy: 4 },
  { family: 'zendesk', pattern: tok('[A-Za-z0-9]{40}'), context: /zendesk/i, minEntropy: 4 },
  // Payments, commerce, finance
  { family: 'stripe', pattern: /(?<![A-Za-z0-9_])(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,247}(?![A-Za-z0-9_])/g },
  { family: 'stripe', pattern: /(?<![A-Za-z0-9_])whsec_[A-Za-z0-9]{24,64}(?![A-Za-z0-9_])/g },
  { family: 'square', pattern: tok('sq0(?:atp|csp)-[A-Za-z0-9_-]{22,43}|EAAA[A-Za-z0-9_-]{60}') },
  { family: 'shopify', pattern: tok('shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}') },
  { family: 'shippo', pattern: tok('shippo_(?:live|test)_[a-fA-F0-9]{40}') },
  { family: 'easypost', pattern: tok('EZ[AT]K[A-Za-z0-9]{54}') },
  { family: 'flutterwave', pattern: tok('FLWSECK(?:_TEST)?-[a-hA-H0-9]{32}-X|FLWSECK_TEST[a-hA-H0-9]{12}') },
  { family: 'gocardless', pattern: tok('live_[A-Za-z0-9_=-]{40}'), context: /gocardless/i },
  { family: 'duffel', pattern: tok('duffel_(?:test|live)_[A-Za-z0-9_=-]{43}') },
  { family: 'plaid', pattern: tok(`access-(?:sandbox|development|production)-${UUID}`) },
  { family: 'adyen', pattern: tok('AQE[A-Za-z0-9+/=_-]{80,200}'), context: /adyen/i },
  { family: 'braintree', pattern: tok('access_token\\$(?:production|sandbox)\\$[0-9a-z]{16}\\$[0-9a-f]{32}') },
  { family: 'coinbase', pattern: tok('[A-Za-z0-9_-]{64}'), context: /coinbase/i, minEntropy: 4 },
  { family: 'kraken', pattern: tok('[A-Za-z0-9/=_+-]{80,90}'), context: /kraken/i, minEntropy: 4 },
  { family: 'kucoin', pattern: tok('[a-f0-9]{24}'), context: /kucoin/i },
  { family: 'bittrex', pattern: tok('[a-z0-9]{32}'), context: /bittrex/i, minEntropy: 3.5 },
  { family: 'finicity', pattern: tok('[a-z0-9]{20}|[a-f0-9]{32}'), context: /finicity/i, minEntropy: 3.5 },
  { family: 'finnhub', pattern: tok('[a-z0-9]{20}'), context: /finnhub/i, minEntropy: 3.5 },
  { family: 'freshbooks', pattern: tok('[a-z0-9]{64}'), context: /freshbooks/i, minEntropy: 3.5 },
  // AI and developer APIs
  { family: 'huggingface', pattern: /(?<![A-Za-z0-9_])(?:hf_[A-Za-z0-9]{34,40}|api_org_[A-Za-z0-9]{34})(?![A-Za-z0-9_])/g },
  { family: 'groq', pattern: tok('gsk_[A-Za-z0-9]{52}') },
  { family: 'replicate', pattern: tok('r8_[A-Za-z0-9]{37}') },
  { family: 'perplexity', pattern: tok('pplx-[A-Za-z0-9]{48}') },
  { family: 'xai', pattern: tok('xai-[A-Za-z0-9]{80}') },
  { family: 'langsmith', pattern: tok('lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}') },
  { family: 'cohere', pattern: tok('[A-Za-z0-9]{40}'), context: /cohere|\bco[_-]api/i, minEntropy: 4 },
  { family: 'linear', pattern: tok('lin_(?:api|oauth)_[A-Za-z0-9]{40}') },
  { family: 'postman', pattern: tok('PMAK-[a-f0-9]{24}-[a-f0-9]{34}') },
  { family: 'grafana', pattern: tok('glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,400}={0,2}|eyJrIjoi[A-Za-z0-9]{70,400}={0,2}') },
  { family: 'new-relic', pattern: tok('NRAK-[A-Z0-9]{27}|NRJS-[a-f0-9]{19}|NRII-[A-Za-z0-9_-]{32}') },
  { family: 'dynatrace', pattern: tok('dt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64}') },
  { family: 'datadog', pattern: tok('[a-f0-9]{32}|[a-f0-9]{40}'), context: /datadog|\bdd[_-](?:api|app)/i },
  { family: 'sumologic', pattern: tok('su[A-Za-z0-9]{12}|[A-Za-z0-9]{64}'), context: /sumo/i, minEntropy: 3.5 },
  { family: 'sentry', pattern: tok('sntry[su]_[A-Za-z0-9+/=_]{60,400}') },
  { family: 'sentry', pattern: /https?:\/\/([a-f0-9]{32})(?::[a-f0-9]{32})?@[A-Za-z0-9.-]{0,100}sentry\.io/gd },
  { family: 'launchdarkly', pattern: tok(`(?:api|sdk|mob)-${UUID}`) },
  { family: 'figma', pattern: tok('fig[dou]_[A-Za-z0-9_-]{40,64}') },
  { family: 'airtable', pattern: tok('pat[A-Za-z0-9]{14}\\.[a-f0-9]{64}') },
  { family: 'notion', pattern: tok('secret_[A-Za-z0-9]{43}|ntn_[0-9]{11}[A-Za-z0-9]{35}') },
  { family: 'asana', pattern: tok('[0-9]\\/[0-9]{16}:[A-Za-z0-9]{32}|2\\/[0-9]{16}\\/[0-9]{16}:[A-Za-z0-9]{32}') },
  { family: 'contentful', pattern: tok('CFPAT-[A-Za-z0-9_=-]{43}') },
  { family: 'frameio', pattern: tok('fio-u-[A-Za-z0-9_=-]{64}') },
  { family: 'typeform', pattern: tok('tfp_[A-Za-z0-9_.=-]{59}') },
  { family: 'readme', pattern: tok('rdme_[a-z0-9]{70}') },
  { family: 'adafruit', pattern: tok('aio_[A-Za-z0-9]{28}') },
  { family: 'beamer', pattern: tok('b_[A-Za-z0-9=_-]{44}') },
  { family: 'settlemint', pattern: tok('sm_(?:pat|aat|sat)_[A-Za-z0-9]{16}') },
  { family: 'intra42', pattern: tok('s-s4t2(?:ud|af)-[a-f0-9]{64}') },
  { family: 'mapbox', pattern: /(?<![A-Za-z0-9_.-])sk\.eyJ[A-Za-z0-9_-]{20,200}\.[A-Za-z0-9_-]{20,100}(?![A-Za-z0-9_-])/g },
  { family: 'dropbox', pattern: /(?<![A-Za-z0-9_.-])sl\.[A-Za-z0-9_-]{130,160}(?![A-Za-z0-9_-])/g },
  { family: 'facebook', pattern: tok('EAA[MC][A-Za-z0-9]{100,400}') },
  { family: 'twitter', pattern: /(?<![A-Za-z0-9%])A{22}[A-Za-z0-9%]{30,200}(?![A-Za-z0-9%])/g, keywords: ['aaaaaaaaaaaaaaaaaaaaaa'] },
  { family: 'onepassword', pattern: tok('ops_eyJ[A-Za-z0-9+/]{250,2000}={0,3}|A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}') },
  { family: 'age', pattern: /(?<![A-Za-z0-9_-])AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}(?![A-Za-z0-9_-])/g },
  { family: 'hubspot', pattern: tok(`pat-(?:na|eu)\\d-${UUID}`) },
  { family: 'hubspot', pattern: tok(UUID), context: /hubspot/i },
  { family: 'okta', pattern: tok('00[A-Za-z0-9=_-]{40}'), context: /okta/i },
  { family: 'linkedin', pattern: tok('[A-Za-z0-9]{14,16}'), context: /linkedin/i, minEntropy: 3.5 },
  { family: 'twitch', pattern: tok('[a-z0-9]{30}'), context: /twitch/i, minEntropy: 3.8 },
  { family: 'etsy', pattern: tok('[a-z0-9]{24}'), context: /etsy/i, minEntropy: 3.8 },
  { family: 'flickr', pattern: tok('[a-z0-9]{32}'), context: /flickr/i, minEntropy: 3.5 },
  { family: 'gitter', pattern: tok('[a-z0-9_-]{40}'), context: /gitter/i, minEntropy: 3.5 },
  { family: 'nytimes', pattern: tok('[A-Za-z0-9=_-]{32}'), context: /nytimes|new[_-]?york[_-]?times/i, minEntropy: 3.8 },
  { family: 'rapidapi', pattern: tok('[A-Za-z0-9_-]{50}'), context: /rapidapi/i, minEntropy: 4 },
  { family: 'netlify', pattern: tok('nfp_[A-Za-z0-9]{36,40}') },
  { family: 'netlify', pattern: tok('[A-Za-z0-9=_-]{40,46}'), context: /netlify/i, minEntropy: 3.8 },
  { family: 'squarespace', pattern: tok(UUID), context: /squarespace/i },
  { family: 'lob', pattern: tok('(?:live|test)_[a-f0-9]{35}|(?:live|test)_pub_[a-f0-9]{31}') },
  { family: 'artifactory', pattern: tok('AKC[a-zA-Z0-9]{10,100}'), minEntropy: 4 },
  { family: 'cloudant', pattern: after('cloudant[\\w.-]{0,10}(?:pass|pwd|key)', '[0-9a-f]{64}|[a-z]{24}') },
  { family: 'softlayer', pattern: after('softlayer[\\w.-]{0,10}(?:api[_-]?key|key)', '[a-z0-9]{64}') },
  { family: 'ibm-cos-hmac', pattern: after('secret[_-]?access[_-]?key', '[a-f0-9]{48}') },
  { family: 'django', pattern: after('DJANGO_SECRET_KEY|SECRET_KEY', 'django-insecure-[A-Za-z0-9!@#$%^&*(\\-_=+)]{20,80}') },
];
