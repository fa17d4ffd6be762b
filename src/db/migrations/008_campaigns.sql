-- Campaigns (issue 17): a list of gyms called until the campaign's topics are known, each gym's state in it, and
-- every dial with its local time. The rows are the durable queue itself: a replica claims a due gym with
-- FOR UPDATE SKIP LOCKED under one transaction-scoped advisory lock that makes the capacity count exact
-- (src/campaigns/store.ts; why no job library: README "Campaigns"). Kept to PostgreSQL 15 features PGlite runs.

CREATE TABLE campaigns (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  topics          text[] NOT NULL CHECK (cardinality(topics) >= 1 AND topics <@ ARRAY['hours', 'pricing', 'classes']),
  status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'cancelled', 'done')),
  -- Calls of this campaign at once, across every replica (MAX_CONCURRENT_CALLS bounds all calls together).
  max_concurrent  integer NOT NULL CHECK (max_concurrent BETWEEN 1 AND 1000),
  max_attempts    integer NOT NULL CHECK (max_attempts BETWEEN 1 AND 50),
  -- The rest of the policy (src/campaigns/types.ts CampaignPolicy: windows, retry waits, spacing), as created.
  policy          jsonb NOT NULL,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL
);
CREATE UNIQUE INDEX campaigns_name_key ON campaigns (name) WHERE status <> 'cancelled';

-- One gym in one campaign. pending: not planned yet; scheduled: due at next_at; dialling: claimed by a replica
-- (lease_owner, until lease_until) and dialled as call_id; done / failed / suppressed: final (final_state says which).
CREATE TABLE campaign_gyms (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id  bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  gym_id       bigint NOT NULL REFERENCES gyms (id),
  state        text NOT NULL DEFAULT 'pending'
               CHECK (state IN ('pending', 'scheduled', 'dialling', 'done', 'failed', 'suppressed')),
  attempts     integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_at      timestamptz,
  -- Why next_at (the policy's words) and what the next call carries (CallBrief).
  reason       text,
  brief        jsonb,
  -- The claim: which replica dials it, until when its lease holds, and the call id chosen before dialling.
  lease_owner  text,
  lease_until  timestamptz,
  call_id      text,
  -- Set once the call record exists and the replica still held the claim: from then on the gym may be on the line.
  dialled_at   timestamptz,
  last_outcome text,
  final_state  text,
  updated_at   timestamptz NOT NULL,
  UNIQUE (campaign_id, gym_id),
  CONSTRAINT campaign_gyms_claim CHECK ((state = 'dialling') = (lease_owner IS NOT NULL AND call_id IS NOT NULL)),
  CONSTRAINT campaign_gyms_due CHECK (state <> 'scheduled' OR next_at IS NOT NULL)
);
-- What the claim scans: due gyms in time order.
CREATE INDEX campaign_gyms_due_idx ON campaign_gyms (next_at) WHERE state = 'scheduled';
CREATE INDEX campaign_gyms_pending_idx ON campaign_gyms (campaign_id) WHERE state = 'pending';
-- A gym is on the line for at most one campaign at a time (the claim also skips it; this is the last guard).
CREATE UNIQUE INDEX campaign_gyms_one_dial_key ON campaign_gyms (gym_id) WHERE state = 'dialling';

-- Every dial: when (the engine's clock, in UTC and in the gym's local time), why then, what it carried and what
-- came of it. Written when the dial is committed (outcome NULL), completed when the call's outcome is settled.
CREATE TABLE campaign_attempts (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_gym_id   bigint NOT NULL REFERENCES campaign_gyms (id) ON DELETE CASCADE,
  campaign_id       bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  gym_id            bigint NOT NULL REFERENCES gyms (id),
  seq               integer NOT NULL CHECK (seq >= 1),
  call_id           text NOT NULL UNIQUE,
  dialled_at        timestamptz NOT NULL,
  -- The gym's wall-clock time of the dial ("2026-12-07T10:31"), in time_zone: what a window check reads.
  local_time        text NOT NULL CHECK (local_time ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d'),
  time_zone         text NOT NULL,
  reason            text,
  brief             jsonb,
  outcome           text CHECK (outcome IS NULL OR outcome ~ '^[a-z][a-z-]{1,39}$'),
  settled_at        timestamptz,
  UNIQUE (campaign_gym_id, seq)
);
CREATE INDEX campaign_attempts_campaign_idx ON campaign_attempts (campaign_id, dialled_at);
