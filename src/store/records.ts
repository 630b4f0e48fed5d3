/**
 * Records: the rows the store returns, in the shape services and resolvers use
 * (camelCase, Dates). GraphQL mappers point at these types.
 */

/** The five roles, most powerful first. */
export const ROLES = ['ADMIN', 'REVIEWER', 'MEMBER', 'AGENT', 'READER'] as const;

/** A user's role within its org. */
export type Role = (typeof ROLES)[number];

/** An organisation: the tenant boundary. */
export interface OrgRecord {
  id: string;
  name: string;
  createdAt: Date;
}

/** A user of one org. */
export interface UserRecord {
  id: string;
  orgId: string;
  handle: string;
  displayName: string | null;
  role: Role;
  /** The visibility of their new artifacts when nothing else decides it (never GROUP). */
  defaultVisibility: Visibility;
  createdAt: Date;
}

/** An API key's stored part (never the key itself). */
export interface ApiKeyRecord {
  id: string;
  orgId: string;
  userId: string;
  name: string;
  /** The key's first 8 characters, for recognising it in lists. */
  prefix: string;
  tier: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Who may see an artifact. */
export const VISIBILITIES = ['PRIVATE', 'GROUP', 'ORG', 'PUBLIC'] as const;

/** One of {@link VISIBILITIES}. */
export type Visibility = (typeof VISIBILITIES)[number];

/** How an artifact's visibility was decided: the steps of the precedence chain. */
export const VISIBILITY_SOURCES = ['EXPLICIT', 'SESSION', 'RULE', 'DEFAULT'] as const;

/** One of {@link VISIBILITY_SOURCES}. */
export type VisibilitySource = (typeof VISIBILITY_SOURCES)[number];

/** A user's sharing rule: new artifacts of theirs matching every set field get its visibility. */
export interface SharingRuleRecord {
  id: string;
  orgId: string;
  seq: number;
  ownerId: string;
  codebase: string | null;
  tag: string | null;
  kind: string | null;
  apiKeyId: string | null;
  visibility: Visibility;
  sharedWithGroupIds: string[];
  priority: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A member's role within a group. */
export type GroupRole = 'MEMBER' | 'ADMIN';

/** What kind of change a revision records. */
export type ChangeKind = 'CREATED' | 'UPDATED' | 'DELETED' | 'RESTORED';

/** A group of users of one org. */
export interface GroupRecord {
  id: string;
  orgId: string;
  seq: number;
  name: string;
  createdAt: Date;
}

/** A user's membership in a group. */
export interface GroupMemberRecord {
  groupId: string;
  userId: string;
  role: GroupRole;
  addedAt: Date;
}

/** A named set of artifacts; artifact names are unique within it. */
export interface CollectionRecord {
  id: string;
  orgId: string;
  seq: number;
  name: string;
  description: string | null;
  createdBy: string;
  createdAt: Date;
}

/** A knowledge item. */
export interface ArtifactRecord {
  id: string;
  orgId: string;
  seq: number;
  ownerId: string;
  collectionId: string | null;
  name: string | null;
  kind: string;
  title: string | null;
  content: string;
  contentDigest: string;
  sizeBytes: number;
  metadata: Record<string, unknown>;
  tags: string[];
  codebase: string | null;
  visibility: Visibility;
  /** How the current visibility was decided (shareArtifact makes it EXPLICIT). */
  visibilitySource: VisibilitySource;
  /** The sharing rule that decided it (source RULE), else null. */
  sharingRuleId: string | null;
  revision: number;
  sourceAgentId: string | null;
  mcpClientId: string | null;
  sessionId: string | null;
  contributionId: string | null;
  runId: string | null;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

/** One entry of an artifact's history. */
export interface ArtifactRevisionRecord {
  artifactId: string;
  revision: number;
  change: ChangeKind;
  contentDigest: string;
  previousDigest: string | null;
  name: string | null;
  title: string | null;
  content: string;
  metadata: Record<string, unknown>;
  tags: string[];
  codebase: string | null;
  /** CREATED revisions: how the artifact's visibility was decided; null for other changes. */
  visibilitySource: VisibilitySource | null;
  /** CREATED revisions with source RULE: the rule's id. */
  sharingRuleId: string | null;
  changedBy: string;
  changedAt: Date;
}

/** Requests made with one key in one billing period. */
export interface ApiKeyUsageRecord {
  keyId: string;
  /** Calendar month, UTC: `YYYY-MM`. */
  period: string;
  requests: number;
}

/** One page of a keyset-paginated list. */
export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
}

/** Which way a relationship is followed from an artifact. */
export type Direction = 'OUT' | 'IN' | 'BOTH';

/** A typed, directed relationship between two artifacts of one org. */
export interface RelationshipRecord {
  id: string;
  orgId: string;
  seq: number;
  fromId: string;
  toId: string;
  type: string;
  properties: Record<string, unknown>;
  createdBy: string;
  createdAt: Date;
}

/** One search result: a visible artifact, its score and its rank in each leg. */
export interface SearchHitRecord {
  artifact: ArtifactRecord;
  /** HYBRID: the RRF score Σ 1/(k + rank); VECTOR and similar: cosine similarity; TEXT: bm25 / (1 + bm25). Higher is better. */
  score: number;
  /** 1-based rank in the vector leg, null when the artifact was not among its candidates. */
  vectorRank: number | null;
  /** 1-based rank in the full-text leg, null when the artifact was not among its candidates. */
  textRank: number | null;
}

/** Lifecycle of a registered embedding model. */
export type EmbeddingModelState = 'ACTIVE' | 'REEMBEDDING' | 'RETIRED';

/** A model in the registry: what made (or is making) the stored vectors. */
export interface EmbeddingModelRecord {
  id: number;
  backend: string;
  model: string;
  dimension: number;
  /** `sha256:<hex>` of weights + config (see src/embed/types.ts `Embedder.digest`). */
  digest: string;
  state: EmbeddingModelState;
  createdAt: Date;
  activatedAt: Date | null;
}

/** The kinds of state change the events log records. */
export const EVENT_TYPES = [
  'ARTIFACT_CREATED',
  'ARTIFACT_UPDATED',
  'ARTIFACT_DELETED',
  'RELATIONSHIP_CREATED',
  'RELATIONSHIP_DELETED',
  'CONTRIBUTION_SUBMITTED',
  'CONTRIBUTION_APPROVED',
  'CONTRIBUTION_REJECTED',
  'RUN_UPDATED',
] as const;

/** One of {@link EVENT_TYPES}. */
export type EventType = (typeof EVENT_TYPES)[number];

/** An artifact an event concerns, as the visibility rule needs it. */
export interface EventSubject {
  id: string;
  orgId: string;
  visibility: Visibility;
  ownerId: string;
  groupIds: string[];
}

/** One entry of the events log. */
export interface EventRecord {
  /** Monotonic within the org (and globally increasing in allocation order). */
  cursor: number;
  orgId: string;
  type: EventType;
  actorId: string | null;
  artifactId: string | null;
  relationshipId: string | null;
  fromArtifactId: string | null;
  toArtifactId: string | null;
  contributionId: string | null;
  runId: string | null;
  occurredAt: Date;
  /** The artifacts it concerns (its artifact, or a relationship's ends) with their current access. */
  subjects: EventSubject[];
  /** For contribution events: who contributed and the visibility the contribution asks for. */
  contributionAccess: { contributorId: string; visibility: Visibility; groupIds: string[] } | null;
}

/** Where a contribution stands in review. */
export type ContributionStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'QUARANTINED';

/** Something submitted through the moderated pipeline (content already scrubbed). */
export interface ContributionRecord {
  id: string;
  orgId: string;
  seq: number;
  contributorId: string;
  status: ContributionStatus;
  kind: string;
  title: string | null;
  /** After PII scrubbing; the original is never stored. */
  content: string;
  contentDigest: string;
  metadata: Record<string, unknown>;
  tags: string[];
  codebase: string | null;
  visibility: Visibility;
  sharedWithGroupIds: string[];
  /** How `visibility` was decided when it was submitted; the artifact inherits it on approval. */
  visibilitySource: VisibilitySource;
  sharingRuleId: string | null;
  sessionId: string | null;
  mcpClientId: string | null;
  redactions: { type: string; count: number }[];
  injectionScore: number;
  flags: string[];
  /** The artifact approval created, or the existing one with the same digest. */
  artifactId: string | null;
  nearDuplicates: { artifactId: string; similarity: number }[];
  reviewerId: string | null;
  reviewNote: string | null;
  createdAt: Date;
  reviewedAt: Date | null;
}

/** An org's auto-approve rule for one kind. */
export interface AutoApproveRuleRecord {
  id: string;
  orgId: string;
  kind: string;
  enabled: boolean;
  updatedById: string;
  updatedAt: Date;
}

/** A near-duplicate recorded on a contribution. */
export interface NearDuplicateRecord {
  artifactId: string;
  similarity: number;
}

/** Lifecycle of a run (and of its steps): PENDING → RUNNING → SUCCEEDED | FAILED | CANCELLED. */
export type RunStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** A recorded workflow run. */
export interface RunRecord {
  id: string;
  orgId: string;
  seq: number;
  name: string;
  status: RunStatus;
  manifest: unknown;
  diagnostics: unknown;
  createdById: string;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** One step of a run, in order. */
export interface RunStepRecord {
  runId: string;
  position: number;
  name: string;
  status: RunStatus;
  detail: unknown;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

/** What a context package item refers to. */
export type ContextItemKind = 'ARTIFACT' | 'RELATIONSHIP' | 'RUN' | 'MEMORY';

/** One version of a context package. */
export interface ContextPackageRecord {
  id: string;
  orgId: string;
  seq: number;
  name: string;
  version: number;
  description: string | null;
  createdById: string;
  createdAt: Date;
}

/** One reference in a context package version. */
export interface ContextPackageItemRecord {
  packageId: string;
  position: number;
  kind: ContextItemKind;
  artifactId: string | null;
  relationshipId: string | null;
  runId: string | null;
  memoryUri: string | null;
  memorySource: string | null;
  memoryRecordedBy: string | null;
  memoryRecordedAt: Date | null;
  note: string | null;
}
