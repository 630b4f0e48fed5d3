-- Workflow runs (inputs, ordered steps, manifest, diagnostics, outputs) and context packages
-- (named, versioned bundles of references).

CREATE TABLE runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  status text NOT NULL CHECK (status IN ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
  manifest json NOT NULL DEFAULT '{}',
  diagnostics json,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id)
);
CREATE INDEX runs_org_seq_idx ON runs (org_id, seq);

-- Inputs and outputs, in the order given.
CREATE TABLE run_artifacts (
  org_id uuid NOT NULL,
  run_id uuid NOT NULL,
  role text NOT NULL CHECK (role IN ('INPUT', 'OUTPUT')),
  position integer NOT NULL,
  artifact_id uuid NOT NULL,
  PRIMARY KEY (run_id, role, position),
  UNIQUE (run_id, role, artifact_id),
  FOREIGN KEY (org_id, run_id) REFERENCES runs (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, artifact_id) REFERENCES artifacts (org_id, id)
);
CREATE INDEX run_artifacts_artifact_idx ON run_artifacts (artifact_id);

CREATE TABLE run_steps (
  org_id uuid NOT NULL,
  run_id uuid NOT NULL,
  position integer NOT NULL CHECK (position >= 1),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  status text NOT NULL CHECK (status IN ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
  detail json,
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, position),
  FOREIGN KEY (org_id, run_id) REFERENCES runs (org_id, id) ON DELETE CASCADE
);

ALTER TABLE artifacts ADD CONSTRAINT artifacts_run_fkey FOREIGN KEY (org_id, run_id) REFERENCES runs (org_id, id);

-- A context package version: immutable once written; adding to a package writes version n + 1.
CREATE TABLE context_packages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  version integer NOT NULL CHECK (version >= 1),
  description text,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, name, version),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id)
);
CREATE INDEX context_packages_org_seq_idx ON context_packages (org_id, seq);

-- One reference of a package version: an artifact, a relationship, a run, or an external
-- memory record (an opaque URI with its provenance).
CREATE TABLE context_package_items (
  org_id uuid NOT NULL,
  package_id uuid NOT NULL,
  position integer NOT NULL CHECK (position >= 1),
  kind text NOT NULL CHECK (kind IN ('ARTIFACT', 'RELATIONSHIP', 'RUN', 'MEMORY')),
  artifact_id uuid,
  relationship_id uuid,
  run_id uuid,
  memory_uri text,
  memory_source text,
  memory_recorded_by text,
  memory_recorded_at timestamptz,
  note text,
  PRIMARY KEY (package_id, position),
  FOREIGN KEY (org_id, package_id) REFERENCES context_packages (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, artifact_id) REFERENCES artifacts (org_id, id),
  FOREIGN KEY (org_id, run_id) REFERENCES runs (org_id, id),
  CHECK ((kind = 'ARTIFACT') = (artifact_id IS NOT NULL)),
  CHECK ((kind = 'RELATIONSHIP') = (relationship_id IS NOT NULL)),
  CHECK ((kind = 'RUN') = (run_id IS NOT NULL)),
  CHECK ((kind = 'MEMORY') = (memory_uri IS NOT NULL))
);
