-- The end of the calling window a scheduled dial falls in (issue 17: no call outside its window). A gym that is
-- still waiting at that instant, every line busy until then, is not dialled late: the engine plans it again.
-- NULL on rows planned before this migration: they keep the old behaviour until their next plan.
ALTER TABLE campaign_gyms ADD COLUMN due_until timestamptz;
ALTER TABLE campaign_gyms ADD CONSTRAINT campaign_gyms_due_until CHECK (due_until IS NULL OR due_until > next_at);
-- What the engine's re-plan scans: scheduled gyms whose window has closed.
CREATE INDEX campaign_gyms_window_end_idx ON campaign_gyms (due_until) WHERE state = 'scheduled';
