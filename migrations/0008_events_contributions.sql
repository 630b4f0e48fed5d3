-- Moderated contributions, auto-approve rules, and the events log behind subscriptions.

-- What agents (and people) submit; becomes an artifact only when approved.
CREATE TABLE contributions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  contributor_id uuid NOT NULL,
  status text NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED', 'QUARANTINED')),
  kind text NOT NULL,
  title text,
  -- Content after PII scrubbing: the original text is never stored.
  content text NOT NULL,
  content_digest text NOT NULL CHECK (content_digest ~ '^sha256:[0-9a-f]{64}$'),
  metadata json NOT NULL DEFAULT '{}',
  tags text[] NOT NULL DEFAULT '{}',
  codebase text,
  visibility text NOT NULL CHECK (visibility IN ('PRIVATE', 'GROUP', 'ORG', 'PUBLIC')),
  shared_with_group_ids uuid[] NOT NULL DEFAULT '{}',
  session_id text,
  mcp_client_id text,
  -- [{ "type": "EMAIL", "count": 2 }, …]
  redactions jsonb NOT NULL DEFAULT '[]',
  injection_score real NOT NULL CHECK (injection_score BETWEEN 0 AND 1),
  flags text[] NOT NULL DEFAULT '{}',
  -- An existing artifact with the same digest (linked instead of copied), or the one approval created.
  artifact_id uuid,
  -- Near-duplicates found at submission: [{ "artifactId": …, "similarity": … }].
  near_duplicates jsonb NOT NULL DEFAULT '[]',
  reviewer_id uuid,
  review_note text,
  created_at timestamptz NOT NULL DEFAULT now(),
  reviewed_at timestamptz,
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, contributor_id) REFERENCES users (org_id, id),
  FOREIGN KEY (org_id, reviewer_id) REFERENCES users (org_id, id),
  FOREIGN KEY (org_id, artifact_id) REFERENCES artifacts (org_id, id)
);
CREATE INDEX contributions_org_status_seq_idx ON contributions (org_id, status, seq);
CREATE INDEX contributions_org_seq_idx ON contributions (org_id, seq);

-- Per org and kind: approve contributions of that kind without review (never QUARANTINED ones).
CREATE TABLE auto_approve_rules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  kind text NOT NULL,
  enabled boolean NOT NULL,
  updated_by uuid NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, kind),
  FOREIGN KEY (org_id, updated_by) REFERENCES users (org_id, id)
);

-- The durable log of state changes. `cursor` is allocated while the org's event lock is held
-- until commit, so within an org cursors become visible in increasing order: a reader that has
-- seen cursor N never later finds an event of that org below N.
CREATE TABLE events (
  cursor bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  type text NOT NULL CHECK (type IN ('ARTIFACT_CREATED', 'ARTIFACT_UPDATED', 'ARTIFACT_DELETED', 'RELATIONSHIP_CREATED',
    'RELATIONSHIP_DELETED', 'CONTRIBUTION_SUBMITTED', 'CONTRIBUTION_APPROVED', 'CONTRIBUTION_REJECTED', 'RUN_UPDATED')),
  actor_id uuid,
  artifact_id uuid,
  relationship_id uuid,
  -- A relationship's ends, kept here because unrelate deletes the row: visibility needs both.
  from_artifact_id uuid,
  to_artifact_id uuid,
  contribution_id uuid,
  run_id uuid,
  occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_org_cursor_idx ON events (org_id, cursor);
CREATE INDEX events_occurred_at_idx ON events (occurred_at);

-- Per org, the newest cursor retention has deleted: a resume from below it is refused.
CREATE TABLE event_retention (
  org_id uuid PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
  pruned_through bigint NOT NULL
);
