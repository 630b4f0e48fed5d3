-- Typed relationships between artifacts of one org. Postgres is the system of record; the
-- graph store (FalkorDB in server mode) is a projection kept in step through graph_outbox,
-- written in the same transaction as every change it must project.

CREATE TABLE relationships (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  from_id uuid NOT NULL,
  to_id uuid NOT NULL,
  type text NOT NULL CHECK (type ~ '^[A-Za-z][A-Za-z0-9_]{0,63}$'),
  properties json NOT NULL DEFAULT '{}',
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, from_id, to_id, type),
  FOREIGN KEY (org_id, from_id) REFERENCES artifacts (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, to_id) REFERENCES artifacts (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id)
);
CREATE INDEX relationships_from_idx ON relationships (from_id, type);
CREATE INDEX relationships_to_idx ON relationships (to_id, type);

-- The transactional outbox of the graph projection: one row per artifact node or
-- relationship edge whose projected state must be (re)applied. The projector reads the
-- current state from the tables above, so applying a row twice, or late, is harmless.
CREATE TABLE graph_outbox (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id uuid NOT NULL,
  entity text NOT NULL CHECK (entity IN ('artifact', 'relationship')),
  entity_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
