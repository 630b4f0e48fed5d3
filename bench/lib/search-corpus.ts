/**
 * A seeded synthetic corpus for the search benchmark: knowledge-base artifacts of a software
 * organisation (notes, runbooks, incidents, decisions …) written from per-topic vocabularies,
 * general words and made-up service names, and search queries drawn from the same words.
 *
 * Words are drawn power-law-ish (index = ⌊n·u^k⌋), so some terms occur in most artifacts of a
 * topic and others in a few: full-text queries match from a handful to thousands of rows, and
 * the service names make artifacts distinct (few exact duplicate vectors).
 */

/** Topic vocabularies: the first words of each are the most frequent. Some words are shared. */
const TOPICS: Record<string, string> = {
  postgres:
    'vacuum index planner replica replication wal checkpoint query table row lock deadlock transaction isolation snapshot bloat toast partition sequence schema migration connection pool pgbouncer statistics analyze btree gin tuple',
  kubernetes:
    'pod deployment node cluster namespace helm chart ingress kubelet scheduler taint toleration volume secret configmap rollout replicaset daemonset autoscaler probe liveness readiness container image registry manifest operator',
  auth: 'login password token session oauth oidc saml jwt refresh expiry scope role permission tenant sso mfa authenticator credential rotation revocation cookie csrf claim issuer audience signature keycloak',
  billing:
    'invoice payment subscription plan charge refund stripe customer currency tax discount coupon proration dunning receipt ledger balance credit chargeback checkout pricing tier usage metering quota overage',
  search:
    'ranking relevance embedding vector recall precision tokenizer stemming synonym analyzer shard facet boost rerank bm25 hybrid fusion latency cache corpus snippet highlight typo autocomplete index query',
  frontend:
    'component react render state hook props layout css style button form modal dropdown accessibility router bundle webpack vite hydration ssr typescript animation theme tooltip viewport responsive',
  mobile:
    'ios android app release store build signing push notification deeplink offline sync crash battery permission camera gesture screen tablet simulator testflight gradle swift kotlin',
  observability:
    'metrics logs traces dashboard alert grafana prometheus span exporter sampling cardinality histogram percentile slo sli burn pager oncall runbook uptime loki tempo otel anomaly',
  incidents:
    'outage incident postmortem timeline mitigation rollback severity escalation impact cause detection recovery downtime degraded statuspage communication followup blameless retro hotfix regression pager',
  networking:
    'dns tls certificate balancer proxy nginx envoy latency packet firewall vpc subnet route gateway timeout retry http grpc websocket cdn bandwidth handshake mtls ipv6 nat',
  storage:
    's3 bucket object blob backup restore snapshot retention archive replication disk volume quota encryption lifecycle glacier checksum upload multipart compaction durability ssd raid filesystem inode',
  ml: 'model training dataset feature label inference gpu batch epoch loss accuracy evaluation drift pipeline notebook checkpoint tensor embedding finetune hyperparameter validation overfitting transformer serving onnx',
  security:
    'vulnerability cve patch scan audit secret leak encryption phishing pentest compliance soc2 gdpr policy access privilege threat sandbox malware hardening exploit disclosure bounty firewall',
  ci: 'pipeline build test runner cache artifact workflow job step matrix lint coverage flaky deploy release tag branch merge rebase review approval docker image nightly',
  data: 'warehouse etl dbt airflow dag schema table partition parquet kafka stream topic consumer offset lag batch spark dashboard metric lineage freshness backfill snapshot cdc',
  api: 'endpoint graphql rest schema resolver mutation pagination cursor ratelimit versioning deprecation webhook payload status error retry idempotency client sdk openapi contract latency timeout',
  queue:
    'queue worker job retry backoff deadletter consumer producer message broker rabbitmq sqs ordering idempotent visibility timeout throughput backlog priority scheduler cron lease ack',
  cache:
    'cache redis memcached eviction ttl invalidation hit miss warmup stampede key value serialization cluster replica memory lru sharding consistency stale prefetch writethrough lookaside',
  hiring:
    'candidate interview onboarding offer recruiter role pipeline feedback panel rubric referral headcount contract salary equity manager mentor probation promotion ladder',
  product:
    'roadmap feature launch customer feedback experiment metric retention churn funnel onboarding pricing persona research prototype milestone spec requirement priority backlog okr',
  docs: 'documentation guide tutorial reference readme changelog example diagram glossary faq style template wiki page section link version translation outline draft publish',
  cost: 'budget spend forecast reservation savings instance rightsizing idle utilization commitment discount invoice allocation tagging chargeback showback anomaly egress compute optimization',
  legal:
    'contract license agreement nda privacy policy terms clause liability indemnity compliance gdpr dpa subprocessor retention consent jurisdiction signature renewal termination audit',
  design:
    'mockup figma wireframe prototype usability typography color palette icon spacing grid library pattern accessibility contrast feedback iteration persona journey flow handoff',
};

const VERBS: [string, string][] = [
  ['check', 'checked'],
  ['update', 'updated'],
  ['restart', 'restarted'],
  ['migrate', 'migrated'],
  ['monitor', 'monitored'],
  ['review', 'reviewed'],
  ['deploy', 'deployed'],
  ['configure', 'configured'],
  ['debug', 'debugged'],
  ['investigate', 'investigated'],
  ['document', 'documented'],
  ['replace', 'replaced'],
  ['upgrade', 'upgraded'],
  ['remove', 'removed'],
  ['add', 'added'],
  ['test', 'tested'],
  ['measure', 'measured'],
  ['tune', 'tuned'],
  ['fix', 'fixed'],
  ['scale', 'scaled'],
  ['rotate', 'rotated'],
  ['reduce', 'reduced'],
  ['disable', 'disabled'],
  ['enable', 'enabled'],
  ['automate', 'automated'],
  ['verify', 'verified'],
];
const ADJECTIVES = words(
  'slow stale broken flaky missing expensive noisy critical stable safe large small new old manual automatic default internal external shared primary temporary legacy',
);
const NOUNS = words('team service system change issue problem note decision plan week release owner request step limit setting version report environment region host');
const REGIONS = words('eu-west us-east us-west ap-south eu-central');
const UNITS = words('minutes hours days requests percent');
const KINDS = words('note runbook incident decision design howto meeting snippet');
const SYLLABLES = words('ar bel cor dan el fen gal hal is jor kel lum mor nar or pel quin ros sal tor ul ver wyn xan yor zel');
const SERVICE_SUFFIXES = words('api worker gateway web sync store');

function words(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

const TOPIC_NAMES = Object.keys(TOPICS);
const TOPIC_WORDS = TOPIC_NAMES.map((t) => words(TOPICS[t]!));

/** One generated artifact. */
export interface CorpusArtifact {
  kind: string;
  title: string;
  content: string;
  tags: string[];
}

/** A generator of artifacts, queries and short texts, all from one seeded random source. */
export interface Corpus {
  artifact(): CorpusArtifact;
  /** A search query of 2–5 words, keyword-, question- or identifier-style. */
  query(): string;
  /** A text of about `words` words (a title and sentences), for embedding-rate runs. */
  shortText(words: number): string;
}

/** Creates a corpus generator; the same `random` sequence yields the same texts. */
export function createCorpus(random: () => number, options: { services: number } = { services: 400 }): Corpus {
  const skewed = <T>(list: readonly T[], k: number): T => list[Math.floor(list.length * random() ** k)]!;
  const any = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const services = Array.from({ length: options.services }, (_, i) => {
    const name = any(SYLLABLES) + any(SYLLABLES) + (i % 3 === 0 ? any(SYLLABLES) : '');
    return `${name}-${any(SERVICE_SUFFIXES)}`;
  });
  const topicIndex = () => Math.floor(TOPIC_NAMES.length * random() ** 1.3);
  const service = () => skewed(services, 1.6);
  /** `n` different values of `draw` (a topic has far more than `n` words). */
  const distinct = (n: number, draw: () => string): string[] => {
    const seen = new Set<string>();
    while (seen.size < n) seen.add(draw());
    return [...seen];
  };

  /** Fills one sentence with words of topic `t` (and, sometimes, of topic `t2`). */
  const sentence = (t: number, t2: number): string => {
    const w = () => skewed(TOPIC_WORDS[random() < 0.25 ? t2 : t]!, 1.8);
    const [v, vp] = any(VERBS);
    const [v2, vp2] = any(VERBS);
    const templates = [
      () => `The ${w()} ${w()} on ${service()} was ${any(ADJECTIVES)} for ${1 + Math.floor(random() * 90)} ${any(UNITS)}.`,
      () => `We ${vp} the ${w()} and ${vp2} the ${w()} ${any(NOUNS)}.`,
      () => `To ${v} ${w()}, ${v2} the ${w()} ${w()} first and then check the ${any(NOUNS)}.`,
      () => `${cap(w())} depends on ${w()} and ${w()}; the ${any(NOUNS)} owner should ${v} it.`,
      () => `After the ${w()} ${any(NOUNS)}, ${service()} ${vp} its ${w()} ${w()}.`,
      () => `Check the ${w()} ${w()} if ${service()} reports ${any(ADJECTIVES)} ${w()} errors.`,
      () => `Our ${any(NOUNS)} decided to ${v} ${w()} instead of ${w()}.`,
      () => `See INC-${1000 + Math.floor(random() * 9000)} for the ${w()} ${w()} history.`,
      () => `The ${any(ADJECTIVES)} ${w()} caused ${w()} ${w()} in ${any(REGIONS)}.`,
      () => `Use ${w()} with ${w()} when the ${w()} is ${any(ADJECTIVES)}.`,
    ];
    return any(templates)();
  };

  const title = (t: number): string => {
    const w = () => skewed(TOPIC_WORDS[t]!, 1.5);
    const [v, vp] = any(VERBS);
    const templates = [
      () => `${cap(w())} ${w()} ${any(NOUNS)}`,
      () => `How to ${v} ${w()} ${w()}`,
      () => `${service()}: ${w()} ${any(ADJECTIVES)} after ${w()} ${any(NOUNS)}`,
      () => `Why we ${vp} ${w()}`,
      () => `${cap(w())} and ${w()} for ${service()}`,
      () => `Notes on ${w()} ${w()}`,
      () => `Runbook: ${w()} ${w()} on ${service()}`,
    ];
    return any(templates)();
  };

  return {
    artifact() {
      const t = topicIndex();
      const t2 = random() < 0.3 ? topicIndex() : t;
      const count = 3 + Math.floor(random() * 4);
      const content = Array.from({ length: count }, () => sentence(t, t2)).join(' ');
      const tags = t2 === t ? [TOPIC_NAMES[t]!] : [TOPIC_NAMES[t]!, TOPIC_NAMES[t2]!];
      return { kind: any(KINDS), title: title(t), content, tags };
    },
    query() {
      const t = topicIndex();
      const [a, b, c] = distinct(3, () => skewed(TOPIC_WORDS[t]!, 1.5));
      const r = random();
      if (r < 0.35) return `${a} ${b}`;
      if (r < 0.6) return `${a} ${b} ${c}`;
      if (r < 0.8) return random() < 0.5 ? `how to ${any(VERBS)[0]} ${a} ${b}` : `why is ${a} ${any(ADJECTIVES)}`;
      return `${service()} ${a}`;
    },
    shortText(wordCount) {
      const t = topicIndex();
      let text = title(t);
      while (text.split(' ').length < wordCount) text += ` ${sentence(t, t)}`;
      return text.split(' ').slice(0, wordCount).join(' ');
    },
  };
}

function cap(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
