-- Initial schema. Everything a call produces: the gym, the call and its status history, each turn as it
-- ended, and the facts with the call they came from, so a later call updates a gym's facts and history stays.
-- Kept to PostgreSQL 15 features (the CI server) that PGlite (PostgreSQL 18) also runs.

CREATE TABLE gyms (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL,
  phone       text,
  timezone    text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT gyms_phone_e164 CHECK (phone IS NULL OR phone ~ '^\+[1-9][0-9]{6,14}$')
);
-- A gym is identified by its phone number; gyms known only by name are matched by exact name.
CREATE UNIQUE INDEX gyms_phone_key ON gyms (phone) WHERE phone IS NOT NULL;
CREATE INDEX gyms_name_idx ON gyms (name) WHERE phone IS NULL;

CREATE TABLE calls (
  id               text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 200),
  gym_id           bigint REFERENCES gyms (id),
  direction        text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  twilio_call_sid  text UNIQUE,
  phone_number     text,
  gym_name         text,
  status           text NOT NULL,
  status_at        timestamptz NOT NULL,
  created_at       timestamptz NOT NULL,
  answered_at      timestamptz,
  ended_at         timestamptz,
  end_reason       text,
  providers        jsonb NOT NULL DEFAULT '{}'::jsonb,
  latency          jsonb,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX calls_created_idx ON calls (created_at DESC);
CREATE INDEX calls_gym_idx ON calls (gym_id, created_at DESC);
CREATE INDEX calls_status_idx ON calls (status);

-- Every status change as it happened; (call, status, at) makes a retried write a no-op.
CREATE TABLE call_status_history (
  call_id  text NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  status   text NOT NULL,
  at       timestamptz NOT NULL,
  detail   jsonb,
  PRIMARY KEY (call_id, at, status)
);

CREATE TABLE turns (
  call_id      text NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  seq          integer NOT NULL CHECK (seq >= 0),
  speaker      text NOT NULL CHECK (speaker IN ('agent', 'caller')),
  text         text NOT NULL,
  -- What the caller actually heard of an agent turn (cut at barge-in); NULL for caller turns.
  heard_text   text,
  interrupted  boolean NOT NULL DEFAULT false,
  -- Milliseconds since the call's media started.
  start_ms     integer,
  end_ms       integer,
  confidence   real,
  latency      jsonb,
  ended_at     timestamptz NOT NULL,
  PRIMARY KEY (call_id, seq)
);

CREATE TABLE fact_hours (
  gym_id       bigint NOT NULL REFERENCES gyms (id),
  call_id      text NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  day          text NOT NULL CHECK (day IN ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')),
  kind         text NOT NULL CHECK (kind IN ('hours', 'closed', 'open24h')),
  opens        text CHECK (opens IS NULL OR opens ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$'),
  closes       text CHECK (closes IS NULL OR closes ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$'),
  recorded_at  timestamptz NOT NULL,
  PRIMARY KEY (call_id, day),
  CONSTRAINT fact_hours_shape CHECK ((kind = 'hours') = (opens IS NOT NULL AND closes IS NOT NULL))
);
CREATE INDEX fact_hours_gym_idx ON fact_hours (gym_id, day, recorded_at DESC);

CREATE TABLE fact_plans (
  gym_id        bigint NOT NULL REFERENCES gyms (id),
  call_id       text NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  plan_key      text NOT NULL,
  plan          text NOT NULL,
  amount_minor  bigint NOT NULL CHECK (amount_minor >= 0),
  currency      char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  period        text NOT NULL CHECK (period IN ('month', 'year', 'week', 'day', 'visit', 'once')),
  -- Order in which the call stated them, so a price list reads back as it was given.
  position      integer NOT NULL DEFAULT 0,
  recorded_at   timestamptz NOT NULL,
  PRIMARY KEY (call_id, plan_key, period)
);
CREATE INDEX fact_plans_gym_idx ON fact_plans (gym_id, recorded_at DESC);

CREATE TABLE fact_classes (
  gym_id       bigint NOT NULL REFERENCES gyms (id),
  call_id      text NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  name_key     text NOT NULL,
  name         text NOT NULL,
  schedule     text,
  position     integer NOT NULL DEFAULT 0,
  recorded_at  timestamptz NOT NULL,
  PRIMARY KEY (call_id, name_key)
);
CREATE INDEX fact_classes_gym_idx ON fact_classes (gym_id, recorded_at DESC);
