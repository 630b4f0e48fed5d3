/**
 * The services container: one object holding every domain service, built once per process
 * from the store interfaces. Resolvers reach the domain only through it.
 */
import type { Embedder } from '../embed/types.ts';
import type { Logger } from '../shared/logger.ts';
import type { EmbeddingModelRecord } from '../store/records.ts';
import type { GraphStore, SqlClient } from '../store/types.ts';
import { createApiKeysService, type ApiKeysService } from './api-keys.service.ts';
import { createArtifactsService, type ArtifactsService } from './artifacts.service.ts';
import { DEFAULT_INJECTION_THRESHOLD } from '../pipeline/injection.ts';
import { acceptOwnEmbedding, embeddingText } from './embedding-models.ts';
import { createAuthService, type AuthService } from './auth.service.ts';
import { createCollectionsService, type CollectionsService } from './collections.service.ts';
import { createGraphProjector, type GraphProjector } from './graph-projector.ts';
import { createGraphService, type GraphService } from './graph.service.ts';
import { createGroupsService, type GroupsService } from './groups.service.ts';
import { createHealthService, type HealthService } from './health.service.ts';
import { createOrgsService, type OrgsService } from './orgs.service.ts';
import { createSearchService, type SearchService, type SearchTuning } from './search.service.ts';
import { createContributionsService, type ContributionPolicy, type ContributionsService } from './contributions.service.ts';
import { createEventsService, type EventsService } from './events.service.ts';
import { createRunsService, type RunsService } from './runs.service.ts';
import { createContextPackagesService, type ContextPackagesService } from './context-packages.service.ts';
import { createUsersService, type UsersService } from './users.service.ts';
import { createSessionOverrides } from './session-overrides.ts';
import { createSharingRulesService, type SharingRulesService } from './sharing-rules.service.ts';
import { rulesOnlyScreener, type Screener } from './screening.ts';

export type { Viewer } from './viewer.ts';
export { ensureBootstrap, type BootstrapOutcome } from './bootstrap.service.ts';
export type { ArtifactScreening, CreateArtifactInput, UpdateArtifactInput } from './artifacts.service.ts';
export type { CreatedApiKey } from './api-keys.service.ts';
export type { ArtifactFilterValues } from '../store/repositories/artifacts.repo.ts';
export type { SearchLegs } from '../store/repositories/search.repo.ts';
export type { NearDuplicate, SearchTuning } from './search.service.ts';
export type { ContributeInput, ContributionPolicy } from './contributions.service.ts';
export type { ContextItemInput } from './context-packages.service.ts';
export type { SetSharingRuleInput } from './sharing-rules.service.ts';
export { decodeEventCursor, encodeEventCursor, SubscriberLaggingError, type SubscribeOptions } from './events.service.ts';
export { readableRecords, type EventDelivery, type EventRecords, type ReadableRecords } from './event-records.ts';
export {
  describeModel,
  embedMissing,
  reembedAll,
  registerEmbeddingModel,
  type EmbedProgress,
  type ReembedOutcome,
} from './embedding-models.ts';

/** Every domain service. */
export interface Services {
  auth: AuthService;
  apiKeys: ApiKeysService;
  users: UsersService;
  groups: GroupsService;
  collections: CollectionsService;
  artifacts: ArtifactsService;
  search: SearchService;
  contributions: ContributionsService;
  /** The events log and live fan-out; the server starts and stops its listener. */
  events: EventsService;
  runs: RunsService;
  contextPackages: ContextPackagesService;
  /** Sharing rules and session overrides: the inputs of the visibility chain. */
  sharingRules: SharingRulesService;
  graph: GraphService;
  /** Keeps the graph store in step with SQL; the server starts and stops it. */
  projector: GraphProjector;
  health: HealthService;
  orgs: OrgsService;
}

/** What the services are built from. */
export interface ServiceDeps {
  sql: SqlClient;
  graph: GraphStore;
  logger: Logger;
  /** Largest accepted artifact content, in bytes (HIVEGRAPH_MAX_CONTENT_BYTES). */
  maxContentBytes: number;
  /**
   * The embedder {@link registerEmbeddingModel} accepted, and its registry row (whose id tags
   * every stored vector). Servers always have one; without it (operator commands, graph
   * tests) artifacts are written without a vector — the next server start's backfill embeds
   * them — and search is SERVICE_UNAVAILABLE.
   */
  embedding?: { embedder: Embedder; model: EmbeddingModelRecord } | undefined;
  /** RRF k and candidates per leg (HIVEGRAPH_SEARCH_*; default 20 and 100). */
  searchTuning?: SearchTuning;
  /** Quarantine and near-duplicate thresholds (defaults: the screener's threshold, 0.92). */
  contributionPolicy?: { [K in keyof ContributionPolicy]?: ContributionPolicy[K] | undefined };
  /** How long the auth service remembers a key that authenticated, once started (default 10 s; 0 = never). */
  authCacheTtlMs?: number;
  /** The prompt-injection screener (default: the rules alone; see `openScreener`). */
  screener?: Screener;
  /** Events: subscriber queue bound and retention (defaults 1000 events, 30 days). */
  events?: { subscriberBuffer: number; retentionDays: number };
  /**
   * Session visibility overrides: how long one lives (HIVEGRAPH_SESSION_OVERRIDE_TTL; default
   * 1 hour) and the clock (default `Date.now`; tests inject their own).
   */
  sessionOverrides?: { ttlMs: number; now?: () => number };
}

/** How long a session override lives when ServiceDeps does not say: one hour. */
export const DEFAULT_SESSION_OVERRIDE_TTL_MS = 3_600_000;

/** Builds the services container. */
export function createServices(deps: ServiceDeps): Services {
  const projector = createGraphProjector(deps);
  const { embedding } = deps;
  const embed = async (title: string | null, content: string) => {
    if (!embedding) return null;
    return { vector: (await embedding.embedder.embed([embeddingText(title, content)]))[0]!, modelId: embedding.model.id };
  };
  const embedMany = async (items: readonly { title: string | null; content: string }[]) => {
    if (!embedding) return items.map(() => null);
    const vectors = await embedding.embedder.embed(items.map((item) => embeddingText(item.title, item.content)));
    return vectors.map((vector) => ({ vector, modelId: embedding.model.id }));
  };
  const ownEmbedding = (vector: readonly number[]) => acceptOwnEmbedding(embedding?.model, vector);
  const overrides = createSessionOverrides({
    ttlMs: deps.sessionOverrides?.ttlMs ?? DEFAULT_SESSION_OVERRIDE_TTL_MS,
    ...(deps.sessionOverrides?.now ? { now: deps.sessionOverrides.now } : {}),
  });
  const search = createSearchService({ sql: deps.sql, embedder: embedding?.embedder, tuning: deps.searchTuning ?? { rrfK: 20, candidates: 100 } });
  const auth = createAuthService(deps);
  return {
    auth,
    apiKeys: createApiKeysService({ ...deps, onRevoked: (keyId) => auth.forgetKey(keyId) }),
    users: createUsersService(deps),
    groups: createGroupsService(deps),
    collections: createCollectionsService(deps),
    artifacts: createArtifactsService({
      ...deps,
      onGraphChange: () => projector.kick(),
      embed,
      embedMany,
      ownEmbedding,
      overrides,
    }),
    search,
    contributions: createContributionsService({
      sql: deps.sql,
      search,
      embed,
      embedMany,
      maxContentBytes: deps.maxContentBytes,
      overrides,
      screener: deps.screener ?? rulesOnlyScreener(),
      // Each threshold on its own: setting one must not drop the other to its default, nor be ignored.
      policy: {
        injectionThreshold: deps.contributionPolicy?.injectionThreshold ?? DEFAULT_INJECTION_THRESHOLD,
        nearDuplicateThreshold: deps.contributionPolicy?.nearDuplicateThreshold ?? 0.92,
      },
    }),
    runs: createRunsService({ sql: deps.sql, onGraphChange: () => projector.kick() }),
    contextPackages: createContextPackagesService({ sql: deps.sql }),
    sharingRules: createSharingRulesService({ sql: deps.sql, overrides }),
    events: createEventsService({ sql: deps.sql, logger: deps.logger, ...(deps.events ?? { subscriberBuffer: 1000, retentionDays: 30 }) }),
    graph: createGraphService({ ...deps, projector }),
    projector,
    health: createHealthService({ ...deps, projector, embedder: embedding?.embedder }),
    orgs: createOrgsService(deps),
  };
}
