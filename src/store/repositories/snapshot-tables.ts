/**
 * What a snapshot carries, table by table: the one description both directions are generated
 * from. Each record type maps to one table; each field to one column, with the type that
 * decides how it is written (export) and read back (import), and the record it references.
 * The order of {@link SNAPSHOT_TABLES} is the order of the file and of the inserts: every
 * table comes after the tables it references.
 *
 * Not carried, on purpose: API keys and their usage (credentials stay where they were made),
 * session visibility overrides (they live in one process's memory only),
 * the events log, the graph outbox and epochs (derived state), the migration log, and the
 * `seq` identity columns — rows are written in their source order, so new `seq` values keep
 * every list's order.
 */

/** Column types, as far as the snapshot format cares. */
export type SnapshotColumnType =
  | 'uuid'
  | 'text'
  | 'int'
  | 'real'
  | 'bool'
  | 'timestamptz'
  /** A `json` column, carried as its stored text (key order and spacing kept). */
  | 'json'
  /** A `jsonb` column, carried as its text. */
  | 'jsonb'
  | 'text[]'
  | 'uuid[]'
  /** `artifacts.embedding`, carried as an array of numbers, only when made by the carried model. */
  | 'vector';

/** The record types of the file, in file order (the header and `embeddingModel` come first, `end` last). */
export const SNAPSHOT_RECORD_TYPES = [
  'org',
  'user',
  'group',
  'member',
  'collection',
  'run',
  'runStep',
  'artifact',
  'revision',
  'share',
  'relationship',
  'contribution',
  'autoApproveRule',
  'sharingRule',
  'runArtifact',
  'contextPackage',
  'contextPackageItem',
] as const;

/** One of {@link SNAPSHOT_RECORD_TYPES}. */
export type SnapshotRecordType = (typeof SNAPSHOT_RECORD_TYPES)[number];

/** One field of a record. */
export interface SnapshotColumn {
  /** The field name in the file. */
  field: string;
  /** The column it is stored in. */
  column: string;
  type: SnapshotColumnType;
  nullable?: boolean;
  /** The allowed values (CHECK constraints of enumerations). */
  values?: readonly string[];
  /** The record type this field references (a foreign key within the record's org). */
  ref?: SnapshotRecordType;
  /** True when the referenced record owns this one (revisions of an artifact, items of a package…). */
  owner?: boolean;
  /** The format version that added this field; older files lack it and get {@link fallback}. */
  since?: number;
  /**
   * The SQL value (a constant expression of this code, never of the file) a record of an older
   * file gets for this field; without one it is NULL.
   */
  fallback?: string;
}

/** How a table is read in a stable order. */
export type SnapshotOrder =
  /** Insertion order (`seq`), read through a cursor over ids; `size` estimates a row's bytes to bound pages. */
  | { kind: 'seq'; size?: string }
  /** An ORDER BY over unique columns (byte-wise, so every installation sorts alike). */
  | { kind: 'key'; orderBy: string };

/** One record type and its table. */
export interface SnapshotTable {
  type: SnapshotRecordType;
  table: string;
  columns: readonly SnapshotColumn[];
  /** Fields that identify a row: what an insert returns, to tell inserted from conflicting rows. */
  key: readonly string[];
  order: SnapshotOrder;
}

const VISIBILITY = ['PRIVATE', 'GROUP', 'ORG', 'PUBLIC'] as const;
const VISIBILITY_SOURCE = ['EXPLICIT', 'SESSION', 'RULE', 'DEFAULT'] as const;
/** Fields of format version 2 (issue 15: sharing rules and default visibility). */
const v2 = (c: SnapshotColumn, fallback?: string): SnapshotColumn => ({ ...c, since: 2, ...(fallback ? { fallback } : {}) });
const RUN_STATUS = ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;

const id: SnapshotColumn = { field: 'id', column: 'id', type: 'uuid' };
const orgId: SnapshotColumn = { field: 'orgId', column: 'org_id', type: 'uuid', ref: 'org' };
const createdAt: SnapshotColumn = { field: 'createdAt', column: 'created_at', type: 'timestamptz' };
const text = (field: string, column: string, nullable = false): SnapshotColumn => ({ field, column, type: 'text', nullable });
const time = (field: string, column: string, nullable = false): SnapshotColumn => ({ field, column, type: 'timestamptz', nullable });
const json = (field: string, column: string, nullable = false): SnapshotColumn => ({ field, column, type: 'json', nullable });
const user = (field: string, column: string, nullable = false): SnapshotColumn => ({ field, column, type: 'uuid', ref: 'user', nullable });
const ref = (field: string, column: string, target: SnapshotRecordType, extra: Partial<SnapshotColumn> = {}): SnapshotColumn => ({
  field,
  column,
  type: 'uuid',
  ref: target,
  ...extra,
});
const oneOf = (field: string, column: string, values: readonly string[]): SnapshotColumn => ({ field, column, type: 'text', values });

/** Every table a snapshot carries, in file (and insert) order. */
export const SNAPSHOT_TABLES: readonly SnapshotTable[] = [
  {
    type: 'org',
    table: 'orgs',
    columns: [id, text('name', 'name'), createdAt],
    key: ['id'],
    order: { kind: 'key', orderBy: 't.created_at, t.id' },
  },
  {
    type: 'user',
    table: 'users',
    columns: [
      id,
      orgId,
      text('handle', 'handle'),
      text('displayName', 'display_name', true),
      oneOf('role', 'role', ['ADMIN', 'REVIEWER', 'MEMBER', 'AGENT', 'READER']),
      createdAt,
      v2(oneOf('defaultVisibility', 'default_visibility', ['PRIVATE', 'ORG', 'PUBLIC']), "'PRIVATE'"),
    ],
    key: ['id'],
    order: { kind: 'seq' },
  },
  {
    type: 'group',
    table: 'groups',
    columns: [id, orgId, text('name', 'name'), createdAt],
    key: ['id'],
    order: { kind: 'seq' },
  },
  {
    type: 'member',
    table: 'group_members',
    columns: [orgId, ref('groupId', 'group_id', 'group'), user('userId', 'user_id'), oneOf('role', 'role', ['MEMBER', 'ADMIN']), time('addedAt', 'added_at')],
    key: ['groupId', 'userId'],
    order: { kind: 'key', orderBy: 't.group_id, t.user_id' },
  },
  {
    type: 'collection',
    table: 'collections',
    columns: [id, orgId, text('name', 'name'), text('description', 'description', true), user('createdBy', 'created_by'), createdAt],
    key: ['id'],
    order: { kind: 'seq' },
  },
  {
    type: 'run',
    table: 'runs',
    columns: [
      id,
      orgId,
      text('name', 'name'),
      oneOf('status', 'status', RUN_STATUS),
      json('manifest', 'manifest'),
      json('diagnostics', 'diagnostics', true),
      user('createdBy', 'created_by'),
      createdAt,
      time('updatedAt', 'updated_at'),
      time('startedAt', 'started_at', true),
      time('finishedAt', 'finished_at', true),
    ],
    key: ['id'],
    order: { kind: 'seq', size: 'octet_length(t.manifest::text) + coalesce(octet_length(t.diagnostics::text), 0)' },
  },
  {
    type: 'runStep',
    table: 'run_steps',
    columns: [
      orgId,
      ref('runId', 'run_id', 'run', { owner: true }),
      { field: 'position', column: 'position', type: 'int' },
      text('name', 'name'),
      oneOf('status', 'status', RUN_STATUS),
      json('detail', 'detail', true),
      time('startedAt', 'started_at', true),
      time('finishedAt', 'finished_at', true),
      time('updatedAt', 'updated_at'),
    ],
    key: ['runId', 'position'],
    order: { kind: 'key', orderBy: 't.run_id, t.position' },
  },
  {
    type: 'artifact',
    table: 'artifacts',
    columns: [
      id,
      orgId,
      user('ownerId', 'owner_id'),
      ref('collectionId', 'collection_id', 'collection', { nullable: true }),
      text('name', 'name', true),
      text('kind', 'kind'),
      text('title', 'title', true),
      text('content', 'content'),
      text('contentDigest', 'content_digest'),
      { field: 'sizeBytes', column: 'size_bytes', type: 'int' },
      json('metadata', 'metadata'),
      { field: 'tags', column: 'tags', type: 'text[]' },
      text('codebase', 'codebase', true),
      oneOf('visibility', 'visibility', VISIBILITY),
      { field: 'revision', column: 'revision', type: 'int' },
      { field: 'sourceAgentId', column: 'source_agent_id', type: 'uuid', nullable: true },
      text('mcpClientId', 'mcp_client_id', true),
      text('sessionId', 'session_id', true),
      { field: 'contributionId', column: 'contribution_id', type: 'uuid', nullable: true },
      ref('runId', 'run_id', 'run', { nullable: true }),
      createdAt,
      time('updatedAt', 'updated_at'),
      time('deletedAt', 'deleted_at', true),
      { field: 'embedding', column: 'embedding', type: 'vector', nullable: true },
      // Artifacts from before the chain were created with the request's visibility.
      v2(oneOf('visibilitySource', 'visibility_source', VISIBILITY_SOURCE), "'EXPLICIT'"),
      // No reference: the rule may have been deleted since.
      v2({ field: 'sharingRuleId', column: 'sharing_rule_id', type: 'uuid', nullable: true }),
    ],
    key: ['id'],
    order: { kind: 'seq', size: 't.size_bytes + 2048' },
  },
  {
    type: 'revision',
    table: 'artifact_revisions',
    columns: [
      orgId,
      ref('artifactId', 'artifact_id', 'artifact', { owner: true }),
      { field: 'revision', column: 'revision', type: 'int' },
      oneOf('change', 'change', ['CREATED', 'UPDATED', 'DELETED', 'RESTORED']),
      text('contentDigest', 'content_digest'),
      text('previousDigest', 'previous_digest', true),
      text('name', 'name', true),
      text('title', 'title', true),
      text('content', 'content'),
      json('metadata', 'metadata'),
      { field: 'tags', column: 'tags', type: 'text[]' },
      text('codebase', 'codebase', true),
      user('changedBy', 'changed_by'),
      time('changedAt', 'changed_at'),
      v2({ ...oneOf('visibilitySource', 'visibility_source', VISIBILITY_SOURCE), nullable: true }, `CASE WHEN r."change" = 'CREATED' THEN 'EXPLICIT' END`),
      v2({ field: 'sharingRuleId', column: 'sharing_rule_id', type: 'uuid', nullable: true }),
    ],
    key: ['artifactId', 'revision'],
    order: { kind: 'key', orderBy: 't.artifact_id, t.revision' },
  },
  {
    type: 'share',
    table: 'artifact_shares',
    columns: [orgId, ref('artifactId', 'artifact_id', 'artifact', { owner: true }), ref('groupId', 'group_id', 'group')],
    key: ['artifactId', 'groupId'],
    order: { kind: 'key', orderBy: 't.artifact_id, t.group_id' },
  },
  {
    type: 'relationship',
    table: 'relationships',
    columns: [
      id,
      orgId,
      ref('fromId', 'from_id', 'artifact'),
      ref('toId', 'to_id', 'artifact'),
      // Named apart from the record's own `type`.
      text('relationshipType', 'type'),
      json('properties', 'properties'),
      user('createdBy', 'created_by'),
      createdAt,
    ],
    key: ['id'],
    order: { kind: 'seq' },
  },
  {
    type: 'contribution',
    table: 'contributions',
    columns: [
      id,
      orgId,
      user('contributorId', 'contributor_id'),
      oneOf('status', 'status', ['PENDING', 'APPROVED', 'REJECTED', 'QUARANTINED']),
      text('kind', 'kind'),
      text('title', 'title', true),
      text('content', 'content'),
      text('contentDigest', 'content_digest'),
      json('metadata', 'metadata'),
      { field: 'tags', column: 'tags', type: 'text[]' },
      text('codebase', 'codebase', true),
      oneOf('visibility', 'visibility', VISIBILITY),
      { field: 'sharedWithGroupIds', column: 'shared_with_group_ids', type: 'uuid[]' },
      text('sessionId', 'session_id', true),
      text('mcpClientId', 'mcp_client_id', true),
      { field: 'redactions', column: 'redactions', type: 'jsonb' },
      { field: 'injectionScore', column: 'injection_score', type: 'real' },
      { field: 'flags', column: 'flags', type: 'text[]' },
      ref('artifactId', 'artifact_id', 'artifact', { nullable: true }),
      { field: 'nearDuplicates', column: 'near_duplicates', type: 'jsonb' },
      user('reviewerId', 'reviewer_id', true),
      text('reviewNote', 'review_note', true),
      createdAt,
      time('reviewedAt', 'reviewed_at', true),
      v2(oneOf('visibilitySource', 'visibility_source', VISIBILITY_SOURCE), "'EXPLICIT'"),
      v2({ field: 'sharingRuleId', column: 'sharing_rule_id', type: 'uuid', nullable: true }),
    ],
    key: ['id'],
    order: { kind: 'seq', size: 'octet_length(t.content) + 1024' },
  },
  {
    type: 'autoApproveRule',
    table: 'auto_approve_rules',
    columns: [id, orgId, text('kind', 'kind'), { field: 'enabled', column: 'enabled', type: 'bool' }, user('updatedBy', 'updated_by'), time('updatedAt', 'updated_at')],
    key: ['id'],
    order: { kind: 'key', orderBy: 't.id' },
  },
  {
    // Format version 2. `apiKeyId` is carried but names no record (keys never travel): in the
    // target such a rule matches nothing (`hasApiKey` true, `apiKey` null) until its owner
    // points it at one of their keys there.
    type: 'sharingRule',
    table: 'sharing_rules',
    columns: ([
      id,
      orgId,
      user('ownerId', 'owner_id'),
      text('codebase', 'codebase', true),
      text('tag', 'tag', true),
      text('kind', 'kind', true),
      { field: 'apiKeyId', column: 'api_key_id', type: 'uuid', nullable: true },
      oneOf('visibility', 'visibility', VISIBILITY),
      { field: 'sharedWithGroupIds', column: 'shared_with_group_ids', type: 'uuid[]' },
      { field: 'priority', column: 'priority', type: 'int' },
      createdAt,
      time('updatedAt', 'updated_at'),
    ] satisfies SnapshotColumn[]).map((c) => v2(c)),
    key: ['id'],
    order: { kind: 'seq' },
  },
  {
    type: 'runArtifact',
    table: 'run_artifacts',
    columns: [
      orgId,
      ref('runId', 'run_id', 'run', { owner: true }),
      oneOf('role', 'role', ['INPUT', 'OUTPUT']),
      { field: 'position', column: 'position', type: 'int' },
      ref('artifactId', 'artifact_id', 'artifact'),
    ],
    key: ['runId', 'role', 'position'],
    order: { kind: 'key', orderBy: 't.run_id, t.role COLLATE "C", t.position' },
  },
  {
    type: 'contextPackage',
    table: 'context_packages',
    columns: [
      id,
      orgId,
      text('name', 'name'),
      { field: 'version', column: 'version', type: 'int' },
      text('description', 'description', true),
      user('createdBy', 'created_by'),
      createdAt,
    ],
    key: ['id'],
    order: { kind: 'seq' },
  },
  {
    type: 'contextPackageItem',
    table: 'context_package_items',
    columns: [
      orgId,
      ref('packageId', 'package_id', 'contextPackage', { owner: true }),
      { field: 'position', column: 'position', type: 'int' },
      oneOf('kind', 'kind', ['ARTIFACT', 'RELATIONSHIP', 'RUN', 'MEMORY']),
      ref('artifactId', 'artifact_id', 'artifact', { nullable: true }),
      // No foreign key: a package keeps naming a relationship that was deleted later.
      { field: 'relationshipId', column: 'relationship_id', type: 'uuid', nullable: true },
      ref('runId', 'run_id', 'run', { nullable: true }),
      text('memoryUri', 'memory_uri', true),
      text('memorySource', 'memory_source', true),
      text('memoryRecordedBy', 'memory_recorded_by', true),
      time('memoryRecordedAt', 'memory_recorded_at', true),
      text('note', 'note', true),
    ],
    key: ['packageId', 'position'],
    order: { kind: 'key', orderBy: 't.package_id, t.position' },
  },
];

/** The description of each record type. */
export const SNAPSHOT_TABLE_BY_TYPE: ReadonlyMap<string, SnapshotTable> = new Map(SNAPSHOT_TABLES.map((t) => [t.type, t]));
