-- Identity: organisations, users and API keys. Every row carries its org; keys are stored
-- as a SHA-256 hash plus an 8-character prefix, never in clear.

CREATE TABLE orgs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  handle text NOT NULL CHECK (handle ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$'),
  display_name text,
  role text NOT NULL CHECK (role IN ('ADMIN', 'REVIEWER', 'MEMBER', 'AGENT', 'READER')),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, handle),
  UNIQUE (org_id, id)
);

CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL,
  user_id uuid NOT NULL,
  name text NOT NULL,
  prefix text NOT NULL CHECK (char_length(prefix) = 8),
  key_hash text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  tier text NOT NULL DEFAULT 'standard',
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);

CREATE INDEX api_keys_user_idx ON api_keys (org_id, user_id);
