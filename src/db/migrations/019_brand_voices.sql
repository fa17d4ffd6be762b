-- Brand voices (issue 19 item 3): how a gym or a campaign wants the agent to sound, per TTS provider (src/voices/
-- brand.ts: an ElevenLabs voice id with its model, stability and similarity; an OpenAI voice; the offline voices).
-- Checked by the API, the CLI and the gym import before it is written; read when a call's media stream starts.
-- NULL: the configured voices. Kept to PostgreSQL 15 features that PGlite also runs.

ALTER TABLE gyms ADD COLUMN voice jsonb CHECK (voice IS NULL OR jsonb_typeof(voice) = 'object');
ALTER TABLE campaigns ADD COLUMN voice jsonb CHECK (voice IS NULL OR jsonb_typeof(voice) = 'object');

-- A gym list that changes a gym's voice keeps the change in the gym's history like its other fields.
ALTER TABLE gym_changes DROP CONSTRAINT gym_changes_field_check;
ALTER TABLE gym_changes ADD CONSTRAINT gym_changes_field_check
  CHECK (field IN ('created', 'name', 'address', 'timezone', 'language', 'subdivision', 'voice'));
