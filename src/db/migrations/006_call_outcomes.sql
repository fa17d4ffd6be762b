-- What a call came to (issue 16): its outcome (machines/outcomes.ts names them; the application checks the name),
-- the keys the agent pressed and the time it spent on hold, each topic the gym refused, the callback it asked for,
-- and, per gym number, the phone-tree key path that last reached a person.

ALTER TABLE calls
  ADD COLUMN outcome      text CHECK (outcome IS NULL OR outcome ~ '^[a-z][a-z-]{1,39}$'),
  -- Each press in order ("2", "0"), as the agent sent them.
  ADD COLUMN keys_pressed text[] NOT NULL DEFAULT '{}'
    CHECK (array_to_string(keys_pressed, '') ~ '^[0-9*#]*$'),
  ADD COLUMN hold_ms      integer CHECK (hold_ms IS NULL OR hold_ms >= 0);
CREATE INDEX calls_outcome_idx ON calls (outcome) WHERE outcome IS NOT NULL;

-- A topic the gym would not give on the phone, once per call and topic (a retried write is a no-op).
CREATE TABLE call_refusals (
  call_id      text NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  topic        text NOT NULL CHECK (topic IN ('hours', 'pricing', 'classes')),
  words        text NOT NULL CHECK (length(words) BETWEEN 1 AND 2000),
  website      text CHECK (website IS NULL OR length(website) BETWEEN 4 AND 300),
  recorded_at  timestamptz NOT NULL,
  PRIMARY KEY (call_id, topic)
);

-- "Call back after two and ask for Mike": one request per call (the latest said wins).
CREATE TABLE call_callbacks (
  call_id         text PRIMARY KEY REFERENCES calls (id) ON DELETE CASCADE,
  -- The gym's local wall-clock time ("2026-12-06T14:00") or date ("2026-12-08"), in time_zone.
  earliest_local  text CHECK (earliest_local IS NULL OR earliest_local ~ '^\d{4}-\d\d-\d\d(T\d\d:\d\d)?$'),
  time_zone       text,
  person          text CHECK (person IS NULL OR length(person) BETWEEN 1 AND 200),
  topics          text[] NOT NULL DEFAULT '{}' CHECK (topics <@ ARRAY['hours', 'pricing', 'classes']),
  words           text NOT NULL CHECK (length(words) BETWEEN 1 AND 2000),
  recorded_at     timestamptz NOT NULL
);
CREATE INDEX call_callbacks_due_idx ON call_callbacks (earliest_local);

-- The key path through a gym number's phone tree that last reached a person: each level's keys and the menu's
-- fingerprint (src/situations/menu-memory.ts), replayed on the next call once the menu says the same again.
-- Replicas may save at once: the newest success wins, whatever order the writes arrive in.
CREATE TABLE ivr_paths (
  phone            text PRIMARY KEY CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  -- [{ "digits": "2", "fingerprint": "0=operator|2=membership" }, ...]
  steps            jsonb NOT NULL CHECK (jsonb_typeof(steps) = 'array' AND jsonb_array_length(steps) BETWEEN 1 AND 10),
  -- The keys joined by '>' ("2>0"), for reading and for counting repeats of the same path.
  path             text NOT NULL CHECK (path ~ '^[0-9*#]{1,12}(>[0-9*#]{1,12}){0,9}$'),
  successes        integer NOT NULL DEFAULT 1 CHECK (successes >= 1),
  last_success_at  timestamptz NOT NULL,
  last_call_id     text
);
