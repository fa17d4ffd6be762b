-- Outbound webhooks (issue 18 item 4; docs/webhooks.md). The outbox: one row per event, written in the transaction
-- of the change that caused it (a call's end, a campaign's completion), and the durable queue every replica's
-- deliverer claims from with FOR UPDATE SKIP LOCKED and a lease, as campaign_gyms is for dials (008).

CREATE TABLE webhook_events (
  -- Creation order: the order events are claimed in, and the key the dead-letter list pages by.
  seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The event's identity for receivers (the webhook-id header): the same on every attempt and manual retry.
  id            uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  type          text NOT NULL CHECK (type IN ('call.completed', 'gym.facts.changed', 'campaign.completed')),
  -- What makes the event happen once: "call.completed:<call id>", ... A retried write that caused it (the write
  -- queue retries after an ambiguous commit) finds its event already here and adds none (ON CONFLICT DO NOTHING).
  dedupe_key    text NOT NULL UNIQUE,
  payload       jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  state         text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
  -- Attempts started (counted when claimed, so an attempt cut short by a killed replica counts too).
  attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_at       timestamptz NOT NULL DEFAULT now(),
  -- The replica sending it now and until when; another replica takes the event only once the lease has lapsed.
  lease_owner   text,
  lease_until   timestamptz,
  -- The last attempt's HTTP status (NULL: no response) and what went wrong, in our words (never the receiver's body).
  last_status   integer,
  last_error    text,
  delivered_at  timestamptz,
  dead_at       timestamptz,
  CONSTRAINT webhook_events_settled CHECK ((state = 'delivered') = (delivered_at IS NOT NULL)
                                           AND (state = 'dead') = (dead_at IS NOT NULL))
);
-- What the deliverer's claim scans: pending events in due order.
CREATE INDEX webhook_events_due_idx ON webhook_events (next_at, seq) WHERE state = 'pending';
-- The dead-letter list, newest first by key; and the retention sweep of delivered events.
CREATE INDEX webhook_events_dead_idx ON webhook_events (seq) WHERE state = 'dead';
CREATE INDEX webhook_events_delivered_idx ON webhook_events (delivered_at) WHERE state = 'delivered';

-- Every attempt at sending an event: when, how long, and what came of it (GET /v1/webhooks/events/{id}).
CREATE TABLE webhook_attempts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_seq    bigint NOT NULL REFERENCES webhook_events (seq) ON DELETE CASCADE,
  started_at   timestamptz NOT NULL,
  duration_ms  integer NOT NULL CHECK (duration_ms >= 0),
  status       integer,
  result       text NOT NULL CHECK (result IN ('delivered', 'retry', 'dead')),
  error        text
);
CREATE INDEX webhook_attempts_event_idx ON webhook_attempts (event_seq, id);

-- The facts each gym's last gym.facts.changed event announced (NULL: none yet): a call's end compares the gym's
-- current facts with these, under this row's lock, so two calls ending at once cannot both announce one change.
-- `version` counts the announcements; receivers keep the highest (deliveries are not ordered).
CREATE TABLE webhook_gym_facts (
  gym_id      bigint PRIMARY KEY REFERENCES gyms (id) ON DELETE CASCADE,
  facts       jsonb,
  version     integer NOT NULL DEFAULT 0 CHECK (version >= 0),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
