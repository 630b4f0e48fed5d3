-- Groups, collections, artifacts with their revisions, per-artifact sharing, and API key
-- usage per billing period. Every row carries its org; composite foreign keys keep rows of
-- one org from ever pointing at another org's rows.

CREATE TABLE groups (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, name),
  UNIQUE (org_id, id)
);

CREATE TABLE group_members (
  org_id uuid NOT NULL,
  group_id uuid NOT NULL,
  user_id uuid NOT NULL,
  role text NOT NULL CHECK (role IN ('MEMBER', 'ADMIN')),
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, user_id),
  FOREIGN KEY (org_id, group_id) REFERENCES groups (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX group_members_user_idx ON group_members (user_id);

CREATE TABLE collections (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  description text,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, name),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id)
);

CREATE TABLE artifacts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  -- Monotonic insertion order: the stable sort key behind cursor pagination.
  seq bigint GENERATED ALWAYS AS IDENTITY,
  owner_id uuid NOT NULL,
  collection_id uuid,
  name text CHECK (char_length(name) BETWEEN 1 AND 200),
  kind text NOT NULL,
  title text,
  content text NOT NULL,
  content_digest text NOT NULL CHECK (content_digest ~ '^sha256:[0-9a-f]{64}$'),
  size_bytes integer NOT NULL CHECK (size_bytes >= 0),
  -- `json` keeps the client's text (key order) so metadata round-trips exactly;
  -- `metadata_index` is its jsonb twin for containment filters.
  metadata json NOT NULL DEFAULT '{}',
  metadata_index jsonb GENERATED ALWAYS AS (metadata::jsonb) STORED,
  tags text[] NOT NULL DEFAULT '{}',
  codebase text,
  visibility text NOT NULL CHECK (visibility IN ('PRIVATE', 'GROUP', 'ORG', 'PUBLIC')),
  revision integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
  source_agent_id uuid,
  mcp_client_id text,
  session_id text,
  contribution_id uuid,
  run_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id),
  FOREIGN KEY (org_id, collection_id) REFERENCES collections (org_id, id)
);
-- A name is unique within its collection, or within the org when it has none; deleted
-- artifacts keep their name, so a restore never collides.
CREATE UNIQUE INDEX artifacts_name_in_collection_key ON artifacts (org_id, collection_id, name) NULLS NOT DISTINCT
  WHERE name IS NOT NULL;
CREATE INDEX artifacts_org_seq_idx ON artifacts (org_id, seq);
CREATE INDEX artifacts_public_seq_idx ON artifacts (seq) WHERE visibility = 'PUBLIC';
CREATE INDEX artifacts_owner_idx ON artifacts (org_id, owner_id);
CREATE INDEX artifacts_kind_idx ON artifacts (org_id, kind);
CREATE INDEX artifacts_codebase_idx ON artifacts (org_id, codebase);
CREATE INDEX artifacts_collection_idx ON artifacts (org_id, collection_id);
CREATE INDEX artifacts_digest_idx ON artifacts (org_id, content_digest);
CREATE INDEX artifacts_tags_idx ON artifacts USING gin (tags);
CREATE INDEX artifacts_metadata_idx ON artifacts USING gin (metadata_index jsonb_path_ops);

-- GROUP visibility: the groups an artifact is shared with.
CREATE TABLE artifact_shares (
  org_id uuid NOT NULL,
  artifact_id uuid NOT NULL,
  group_id uuid NOT NULL,
  PRIMARY KEY (artifact_id, group_id),
  FOREIGN KEY (org_id, artifact_id) REFERENCES artifacts (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, group_id) REFERENCES groups (org_id, id) ON DELETE CASCADE
);
CREATE INDEX artifact_shares_group_idx ON artifact_shares (group_id);

-- Full history: one row per create, update, delete and restore, written in the same
-- transaction as the change.
CREATE TABLE artifact_revisions (
  org_id uuid NOT NULL,
  artifact_id uuid NOT NULL,
  revision integer NOT NULL,
  change text NOT NULL CHECK (change IN ('CREATED', 'UPDATED', 'DELETED', 'RESTORED')),
  content_digest text NOT NULL,
  previous_digest text,
  name text,
  title text,
  content text NOT NULL,
  metadata json NOT NULL,
  tags text[] NOT NULL,
  codebase text,
  changed_by uuid NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (artifact_id, revision),
  FOREIGN KEY (org_id, artifact_id) REFERENCES artifacts (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, changed_by) REFERENCES users (org_id, id)
);

-- Requests per API key per billing period (calendar month, UTC), flushed in batches.
CREATE TABLE api_key_usage (
  key_id uuid NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
  period text NOT NULL CHECK (period ~ '^\d{4}-\d{2}$'),
  requests bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (key_id, period)
);

ALTER TABLE users ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE groups ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE api_keys ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
