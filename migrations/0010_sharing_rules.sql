-- Sharing rules and default visibility: the precedence chain an artifact created without an
-- explicit visibility goes through (explicit → session override → the owner's sharing rule →
-- the owner's default). Session overrides live in memory only, never here.

-- The visibility of a user's new artifacts when nothing else decides it. GROUP is not allowed:
-- a default names no groups.
ALTER TABLE users ADD COLUMN default_visibility text NOT NULL DEFAULT 'PRIVATE'
  CHECK (default_visibility IN ('PRIVATE', 'ORG', 'PUBLIC'));

-- A user's rule: new artifacts of theirs whose codebase, tags, kind and calling API key match
-- every set field get this visibility. Highest priority wins; ties: the most match fields set,
-- then the oldest (created_at, seq).
CREATE TABLE sharing_rules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  owner_id uuid NOT NULL,
  codebase text,
  tag text,
  kind text,
  -- No foreign key: snapshots carry rules but never keys. A key id that names no key of the
  -- owner matches no request (setSharingRule only accepts the owner's own keys).
  api_key_id uuid,
  visibility text NOT NULL CHECK (visibility IN ('PRIVATE', 'GROUP', 'ORG', 'PUBLIC')),
  -- Groups the owner belonged to when the rule was set; GROUP visibility only.
  shared_with_group_ids uuid[] NOT NULL DEFAULT '{}',
  priority integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id) ON DELETE CASCADE,
  CHECK ((visibility = 'GROUP') = (cardinality(shared_with_group_ids) > 0))
);
CREATE INDEX sharing_rules_owner_idx ON sharing_rules (org_id, owner_id);

-- How an artifact's visibility was decided, and by which rule. On the artifact it describes
-- the current visibility (shareArtifact makes it EXPLICIT); revision 1 keeps the creation's.
-- Artifacts from before the chain were created with the request's (or the schema's default)
-- visibility: EXPLICIT.
ALTER TABLE artifacts ADD COLUMN visibility_source text NOT NULL DEFAULT 'EXPLICIT'
  CHECK (visibility_source IN ('EXPLICIT', 'SESSION', 'RULE', 'DEFAULT'));
-- No foreign key: the record stays when the rule is deleted.
ALTER TABLE artifacts ADD COLUMN sharing_rule_id uuid;

ALTER TABLE artifact_revisions ADD COLUMN visibility_source text
  CHECK (visibility_source IN ('EXPLICIT', 'SESSION', 'RULE', 'DEFAULT'));
ALTER TABLE artifact_revisions ADD COLUMN sharing_rule_id uuid;
UPDATE artifact_revisions SET visibility_source = 'EXPLICIT' WHERE change = 'CREATED';

-- A contribution's visibility is decided when it is submitted (the request that carries the
-- session and the key) and applied on approval.
ALTER TABLE contributions ADD COLUMN visibility_source text NOT NULL DEFAULT 'EXPLICIT'
  CHECK (visibility_source IN ('EXPLICIT', 'SESSION', 'RULE', 'DEFAULT'));
ALTER TABLE contributions ADD COLUMN sharing_rule_id uuid;
