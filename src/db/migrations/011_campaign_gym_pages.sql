-- A campaign's gyms read a page at a time by key (issue 17: GET /v1/campaigns/{id}/gyms, the review page,
-- `gym-agent campaign gyms`): in campaign_gyms.id order after a cursor, all of them or those in one state. The
-- UNIQUE (campaign_id, gym_id) index of 008 finds a campaign's rows but not in that order, so every page sorted the
-- whole campaign (thousands of gyms). With a state filter the first index would read past every gym in another
-- state; the second reads only the state's own, and also serves the per-state counts of a campaign's progress.
CREATE INDEX campaign_gyms_page_idx ON campaign_gyms (campaign_id, id);
CREATE INDEX campaign_gyms_state_page_idx ON campaign_gyms (campaign_id, state, id);
