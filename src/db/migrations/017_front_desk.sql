-- Front-desk mode (issue 19 item 1; docs/front-desk.md). Our Twilio numbers and what a call to each one does: the
-- interview (a gym calls us with its facts) or the front desk (a gym's own callers get answers from its stored
-- facts, leave a message, or are put through to its staff). Kept to PostgreSQL 15 features that PGlite also runs.

CREATE TABLE phone_numbers (
  -- Our Twilio number in E.164: the `To` of the voice webhook.
  number        text PRIMARY KEY CHECK (number ~ '^\+[1-9][0-9]{6,14}$'),
  gym_id        bigint NOT NULL REFERENCES gyms (id) ON DELETE CASCADE,
  mode          text NOT NULL CHECK (mode IN ('interview', 'front-desk')),
  -- Where a front-desk caller who asks for a person is put through (E.164); NULL: nobody, a message is offered.
  staff_number  text CHECK (staff_number IS NULL OR staff_number ~ '^\+[1-9][0-9]{6,14}$'),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX phone_numbers_gym_idx ON phone_numbers (gym_id);

-- What a call was: NULL for the calls before this migration and for outbound interviews.
ALTER TABLE calls ADD COLUMN mode text CHECK (mode IS NULL OR mode IN ('interview', 'front-desk'));

-- A message a front-desk caller left for the gym's staff.
CREATE TABLE call_messages (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  call_id          text NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  gym_id           bigint REFERENCES gyms (id) ON DELETE CASCADE,
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  callback_number  text NOT NULL CHECK (length(callback_number) BETWEEN 1 AND 40),
  reason           text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  taken_at         timestamptz NOT NULL,
  -- A retried write (the write queue retries after an ambiguous commit) adds no second message.
  UNIQUE (call_id, taken_at)
);
CREATE INDEX call_messages_taken_idx ON call_messages (taken_at DESC, id DESC);
CREATE INDEX call_messages_gym_idx ON call_messages (gym_id, taken_at DESC);

-- A transfer to the staff: the number dialled and what came of asking Twilio to dial it.
CREATE TABLE call_transfers (
  call_id    text NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  to_number  text NOT NULL CHECK (to_number ~ '^\+[1-9][0-9]{6,14}$'),
  status     text NOT NULL CHECK (status IN ('dialling', 'failed')),
  at         timestamptz NOT NULL,
  PRIMARY KEY (call_id, at)
);

-- The gym hears of each message as it is taken (docs/webhooks.md).
ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_type_check;
ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_type_check
  CHECK (type IN ('call.completed', 'gym.facts.changed', 'campaign.completed', 'message.taken'));
