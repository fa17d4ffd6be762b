-- A/B tested conversation flows (issue 18): the experiment each call belonged to and the variant it ran (src/flows/,
-- docs/flows.md). Written when the call's media stream starts, from the gym's number; both NULL when no experiment
-- was configured. Kept to PostgreSQL 15 features that PGlite also runs.

ALTER TABLE calls
  ADD COLUMN flow_experiment text CHECK (flow_experiment IS NULL OR flow_experiment ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$'),
  ADD COLUMN flow_variant    text CHECK (flow_variant IS NULL OR flow_variant ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
  ADD CONSTRAINT calls_flow_both CHECK ((flow_experiment IS NULL) = (flow_variant IS NULL));

-- What `gym-agent flows report` and /analytics read: one experiment's calls by variant, in a time window.
CREATE INDEX calls_flow_idx ON calls (flow_experiment, created_at) INCLUDE (flow_variant) WHERE flow_experiment IS NOT NULL;
