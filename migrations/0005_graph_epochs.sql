-- The epoch of each org's projected graph. The same value is stored in the graph itself
-- (a :HivegraphMeta node); when they differ — the graph store lost its data, or was never
-- built — the projector rebuilds that org's graph from SQL instead of serving wrong answers.
CREATE TABLE graph_epochs (
  org_id uuid PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
  epoch text NOT NULL,
  verified_at timestamptz NOT NULL DEFAULT now()
);
