-- Gyms in (issue 17): what an imported list says about each gym, how its time zone was found, every change an
-- import made to a gym, and the do-not-call list. Kept to PostgreSQL 15 features that PGlite also runs.

ALTER TABLE gyms
  ADD COLUMN address              text CHECK (address IS NULL OR length(address) BETWEEN 1 AND 500),
  -- A BCP 47 tag as the list gave it ("en", "en-US", "es"); issue 19 chooses the call's language from it.
  ADD COLUMN language             text CHECK (language IS NULL OR language ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
  -- ISO 3166 region and libphonenumber type of the number, as validated at import.
  ADD COLUMN region               text CHECK (region IS NULL OR region ~ '^[A-Z]{2}$'),
  ADD COLUMN number_type          text,
  -- Where `timezone` came from: the list's row, the number's prefix (one zone, or several: see the candidates),
  -- or CALL_DEFAULT_TIMEZONE. NULL for gyms that only calls created.
  ADD COLUMN timezone_source      text CHECK (timezone_source IS NULL OR
                                              timezone_source IN ('row', 'number', 'number-ambiguous', 'default')),
  -- Every zone the number's prefix spans (libphonenumber's prefix-to-zone data), when it was looked up.
  ADD COLUMN timezone_candidates  text[] NOT NULL DEFAULT '{}',
  ADD COLUMN imported_at          timestamptz;

-- One import of a list: who sent it and what came of it (the per-row report is returned, not stored: it carries
-- the rows' own words).
CREATE TABLE gym_imports (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  via         text NOT NULL CHECK (via IN ('cli', 'api')),
  format      text NOT NULL CHECK (format IN ('csv', 'json')),
  row_count   integer NOT NULL CHECK (row_count >= 0),
  accepted    integer NOT NULL CHECK (accepted >= 0),
  merged      integer NOT NULL CHECK (merged >= 0),
  rejected    integer NOT NULL CHECK (rejected >= 0),
  created_at  timestamptz NOT NULL
);

-- A gym's own history: each field an import changed, old and new value. Nothing in `gyms` is changed without a
-- row here (a merge by number updates the name or address; the old one stays readable).
CREATE TABLE gym_changes (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  gym_id      bigint NOT NULL REFERENCES gyms (id) ON DELETE CASCADE,
  import_id   bigint REFERENCES gym_imports (id) ON DELETE SET NULL,
  field       text NOT NULL CHECK (field IN ('created', 'name', 'address', 'timezone', 'language')),
  old_value   text,
  new_value   text,
  changed_at  timestamptz NOT NULL
);
CREATE INDEX gym_changes_gym_idx ON gym_changes (gym_id, changed_at DESC, id DESC);

-- The do-not-call list: a number here is never dialled (POST /v1/calls and every campaign refuse it). Added by
-- the operator (API, CLI, imported file) or by the gym itself in a call ("please don't call us again").
CREATE TABLE suppressions (
  phone       text PRIMARY KEY CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  source      text NOT NULL CHECK (source IN ('operator', 'import', 'call')),
  reason      text CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 500),
  -- The call in which the gym asked not to be called again.
  call_id     text REFERENCES calls (id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL
);

-- Every addition and removal, kept after a removal: who asked for a number to be left alone, and who lifted it.
CREATE TABLE suppression_events (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  phone    text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  action   text NOT NULL CHECK (action IN ('added', 'removed')),
  source   text NOT NULL CHECK (source IN ('operator', 'import', 'call')),
  reason   text,
  call_id  text,
  at       timestamptz NOT NULL
);
CREATE INDEX suppression_events_phone_idx ON suppression_events (phone, at DESC);
