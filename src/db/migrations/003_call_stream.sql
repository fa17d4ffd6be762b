-- Which media stream owns the call, decided once by a conditional UPDATE, so that with several replicas on one
-- database exactly one of them runs (and counts) the call and no stream can ever attach to a call that has one
-- or that ended: stream_claimed_at is set when that was decided; stream_sid is the winning stream, NULL when the
-- call was settled without one (never connected, busy, answering machine).
ALTER TABLE calls ADD COLUMN stream_sid text;
ALTER TABLE calls ADD COLUMN stream_claimed_at timestamptz;
