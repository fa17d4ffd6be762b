-- Recordings and cost per call (issue 17 items 7 and 8).

-- One two-channel recording per call (gym left, agent right), a file under DATA_DIR/recordings named here. The
-- retention sweep deletes the row first (DELETE ... RETURNING, so of two replicas exactly one gets it) and then the
-- file.
CREATE TABLE call_recordings (
  call_id      text PRIMARY KEY REFERENCES calls (id) ON DELETE CASCADE,
  file         text NOT NULL UNIQUE CHECK (file ~ '^[A-Za-z0-9_-]{1,120}\.flac$'),
  media_type   text NOT NULL DEFAULT 'audio/flac' CHECK (media_type IN ('audio/flac')),
  bytes        bigint NOT NULL CHECK (bytes >= 0),
  duration_ms  integer NOT NULL CHECK (duration_ms >= 0),
  created_at   timestamptz NOT NULL
);
CREATE INDEX call_recordings_created_idx ON call_recordings (created_at);

-- What a call used and what that cost, priced when it ended from the price table then in force (src/costs/).
-- Sums per gym join calls.gym_id; per campaign, campaign_attempts.call_id (migration 008).
CREATE TABLE call_costs (
  call_id            text PRIMARY KEY REFERENCES calls (id) ON DELETE CASCADE,
  -- Twilio bills each started minute of a connected call.
  twilio_minutes     integer NOT NULL CHECK (twilio_minutes >= 0),
  asr_seconds        numeric(12, 3) NOT NULL CHECK (asr_seconds >= 0),
  llm_input_tokens   integer NOT NULL CHECK (llm_input_tokens >= 0),
  llm_output_tokens  integer NOT NULL CHECK (llm_output_tokens >= 0),
  tts_characters     integer NOT NULL CHECK (tts_characters >= 0),
  -- The providers the usage was priced for (asr, llm, tts names).
  providers          jsonb NOT NULL DEFAULT '{}',
  -- US dollars per item (twilio, asr, llm, tts) and their total.
  twilio_usd         numeric(14, 6) NOT NULL CHECK (twilio_usd >= 0),
  asr_usd            numeric(14, 6) NOT NULL CHECK (asr_usd >= 0),
  llm_usd            numeric(14, 6) NOT NULL CHECK (llm_usd >= 0),
  tts_usd            numeric(14, 6) NOT NULL CHECK (tts_usd >= 0),
  total_usd          numeric(14, 6) NOT NULL CHECK (total_usd >= 0),
  recorded_at        timestamptz NOT NULL
);
